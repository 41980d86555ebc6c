package ember.journal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;

/**
 * A signed checkpoint: the kernel's Ed25519 signature over the chain head, journaled as a
 * {@link SyscallType#CHECKPOINT} record. The record at index {@code j} covers an earlier index
 * {@code c}, {@code j - MAX_LAG <= c < j}, each checkpoint covering a later index than the one before
 * it: it signs {@code h(c)} (it cannot sign itself, its frame holds the signature) and is then chained
 * like any record. The kernel signs off its core thread, so {@code c} may lag {@code j} by a few
 * records (the records signed while the signature was being made); it never lags by more than
 * {@link #MAX_LAG}, so a reader need only remember the last {@code MAX_LAG} chain values.
 * <pre>
 *   record: arg0 = covered index, arg1 = key id, payload = hash(32) ‖ time ns(8, LE) ‖ signature(64)
 *   signed: "ember-checkpoint-v1" ‖ covered(8, LE) ‖ hash(32) ‖ time ns(8, LE) ‖ key id(8, LE)
 * </pre>
 * Immutable value; the static helpers are thread-safe.
 *
 * @param covered   the index whose chain value is signed.
 * @param hash      {@code h(covered)}, 32 bytes.
 * @param timeNs    the kernel clock when it signed (epoch ns).
 * @param keyId     {@link CheckpointKey#keyId} of the signing key.
 * @param signature 64 bytes of Ed25519.
 */
public record Checkpoint(long covered, byte[] hash, long timeNs, long keyId, byte[] signature)
{
    public static final int SIGNATURE_BYTES = 64;
    /**
     * The most a checkpoint's record index {@code j} may exceed the index {@code c} it covers
     * ({@code j - c <= MAX_LAG}): the kernel waits for a late signature rather than go further, and
     * readers keep this many chain values to check a checkpoint against.
     */
    public static final int MAX_LAG = 4096;
    public static final int PAYLOAD_BYTES = HashChain.HASH_BYTES + 8 + SIGNATURE_BYTES;
    private static final byte[] DOMAIN = "ember-checkpoint-v1".getBytes(StandardCharsets.US_ASCII);

    /** @return the bytes the signature is over. */
    public byte[] signedBytes()
    {
        return signedBytes(covered, hash, timeNs, keyId);
    }

    /** @return the bytes a checkpoint of these values signs. */
    public static byte[] signedBytes(final long covered, final byte[] hash, final long timeNs, final long keyId)
    {
        return ByteBuffer.allocate(DOMAIN.length + 8 + HashChain.HASH_BYTES + 16).order(ByteOrder.LITTLE_ENDIAN)
            .put(DOMAIN).putLong(covered).put(hash).putLong(timeNs).putLong(keyId).array();
    }

    /** Fill {@code record} as this checkpoint's journal record (its index and timestamp are the core's). */
    public void fill(final SyscallRecord record)
    {
        fill(record, covered, hash, timeNs, keyId, signature, new byte[PAYLOAD_BYTES]);
    }

    /**
     * Fill {@code record} as a checkpoint's journal record without allocating: its payload becomes
     * {@code payload}, which the caller owns and must not change until the record is written.
     *
     * @param payload {@link #PAYLOAD_BYTES} bytes to hold hash, time and signature.
     */
    public static void fill(final SyscallRecord record, final long covered, final byte[] hash, final long timeNs,
        final long keyId, final byte[] signature, final byte[] payload)
    {
        record.reset(SyscallType.CHECKPOINT, 0);
        record.arg0 = covered;
        record.arg1 = keyId;
        System.arraycopy(hash, 0, payload, 0, HashChain.HASH_BYTES);
        for (int i = 0; i < 8; i++)
        {
            payload[HashChain.HASH_BYTES + i] = (byte)(timeNs >>> (8 * i)); // little endian, as of() reads it
        }
        System.arraycopy(signature, 0, payload, HashChain.HASH_BYTES + 8, SIGNATURE_BYTES);
        record.payload = payload;
    }

    /**
     * @param record a {@link SyscallType#CHECKPOINT} record.
     * @return its checkpoint.
     * @throws CorruptRecordException when it is not a well-formed checkpoint.
     */
    public static Checkpoint of(final SyscallRecord record)
    {
        if (record.type != SyscallType.CHECKPOINT || record.payload == null || record.payload.length != PAYLOAD_BYTES)
        {
            throw new CorruptRecordException("record " + record.index + " is not a well-formed checkpoint");
        }
        final ByteBuffer b = ByteBuffer.wrap(record.payload).order(ByteOrder.LITTLE_ENDIAN);
        final byte[] hash = new byte[HashChain.HASH_BYTES];
        b.get(hash);
        final long time = b.getLong();
        final byte[] signature = new byte[SIGNATURE_BYTES];
        b.get(signature);
        return new Checkpoint(record.arg0, hash, time, record.arg1, signature);
    }

    /** @return true when {@code key} made this checkpoint's signature. */
    public boolean verifies(final PublicKey key)
    {
        try
        {
            final Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(signedBytes());
            return verifier.verify(signature);
        }
        catch (final GeneralSecurityException ex)
        {
            return false; // a malformed signature is a bad one
        }
    }

    /** @return the hash in hex. */
    public String hashHex()
    {
        return java.util.HexFormat.of().formatHex(hash);
    }
}
