package ember.journal;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The journal's hash chain: {@code h(0)} is 32 zero bytes (the genesis value) and
 * {@code h(i) = SHA-256(h(i-1) ‖ frame(i))}, where {@code frame(i)} is record i's frame exactly as
 * {@link RecordCodec} encodes it (and as the journal holds it). The one place the chain is
 * computed: the {@link JournalWriter} on the live path, the {@link JournalReader} on every read.
 * <p>
 * One reusable {@link MessageDigest} and a preallocated head: {@link #update} allocates nothing.
 * Not thread-safe: one instance per writer or reader.
 */
public final class HashChain
{
    /** Bytes of a chain value (SHA-256). */
    public static final int HASH_BYTES = 32;

    private final MessageDigest sha256;
    private final byte[] head = new byte[HASH_BYTES];
    private long index;
    private boolean known = true;
    private long knownSince;
    private final byte[] chunk = new byte[256];

    public HashChain()
    {
        try
        {
            sha256 = MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("this JDK has no SHA-256", ex);
        }
    }

    /**
     * Continue the chain from a known value: {@code hash} is {@code h(index)}.
     *
     * @param index the record the value covers (0: the genesis value).
     * @param hash  32 bytes; null for the genesis value (index must then be 0).
     */
    public void resume(final long index, final byte[] hash)
    {
        if (hash == null)
        {
            if (index != 0)
            {
                throw new IllegalArgumentException("only index 0 has the genesis value, not " + index);
            }
            java.util.Arrays.fill(head, (byte)0);
        }
        else
        {
            if (hash.length != HASH_BYTES)
            {
                throw new IllegalArgumentException("a chain value has " + HASH_BYTES + " bytes, not " + hash.length);
            }
            System.arraycopy(hash, 0, head, 0, HASH_BYTES);
        }
        this.index = index;
        this.known = true;
        this.knownSince = index;
    }

    /**
     * The value before {@code index + 1} is not known (a pruned journal read without a snapshot):
     * the chain still counts records, but {@link #isKnown()} says false until {@link #resume}.
     */
    public void unknownAt(final long index)
    {
        java.util.Arrays.fill(head, (byte)0);
        this.index = index;
        this.known = false;
    }

    /**
     * Chain one record's frame: {@code h(index+1) = SHA-256(h(index) ‖ frame)}.
     *
     * @param frame  holding the frame.
     * @param offset of the frame.
     * @param length of the frame.
     */
    public void update(final byte[] frame, final int offset, final int length)
    {
        sha256.update(head, 0, HASH_BYTES);
        sha256.update(frame, offset, length);
        finish();
    }

    /**
     * Chain one record's frame where the writer encoded it: in the open journal document
     * (off-heap), read through a small reused heap chunk, so nothing is allocated.
     *
     * @param frame  a buffer over the frame.
     * @param offset of the frame in {@code frame}.
     * @param length of the frame.
     */
    public void update(final org.agrona.DirectBuffer frame, final int offset, final int length)
    {
        sha256.update(head, 0, HASH_BYTES);
        for (int at = 0; at < length; at += chunk.length)
        {
            final int n = Math.min(chunk.length, length - at);
            frame.getBytes(offset + at, chunk, 0, n);
            sha256.update(chunk, 0, n);
        }
        finish();
    }

    /**
     * Chain one record's frame held off-heap (a mapped journal document).
     *
     * @param frame the frame's bytes from position to limit; consumed.
     */
    public void update(final java.nio.ByteBuffer frame)
    {
        sha256.update(head, 0, HASH_BYTES);
        sha256.update(frame);
        finish();
    }

    private void finish()
    {
        try
        {
            sha256.digest(head, 0, HASH_BYTES); // into the head itself: no allocation
        }
        catch (final DigestException ex)
        {
            throw new IllegalStateException(ex); // 32 bytes always fit
        }
        index++;
    }

    /** @return the index of the last record chained (0 before the first). */
    public long index()
    {
        return index;
    }

    /** @return the index the chain was last {@linkplain #resume resumed} from (0: genesis); meaningful while known. */
    public long knownSince()
    {
        return knownSince;
    }

    /** @return false while the chain runs from an unknown value (see {@link #unknownAt}). */
    public boolean isKnown()
    {
        return known;
    }

    /** @return a copy of {@code h(index())}. */
    public byte[] head()
    {
        return head.clone();
    }

    /** Copy {@code h(index())} into {@code into} at {@code offset}. */
    public void headInto(final byte[] into, final int offset)
    {
        System.arraycopy(head, 0, into, offset, HASH_BYTES);
    }

    /** @return true when {@code h(index())} equals {@code hash} at {@code offset}. */
    public boolean headEquals(final byte[] hash, final int offset)
    {
        return java.util.Arrays.equals(head, 0, HASH_BYTES, hash, offset, offset + HASH_BYTES);
    }

    /** @return the {@link ChainTag} of {@code h(index())}: its first 8 bytes; allocates nothing. */
    public long tag()
    {
        return ChainTag.of(head);
    }

    /** @return {@code h(index())} in lower-case hex. */
    public String hex()
    {
        return HexFormat.of().formatHex(head);
    }
}
