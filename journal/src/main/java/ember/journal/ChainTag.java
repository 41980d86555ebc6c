package ember.journal;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * The chain tag: the first 8 bytes of {@code h(i)} ({@link HashChain}), which the
 * {@link JournalWriter} puts into record i's journal document right after its frame, so that a
 * reader locates a changed record at its own index instead of at the next signed checkpoint.
 * <p>
 * Journal document layout: {@code frame(i) ‖ tag(i)} (8 bytes, little endian), where
 * {@code frame(i)} is what {@link RecordCodec} encodes and what the chain hashes (the tag is not
 * part of the chain, so chain values, checkpoints, snapshots and proofs are those of journals
 * written before tags). Journals written before tags hold the frame alone; a reader accepts
 * them, and a record without a tag after one with is refused (a stripped tag).
 * <p>
 * What a tag gives: a record changed in place (any CRC fixed), inserted, reordered or spliced
 * from another journal without recomputing the chain carries a tag that does not match the
 * chain the records before it give, at its own index. A forger who recomputes the chain (and so
 * every tag after the change) is still caught at the next checkpoint's signature; a tag is 64
 * bits of a public function, not a secret, so it only locates accidents and naive edits.
 * Stateless.
 */
public final class ChainTag
{
    /** Bytes of a tag after the frame. */
    public static final int BYTES = 8;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    /** Frame header: int body length, int CRC. */
    private static final int FRAME_HEADER_BYTES = 8;

    private ChainTag()
    {
    }

    /**
     * The frame's length inside a journal document of {@code documentLength} bytes.
     *
     * @return the frame's length: {@code documentLength - BYTES} when the document carries a tag,
     *     {@code documentLength} when it does not (or when its length field matches neither: the
     *     codec then refuses the frame, naming its length).
     */
    public static int frameLength(final DirectBuffer document, final int offset, final int documentLength)
    {
        if (documentLength < FRAME_HEADER_BYTES)
        {
            return documentLength;
        }
        final long frame = FRAME_HEADER_BYTES + (long)document.getInt(offset, ORDER);
        return frame == documentLength - BYTES ? (int)frame : documentLength;
    }

    /** @see #frameLength(DirectBuffer, int, int) */
    public static int frameLength(final byte[] document, final int documentLength)
    {
        if (documentLength < FRAME_HEADER_BYTES)
        {
            return documentLength;
        }
        final long frame = FRAME_HEADER_BYTES + (long)(document[0] & 0xFF | (document[1] & 0xFF) << 8 |
            (document[2] & 0xFF) << 16 | (document[3] & 0xFF) << 24);
        return frame == documentLength - BYTES ? (int)frame : documentLength;
    }

    /** @return the tag stored at {@code offset} of {@code document}. */
    public static long read(final byte[] document, final int offset)
    {
        long tag = 0;
        for (int i = BYTES - 1; i >= 0; i--)
        {
            tag = tag << 8 | (document[offset + i] & 0xFF);
        }
        return tag;
    }

    /** @return the tag of the chain value {@code hash} (its first 8 bytes, little endian). */
    public static long of(final byte[] hash)
    {
        return read(hash, 0);
    }

    /** @return the tag as 16 hex digits, as {@code h(i)}'s first 16 hex digits read. */
    public static String hex(final long tag)
    {
        final StringBuilder out = new StringBuilder(2 * BYTES);
        for (int i = 0; i < BYTES; i++)
        {
            out.append(String.format("%02x", (tag >>> (8 * i)) & 0xFF));
        }
        return out.toString();
    }
}
