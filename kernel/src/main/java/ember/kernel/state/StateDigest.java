package ember.kernel.state;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The digest of a {@link KernelState}: SHA-256 of its canonical encoding
 * ({@link SnapshotCodec#canonical}), so two states are equal exactly when their digests are, and a
 * snapshot's digest is the digest of the state it rebuilds.
 */
public final class StateDigest
{
    private StateDigest()
    {
    }

    /** @return the hex digest of {@code state}. */
    public static String of(final KernelState state)
    {
        return of(SnapshotCodec.canonical(state));
    }

    /** @return the hex SHA-256 of a canonical encoding. */
    static String of(final byte[] canonical)
    {
        try
        {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
