package ember.kernel.core;

import ember.journal.Checkpoint;
import ember.journal.HashChain;
import ember.journal.SyscallRecord;

/**
 * Decides when the core signs the chain head ({@link CheckpointPolicy}) and fills the checkpoint
 * records, signed off the core thread by the {@link CheckpointSigner}: a due checkpoint is
 * {@linkplain #request requested} covering the head {@code c} then, and journaled at a later index
 * {@code j} once its signature is back ({@link #signed}). {@link #mustWait} keeps
 * {@code j - c <= }{@link Checkpoint#MAX_LAG}. The checkpoint of a clean close is signed on the
 * closing thread ({@link #closing}) and covers the last record. A driven kernel (the simulator)
 * waits for each signature at once, so that its journals do not depend on thread timing.
 * <p>
 * Core thread only (the closing thread at close); times are the kernel clock (epoch ms). Nothing
 * is allocated in steady state: one record and one payload, reused.
 */
final class Checkpointer
{
    /** Test hook: run on the core thread when it must wait for a signature at the lag bound (null in production). */
    static volatile Runnable lagWaitHook;

    private final CheckpointPolicy policy;
    private final CheckpointSigner signer;
    private final boolean waitEach;
    private final SyscallRecord record = new SyscallRecord();
    private final byte[] payload = new byte[Checkpoint.PAYLOAD_BYTES];
    /** The index the last request covered (the recovered index before the first). */
    private long lastCovered;
    private long lastMs;
    private boolean outstanding;
    /** The journal up to here is signed (a checkpoint covering it, or it is such a checkpoint right after it). */
    private long signedTo;

    /**
     * @param policy    when to sign.
     * @param signer    signs; this checkpointer starts and stops it.
     * @param recovered the last index recovered (records before it were signed by earlier runs, or not).
     * @param nowMs     the kernel clock at open (the configured clock, epoch ms).
     * @param waitEach  wait for each signature when requesting it (a driven kernel: deterministic journals).
     */
    Checkpointer(final CheckpointPolicy policy, final CheckpointSigner signer, final long recovered, final long nowMs,
        final boolean waitEach)
    {
        this.policy = policy;
        this.signer = signer;
        this.lastCovered = recovered;
        this.signedTo = recovered;
        this.lastMs = nowMs;
        this.waitEach = waitEach;
    }

    /** Start the signer thread when the policy signs periodically. */
    void start()
    {
        if (policy.every() > 0 || policy.intervalMs() > 0)
        {
            signer.start();
        }
    }

    /** @return true when a periodic checkpoint is due after record {@code index} (none outstanding). */
    boolean due(final long index, final long nowMs)
    {
        // Since what is signed: a checkpoint right after what it covers signs itself too, so an
        // idle kernel whose head is signed appends nothing more (not a checkpoint a second).
        final long added = index - signedTo;
        if (outstanding || added <= 0)
        {
            return false;
        }
        return (policy.every() > 0 && added >= policy.every()) ||
            (policy.intervalMs() > 0 && nowMs - lastMs >= policy.intervalMs());
    }

    /** Ask the signer to sign {@code chain}'s head. @return whether the caller must wait for it now (a driven kernel). */
    boolean request(final HashChain chain, final long timeNs, final long nowMs)
    {
        signer.request(chain, timeNs);
        outstanding = true;
        lastCovered = chain.index();
        lastMs = nowMs;
        return waitEach;
    }

    /** @return true when appending record {@code next} would put the outstanding checkpoint more than MAX_LAG after what it covers. */
    boolean mustWait(final long next)
    {
        if (outstanding && next - lastCovered >= Checkpoint.MAX_LAG)
        {
            final Runnable hook = lagWaitHook;
            if (hook != null)
            {
                hook.run();
            }
            return true;
        }
        return false;
    }

    /**
     * @param wait wait for the outstanding signature (bounded: one signature's time).
     * @return the outstanding checkpoint's record when it is signed, else null; journal it, then {@link #written}.
     */
    SyscallRecord signed(final boolean wait)
    {
        if (!outstanding)
        {
            return null;
        }
        if (wait)
        {
            signer.awaitSigned();
        }
        else if (!signer.isSigned())
        {
            return null;
        }
        signer.fill(record, payload);
        return record;
    }

    /** The checkpoint record of {@link #signed} or {@link #closing} was journaled as record {@code index}. */
    void written(final long index)
    {
        final long covered = record.arg0;
        signedTo = covered == index - 1 ? index : covered;
        if (outstanding && covered == signer.covered())
        {
            outstanding = false;
            signer.release();
        }
    }

    /**
     * Clean close, after the outstanding checkpoint (if any) was journaled: stop the signer and,
     * when the journal up to {@code chain}'s head is not signed yet and the policy signs at close,
     * sign it here.
     *
     * @return the closing checkpoint's record (journal it, then {@link #written}), or null.
     */
    SyscallRecord closing(final HashChain chain, final long timeNs)
    {
        stop();
        if (!policy.onClose() || chain.index() <= signedTo)
        {
            return null;
        }
        final Checkpoint checkpoint = signer.signNow(chain.index(), chain.head(), timeNs);
        Checkpoint.fill(record, checkpoint.covered(), checkpoint.hash(), checkpoint.timeNs(), checkpoint.keyId(),
            checkpoint.signature(), payload);
        return record;
    }

    /** Stop the signer thread (close, failure, crash); an outstanding request is dropped. Idempotent. */
    void stop()
    {
        signer.close();
        outstanding = false;
    }
}
