package ember.kernel.core;

import java.nio.file.Path;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Takes periodic snapshots off the core thread. The core only posts the index to snapshot (and
 * its Chronicle index): two stores and an unpark. This thread hands the request to a
 * {@link SnapshotMaker}: a {@link ShadowState} kept in this JVM, or a {@link FollowerProcess}
 * that keeps it in a JVM of its own ({@link KernelConfig#snapshotInFollower()}, what
 * {@code serve} uses).
 * <p>
 * Why not copy or encode the live state: it is a large mutable object graph that only the core
 * may touch; encoding it on the core pauses every caller for as long as the state is big (seconds
 * for millions of timers). Apply is deterministic, so replaying the journal to the same index
 * gives the same state — the same digest — without the core. Why a second JVM for large states:
 * a shadow in this JVM doubles the live heap, and bringing it forward or rebuilding it allocates
 * as much as the core's own apply; on the JVM the collector then stops every thread, the core's
 * too (measured: hundreds of ms at millions of timers, whatever the collector's settings). In a
 * follower JVM those pauses are its own. The price is a second copy of the state in memory and
 * CPU on another core (at nice 19); embedded kernels keep the in-JVM shadow by default, to start
 * no second process.
 * <p>
 * One snapshot at a time: {@link #request} refuses while one is being taken (the core asks
 * again later). A failed snapshot is logged with its cause (one line), leaves nothing behind and
 * drops the shadow (rebuilt by the next one); the kernel keeps serving and the next periodic
 * snapshot is tried as usual.
 * <p>
 * Threads: {@link #request} on the core thread; {@link #close} on any thread, after which
 * requests are refused.
 */
final class SnapshotTaker implements AutoCloseable
{
    private static final long NONE = -1;

    private final KernelLog log;
    private final SnapshotStore store;
    private final SnapshotMaker maker;
    private final FollowerProcess follower;
    private final Thread thread;
    /** Written by the core before {@link #pending}, read by this thread after it. */
    private long pendingChronicleIndex;
    private volatile long pending = NONE;
    private volatile boolean busy;
    private volatile boolean stopping;
    private volatile long lastWritten;

    /**
     * @param dir          the kernel directory.
     * @param store        where snapshots go.
     * @param log          the kernel log: written snapshots and failures.
     * @param initialIndex the index of the newest snapshot already there (or of the recovered state).
     * @param inFollower   whether snapshots are made by a {@link SnapshotFollower} JVM, else by a shadow in this JVM.
     */
    SnapshotTaker(final Path dir, final SnapshotStore store, final KernelLog log, final long initialIndex,
        final boolean inFollower)
    {
        this.log = log;
        this.store = store;
        this.follower = inFollower ? new FollowerProcess(dir, log) : null;
        this.maker = inFollower ? follower : new ShadowState(dir, store, log::log, () -> stopping);
        this.lastWritten = initialIndex;
        this.thread = new Thread(this::run, "ember-snapshot");
        thread.setDaemon(true);
    }

    /** Start the thread; once, before the first {@link #request}. */
    void start()
    {
        thread.start();
    }

    /**
     * Core thread: ask for a snapshot of the state after record {@code index}, which is in the
     * journal at {@code chronicleIndex}. O(1), no allocation.
     *
     * @return false when a snapshot is still being taken (nothing was posted).
     */
    boolean request(final long index, final long chronicleIndex)
    {
        if (busy || pending != NONE || stopping)
        {
            return false;
        }
        pendingChronicleIndex = chronicleIndex;
        pending = index;
        LockSupport.unpark(thread);
        return true;
    }

    /** Any thread: @return whether no snapshot is asked for or being taken (busy is set before pending is cleared). */
    boolean idle()
    {
        return pending == NONE && !busy;
    }

    /** @return the index of the newest snapshot written (by this thread or before it started). */
    long lastWrittenIndex()
    {
        return lastWritten;
    }

    /**
     * Write a snapshot at {@code index} (a follower may write a later one). This thread only
     * (tests may call it while the thread does not run).
     *
     * @return the file written.
     * @throws CancellationException when {@link #close} stopped it.
     * @throws IllegalStateException when the journal does not hold record {@code index} at {@code chronicleIndex}.
     */
    Path take(final long index, final long chronicleIndex)
    {
        return maker.make(index, chronicleIndex);
    }

    private void run()
    {
        if (follower != null)
        {
            follower.start(); // it catches up while the kernel serves, ready for the first snapshot
        }
        else
        {
            // On a small machine the core and the clients win the CPU; snapshots use what is left.
            final CoreProbe probe = KernelCore.probe;
            if (probe == null || probe.niceSnapshotThread())
            {
                ThreadNice.lowerCurrentThread(19, "snapshot thread", log::log);
            }
        }
        while (!stopping)
        {
            final long index = pending;
            if (index == NONE)
            {
                LockSupport.park(this);
                continue;
            }
            busy = true; // before clearing pending: the core never sees both clear mid-snapshot
            final long chronicleIndex = pendingChronicleIndex;
            pending = NONE;
            final long start = System.nanoTime();
            try
            {
                final Path file = take(index, chronicleIndex);
                final long written = SnapshotStore.indexOf(file);
                if (written == lastWritten)
                {
                    continue; // a follower already ahead of this request: nothing new written
                }
                lastWritten = written;
                log.log("snapshot written " + (follower != null ? "by the follower" : "off the core thread") +
                    ": index=" + written + " file=" + file.getFileName() + " (" +
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms)");
            }
            catch (final CancellationException ex)
            {
                log.log("snapshot at index " + index + " abandoned: the kernel is closing");
            }
            catch (final RuntimeException | OutOfMemoryError ex)
            {
                log.error("snapshot at index " + index + " failed: " + describe(ex) +
                    "; the kernel keeps serving, the next snapshot is tried later", ex);
            }
            finally
            {
                busy = false;
            }
        }
        maker.close();
    }

    private void removeLeftovers()
    {
        try
        {
            for (final String removed : store.removeLeftovers())
            {
                log.log("removed temporary snapshot file " + removed + " of the stopped follower");
            }
        }
        catch (final java.io.IOException ex)
        {
            log.log("cannot remove the stopped follower's temporary snapshot files: " + describe(ex));
        }
    }

    /** @return the exception's class and message, and its cause's: one line, no stack trace. */
    static String describe(final Throwable ex)
    {
        final StringBuilder line = new StringBuilder(ex.getClass().getName()).append(": ").append(ex.getMessage());
        final Throwable cause = ex.getCause();
        if (cause != null && cause != ex)
        {
            line.append(" (caused by ").append(cause.getClass().getName()).append(": ").append(cause.getMessage()).append(')');
        }
        return line.toString().replace('\n', ' ');
    }

    /** Abandon a snapshot being taken (the closing snapshot supersedes it) and stop the thread. Idempotent. */
    @Override
    public void close()
    {
        stopping = true;
        if (follower != null)
        {
            follower.close(); // unblocks a snapshot being waited for
            removeLeftovers(); // a follower killed mid-write leaves its temporary file
        }
        LockSupport.unpark(thread);
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(60));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
