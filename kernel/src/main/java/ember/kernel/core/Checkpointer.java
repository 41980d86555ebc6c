package ember.kernel.core;

import ember.journal.HashChain;
import ember.journal.SyscallRecord;

/**
 * Decides when the core signs the chain head ({@link CheckpointPolicy}) and fills the checkpoint
 * record ({@link CheckpointSigner}). Core thread only; times are the core's cached kernel clock (epoch ms).
 */
final class Checkpointer
{
    private final CheckpointPolicy policy;
    private final CheckpointSigner signer;
    private long lastIndex;
    private long lastMs;

    /**
     * @param policy    when to sign.
     * @param signer    the kernel's key.
     * @param recovered the last index recovered (records before it were signed by earlier runs, or not).
     * @param nowMs     the kernel clock at open (the configured clock, epoch ms).
     */
    Checkpointer(final CheckpointPolicy policy, final CheckpointSigner signer, final long recovered, final long nowMs)
    {
        this.policy = policy;
        this.signer = signer;
        this.lastIndex = recovered;
        this.lastMs = nowMs;
    }

    /** @return true when a checkpoint is due after record {@code index} (closing: if anything was added). */
    boolean due(final long index, final long nowMs, final boolean closing)
    {
        final long added = index - lastIndex;
        if (added <= 0)
        {
            return false;
        }
        return closing ? policy.onClose() : (policy.every() > 0 && added >= policy.every()) ||
            (policy.intervalMs() > 0 && nowMs - lastMs >= policy.intervalMs());
    }

    /** Sign {@code chain}'s head into {@code record} (a CHECKPOINT record, pid 0). */
    void fill(final SyscallRecord record, final HashChain chain, final long timeNs)
    {
        signer.sign(chain.index(), chain.head(), timeNs).fill(record);
    }

    /** The checkpoint was journaled as record {@code index}. */
    void written(final long index, final long nowMs)
    {
        lastIndex = index;
        lastMs = nowMs;
    }
}
