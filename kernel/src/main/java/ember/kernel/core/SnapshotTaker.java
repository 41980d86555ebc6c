package ember.kernel.core;

import ember.journal.JournalReader;
import ember.kernel.state.KernelState;
import ember.kernel.state.SnapshotCodec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Takes periodic snapshots off the core thread. The core only posts the index to snapshot (and
 * its Chronicle index): two stores and an unpark. This thread keeps a shadow copy of the state:
 * built once by the kernel's own recovery path ({@link Recovery}: newest valid snapshot + replay
 * of the journal, read-only, up to exactly that index), then brought forward for each snapshot by
 * replaying the journal records since the previous one; it is encoded and written atomically
 * ({@link SnapshotStore#write}).
 * <p>
 * Why not copy or encode the live state: it is a large mutable object graph that only the core
 * may touch; encoding it on the core pauses every caller for as long as the state is big (seconds
 * for millions of timers). Apply is deterministic, so replaying the journal to the same index
 * gives the same state — the same digest — without the core. Why keep the shadow rather than
 * rebuild it for each snapshot: rebuilding allocates the whole state again each time, and on
 * the JVM copying that young garbage-to-be is a stop-the-world pause for every thread, the
 * core's too (measured: hundreds of ms for a million timers). A kept shadow is old-generation
 * data; bringing it forward allocates no more than the core's own apply. The price is a second
 * copy of the state in memory while periodic snapshots are on, and CPU on another core.
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
    /** This thread only: the state at the last snapshot, kept to be brought forward by the next one. */
    private KernelState shadow;
    private JournalReader reader;

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

    /**
     * Bring the shadow state to {@code index}, encode and write it. This thread only (tests may
     * call it while the thread does not run).
     *
     * @return the file written.
     * @throws CancellationException when {@link #close} stopped it.
     * @throws IllegalStateException when the journal does not hold record {@code index} at {@code chronicleIndex}.
     */
    Path take(final long index, final long chronicleIndex)
    {
        try
        {
            if (shadow == null || shadow.lastIndex() > index)
            {
                rebuild(index);
            }
            else
            {
                Recovery.replay(reader, shadow, index, () -> stopping);
            }
            if (shadow.lastIndex() != index || reader.chronicleIndex() != chronicleIndex)
            {
                throw new IllegalStateException("the journal ends at index " + shadow.lastIndex() +
                    " (Chronicle index " + reader.chronicleIndex() + "), not at index " + index +
                    " (Chronicle index " + chronicleIndex + ")");
            }
            final byte[] image = SnapshotCodec.encode(shadow);
            if (stopping)
            {
                throw new CancellationException("kernel closing");
            }
            return store.write(index, chronicleIndex, image);
        }
        catch (final RuntimeException | Error ex)
        {
            dropShadow(); // whatever state it was left in, the next snapshot starts afresh
            throw ex;
        }
    }

    /** The first snapshot, or after a failure: the state at {@code index} by the kernel's recovery path. */
    private void rebuild(final long index)
    {
        dropShadow();
        reader = new JournalReader(dir, true);
        final Recovery.Result rebuilt = Recovery.recover(reader, store, index, log::log, () -> stopping);
        if (rebuilt.damage() != null)
        {
            throw new IllegalStateException("journal unreadable: " + rebuilt.damage().getMessage());
        }
        shadow = rebuilt.state();
    }

    private void dropShadow()
    {
        shadow = null;
        if (reader != null)
        {
            reader.close();
            reader = null;
        }
    }

    private void run()
    {
        lowerOwnPriority();
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
        dropShadow();
    }

    /**
     * Best effort: ask Linux for nice 19 on this thread alone, so that on a small machine the
     * core and the clients win the CPU and snapshots use what is left. Java thread priorities
     * are ignored on Linux, and the JDK cannot set a thread's nice value, so this runs
     * {@code renice} once on the thread's own id. Where that is not possible the thread keeps
     * the normal priority (logged).
     */
    private void lowerOwnPriority()
    {
        try
        {
            final Path self = Files.readSymbolicLink(Path.of("/proc/thread-self")); // PID/task/TID
            final String tid = self.getFileName().toString();
            final Process renice = new ProcessBuilder("renice", "-n", "19", "-p", tid)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (renice.waitFor(10, TimeUnit.SECONDS) && renice.exitValue() == 0)
            {
                return;
            }
            renice.destroyForcibly();
            log.log("snapshot thread keeps the normal priority: renice failed");
        }
        catch (final IOException | RuntimeException ex)
        {
            log.log("snapshot thread keeps the normal priority: " + describe(ex));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
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
