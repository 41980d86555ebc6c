package ember.kernel.core;

import ember.journal.Checkpoint;
import ember.journal.HashChain;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Signs checkpoints on its own daemon thread ({@value #THREAD_NAME}), so that the core never spends
 * the ~1 ms and ~20 KB of garbage of a JDK Ed25519 signature on its own thread.
 * <p>
 * Hand-off: one pre-allocated slot, at most one request outstanding. The core writes the request
 * (covered index, the 32 bytes of its chain value copied in, time) and publishes it
 * ({@code IDLE → REQUESTED}, then unparks the signer); the signer signs, copies the 64 signature
 * bytes into the slot and publishes them ({@code REQUESTED → SIGNED}); the core reads them into
 * its checkpoint record and frees the slot ({@code SIGNED → IDLE}). Each side writes the slot's
 * fields only while the state says the slot is its own, and the volatile state write orders them:
 * nothing is allocated on the core's side.
 * <p>
 * Threads: {@link #start}, {@link #request}, {@link #isSigned}, {@link #awaitSigned},
 * {@link #release} and {@link #close} are for one thread, the core's (the closing thread's). The
 * {@link CheckpointKeyFile} belongs to the signer thread while it runs and to the thread that
 * called {@link #close} after that ({@link #signNow}). A signature that fails (it should not)
 * stops the signer: the core's next {@link #isSigned} or {@link #awaitSigned} throws, a fail-stop,
 * rather than the kernel going on unsigned.
 */
public final class CheckpointSigner implements AutoCloseable
{
    /** The signer thread's name. */
    public static final String THREAD_NAME = "ember-checkpoint-signer";
    private static final int IDLE = 0;
    private static final int REQUESTED = 1;
    private static final int SIGNED = 2;
    private static final int FAILED = 3;
    /** How long the idle signer sleeps between looks at the slot when no unpark came (a lost wake-up costs at most this). */
    private static final long IDLE_PARK_NS = 10_000_000L;

    private final CheckpointKeyFile key;
    private final AtomicInteger state = new AtomicInteger(IDLE);
    private long covered;
    private final byte[] hash = new byte[HashChain.HASH_BYTES];
    private long timeNs;
    private final byte[] signature = new byte[Checkpoint.SIGNATURE_BYTES];
    private volatile String failure;
    private volatile boolean running;
    private Thread thread;

    /** @param key the kernel's key; this signer owns it from now on. */
    CheckpointSigner(final CheckpointKeyFile key)
    {
        this.key = key;
    }

    /** Start the signer thread (once; a no-op after {@link #close}). Core thread. */
    void start()
    {
        if (thread != null)
        {
            return;
        }
        running = true;
        thread = new Thread(this::run, THREAD_NAME);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Ask for a signature of {@code h(covered)}. Core thread; nothing outstanding.
     *
     * @param chain the chain whose head {@code h(covered)} is copied into the slot.
     * @throws IllegalStateException when a request is outstanding or the signer is not running.
     */
    void request(final HashChain chain, final long timeNs)
    {
        if (state.get() != IDLE || thread == null || !running)
        {
            throw new IllegalStateException("checkpoint signer busy or not running");
        }
        this.covered = chain.index();
        chain.headInto(hash, 0);
        this.timeNs = timeNs;
        state.set(REQUESTED);
        LockSupport.unpark(thread);
    }

    /** @return true when the outstanding request's signature is there. Core thread. @throws IllegalStateException when signing failed. */
    boolean isSigned()
    {
        final int s = state.get();
        if (s == FAILED)
        {
            throw new IllegalStateException("the checkpoint signer failed: " + failure);
        }
        return s == SIGNED;
    }

    /**
     * Wait (yielding) until the outstanding request is signed: one signature's time, as the
     * signer has no other work. Core thread.
     *
     * @throws IllegalStateException when signing failed or the signer thread is gone.
     */
    void awaitSigned()
    {
        while (!isSigned())
        {
            if (!thread.isAlive())
            {
                throw new IllegalStateException("the checkpoint signer thread stopped with a request outstanding");
            }
            Thread.yield();
        }
    }

    /** Fill {@code record} with the signed request's checkpoint, its payload in {@code payload} (no allocation). Core thread, after {@link #isSigned}. */
    void fill(final ember.journal.SyscallRecord record, final byte[] payload)
    {
        Checkpoint.fill(record, covered, hash, timeNs, key.keyId(), signature, payload);
    }

    /** @return the index the outstanding request covers. Core thread. */
    long covered()
    {
        return covered;
    }

    /** The signed request is journaled (or dropped): the slot is free again. Core thread. */
    void release()
    {
        state.set(IDLE);
    }

    /**
     * Sign on the calling thread (at close, in a driven kernel's last checkpoint): only after
     * {@link #close}, when the key is this thread's.
     */
    Checkpoint signNow(final long covered, final byte[] hash, final long timeNs)
    {
        if (running)
        {
            throw new IllegalStateException("the signer thread still owns the key");
        }
        return key.sign(covered, hash, timeNs);
    }

    /**
     * Stop the signer thread and wait for it (a signature in progress finishes first, at most a
     * few ms); an outstanding request is dropped. Idempotent; the caller owns the key afterwards.
     */
    @Override
    public void close()
    {
        running = false;
        final Thread t = thread;
        if (t == null)
        {
            return;
        }
        LockSupport.unpark(t);
        boolean interrupted = false;
        while (t.isAlive())
        {
            try
            {
                t.join();
            }
            catch (final InterruptedException ex)
            {
                interrupted = true; // still wait: the key must have one owner
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void run()
    {
        while (running)
        {
            if (state.get() != REQUESTED)
            {
                LockSupport.parkNanos(this, IDLE_PARK_NS);
                continue;
            }
            try
            {
                System.arraycopy(key.sign(covered, hash, timeNs).signature(), 0, signature, 0, Checkpoint.SIGNATURE_BYTES);
                state.set(SIGNED);
            }
            catch (final RuntimeException | Error ex)
            {
                failure = String.valueOf(ex);
                state.set(FAILED);
                return;
            }
        }
    }
}
