package ember.kernel.core;

import ember.journal.JournalReader;
import ember.kernel.state.KernelState;
import ember.kernel.state.SnapshotCodec;

import java.nio.file.Path;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Takes periodic snapshots off the core thread. The core only posts the index to snapshot (and
 * its Chronicle index): two stores and an unpark. This thread then rebuilds the state at exactly
 * that index by the kernel's own recovery path ({@link Recovery}: newest valid snapshot + replay of
 * the journal, read-only), encodes it and writes it atomically ({@link SnapshotStore#write}).
 * <p>
 * Why rebuild rather than copy: the core's state is a large mutable object graph that only the
 * core may touch; copying or encoding it on the core pauses every caller for as long as the
 * state is big (seconds for millions of timers). Apply is deterministic, so replaying the journal
 * to the same index gives the same state — the same digest — at no cost to the core. The price
 * is a second, transient copy of the state in memory and CPU on another core while a snapshot is
 * taken; the thread runs at minimum priority.
 * <p>
 * One snapshot at a time: {@link #request} refuses while one is being taken (the core asks
 * again later). A failed snapshot is logged with its cause (one line) and leaves nothing behind;
 * the kernel keeps serving and the next periodic snapshot is tried as usual.
 * <p>
 * Threads: {@link #request} on the core thread; {@link #close} on the core thread at close.
 */
final class SnapshotTaker implements AutoCloseable
{
    private static final long NONE = -1;

    private final Path dir;
    private final SnapshotStore store;
    private final KernelLog log;
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
     */
    SnapshotTaker(final Path dir, final SnapshotStore store, final KernelLog log, final long initialIndex)
    {
        this.dir = dir;
        this.store = store;
        this.log = log;
        this.lastWritten = initialIndex;
        this.thread = new Thread(this::run, "ember-snapshot");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
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

    /** @return the index of the newest snapshot written (by this thread or before it started). */
    long lastWrittenIndex()
    {
        return lastWritten;
    }

    /** @return true while a snapshot is asked for or being taken. */
    boolean isBusy()
    {
        return busy || pending != NONE;
    }

    /**
     * Rebuild the state at {@code index}, encode and write it. Any thread but the core (it opens its
     * own read-only journal reader).
     *
     * @return the file written.
     * @throws CancellationException when {@link #close} stopped it.
     * @throws IllegalStateException when the journal does not hold record {@code index} at {@code chronicleIndex}.
     */
    Path take(final long index, final long chronicleIndex)
    {
        final Recovery.Result rebuilt;
        try (JournalReader reader = new JournalReader(dir, true))
        {
            rebuilt = Recovery.recover(reader, store, index, log::log, () -> stopping);
        }
        if (rebuilt.damage() != null)
        {
            throw new IllegalStateException("journal unreadable: " + rebuilt.damage().getMessage());
        }
        final KernelState state = rebuilt.state();
        if (state.lastIndex() != index || rebuilt.chronicleIndex() != chronicleIndex)
        {
            throw new IllegalStateException("the journal ends at index " + state.lastIndex() +
                " (Chronicle index " + rebuilt.chronicleIndex() + "), not at index " + index +
                " (Chronicle index " + chronicleIndex + ")");
        }
        final byte[] image = SnapshotCodec.encode(state);
        if (stopping)
        {
            throw new CancellationException("kernel closing");
        }
        return store.write(index, chronicleIndex, image);
    }

    private void run()
    {
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
                lastWritten = index;
                log.log("snapshot at index " + index + " written off the core thread: " + file.getFileName() + " (" +
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms)");
            }
            catch (final CancellationException ex)
            {
                log.log("snapshot at index " + index + " abandoned: the kernel is closing");
            }
            catch (final RuntimeException | OutOfMemoryError ex)
            {
                log.log("snapshot at index " + index + " failed: " + describe(ex) +
                    "; the kernel keeps serving, the next snapshot is tried later");
            }
            finally
            {
                busy = false;
            }
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

    /** Core thread, at close: abandon a snapshot being taken (the closing snapshot supersedes it) and stop the thread. */
    @Override
    public void close()
    {
        stopping = true;
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
