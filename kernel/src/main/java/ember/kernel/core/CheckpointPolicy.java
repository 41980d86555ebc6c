package ember.kernel.core;

import java.nio.file.Path;

/**
 * When the core has the hash chain's head signed as a checkpoint record ({@link CheckpointSigner}, off the core thread):
 * after {@code every} records, after {@code intervalMs} when records were added, and at a clean
 * close. Immutable.
 *
 * @param every      records between checkpoints (0: not by count).
 * @param intervalMs time between checkpoints while records are added (0: not by time).
 * @param onClose    sign at a clean close (the journal then ends with a checkpoint).
 * @param keyFile    an operator's key file to install as {@code DIR/checkpoint.key} at first
 *                   start, null for a key the kernel makes itself.
 */
public record CheckpointPolicy(long every, long intervalMs, boolean onClose, Path keyFile)
{
    /**
     * 100,000 records, 1 s while records are added, and at close. The JDK's Ed25519 signature costs
     * about 0.9 ms and ~20 KB of garbage; it is made on the {@link CheckpointSigner}'s thread, not
     * the core's (once, it more than doubled the journaled apply's cost at one per 1,000 records).
     * At usual rates the 1 s bound comes first.
     */
    public static final CheckpointPolicy DEFAULTS = new CheckpointPolicy(100_000, 1_000, true, null);

    public CheckpointPolicy
    {
        if (every < 0 || intervalMs < 0)
        {
            throw new IllegalArgumentException("checkpoint every/interval must not be negative");
        }
    }

    /** @return this policy with the operator's key file. */
    public CheckpointPolicy withKeyFile(final Path file)
    {
        return new CheckpointPolicy(every, intervalMs, onClose, file);
    }
}
