package ember.kernel.core;

import ember.journal.CorruptRecordException;
import ember.journal.Journal;
import ember.journal.JournalCutter;
import ember.journal.JournalReader;
import ember.journal.JournalWriter;
import ember.journal.SyscallType;
import ember.kernel.state.KernelState;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A running kernel on a directory: recovers the state by replaying the journal, then runs the
 * {@link KernelCore} on its own thread through an Agrona {@link AgentRunner}.
 * <p>
 * One kernel per directory: {@link #open} takes an exclusive lock on {@code DIR/ember.lock} and
 * fails when another process (or another kernel in this JVM) holds it. Thread-safe: any thread may
 * {@link #submit} commands.
 */
public final class Kernel implements AutoCloseable
{
    public static final String LOCK_FILE = "ember.lock";
    /** How long a client waits for the core to answer a non-blocking syscall. */
    public static final long ANSWER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    private final KernelConfig config;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final KernelCore core;
    private AgentRunner runner;
    /** Driven kernels ({@link #openDriven}): the caller's thread runs the core's duty cycles. */
    private org.agrona.concurrent.AgentInvoker invoker;
    private final long recoveredRecords;
    private final long recoveredSnapshotIndex;
    private final KernelLog log;
    private boolean lockReleased;
    /** The core's idle strategy (made before any co-agent, so that it knows whether the bell is used). */
    private final org.agrona.concurrent.IdleStrategy idle;
    /** The idle strategy's bell when it parks, else one nobody arms. */
    private final CoreDoorbell doorbell;

    private Kernel(final KernelConfig config, final FileChannel lockChannel, final FileLock lock,
        final KernelCore core, final long recoveredRecords, final long recoveredSnapshotIndex, final KernelLog log)
    {
        this.recoveredSnapshotIndex = recoveredSnapshotIndex;
        this.log = log;
        this.config = config;
        this.idle = config.idle().get();
        this.doorbell = idle instanceof DoorbellIdleStrategy parking ? parking.doorbell() : new CoreDoorbell(false);
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.core = core;
        this.recoveredRecords = recoveredRecords;
    }

    /**
     * Run the core. Its death is a defined outcome: when it stops itself (a journal fault, an
     * {@link Error} on its thread) it has answered every waiting caller and closed the journal,
     * and then releases the directory lock here, so no live JVM keeps a dead kernel's directory.
     */
    private void start(final Agent coAgent, final boolean driven)
    {
        core.onFailureStop(this::releaseLock);
        final ErrorHandler errors = core::onAgentError;
        final Agent agent = coAgent == null ? core : new CompositeAgent(core, coAgent);
        if (driven)
        {
            invoker = new org.agrona.concurrent.AgentInvoker(errors, null, agent);
            invoker.start();
            return;
        }
        runner = new AgentRunner(idle, errors, null, agent);
        AgentRunner.startOnThread(runner);
    }

    /**
     * Deterministic simulation seam: open (and recover) the kernel of a directory, with no core
     * thread: the caller's thread runs each duty cycle ({@link #dutyCycle}) and nothing else
     * touches the core (periodic snapshots still run on their own thread). Callers must not wait
     * for answers on that thread (so not through {@link #attach}, {@link #digest} or an
     * EmbeddedClient): they submit {@link Command}s and run duty cycles until they are done.
     */
    static Kernel openDriven(final KernelConfig config)
    {
        return open(config, null, true);
    }

    /** Driven kernels: run one duty cycle of the core on this thread. @return the work done (0 when idle). */
    int dutyCycle()
    {
        return invoker.invoke();
    }

    /** @return whether no periodic snapshot is asked for or being taken ({@link KernelCore#snapshotIdle}). */
    boolean snapshotIdle()
    {
        return core.snapshotIdle();
    }

    /**
     * Driven kernels: die as a killed process does: no caller answered, no closing snapshot, no
     * journal sync; the journal files keep what was written, the mappings and the directory lock
     * are released as the OS releases a dead process's. The directory can then be reopened.
     */
    void crash()
    {
        core.abandon();
        releaseLock();
    }

    /**
     * Open (and recover) the kernel of a directory and start its core.
     *
     * @throws KernelOpenException when the directory is in use, unreadable, or its journal is damaged.
     */
    public static Kernel open(final KernelConfig config)
    {
        return open(config, null);
    }

    /**
     * Open (and recover) the kernel of a directory and start its core, together with an agent
     * that must share the core's thread (a transport that submits commands and is told of their
     * completion on that thread).
     *
     * @param coAgent makes the agent from the opened kernel; null for none.
     * @throws KernelOpenException when the directory is in use, unreadable, or its journal is damaged.
     */
    public static Kernel open(final KernelConfig config, final Function<Kernel, Agent> coAgent)
    {
        return open(config, coAgent, false);
    }

    private static Kernel open(final KernelConfig config, final Function<Kernel, Agent> coAgent, final boolean driven)
    {
        final Path dir = config.dir();
        FileChannel channel = null;
        try
        {
            KernelDirectory.secure(dir);
            channel = KernelDirectory.openPrivateFile(dir.resolve(LOCK_FILE), StandardOpenOption.WRITE);
            final FileLock lock;
            try
            {
                lock = channel.tryLock();
            }
            catch (final OverlappingFileLockException ex)
            {
                throw new KernelOpenException("kernel directory " + dir + " is already open in this process");
            }
            if (lock == null)
            {
                throw new KernelOpenException("kernel directory " + dir + " is in use by another Ember process");
            }

            final KernelLog log = new KernelLog(dir);
            log.recordErrorsIn(KernelErrors.create(dir, log));
            try
            {
                final Kernel kernel = recoverAndStart(config, coAgent, channel, lock, log, driven);
                if (kernel == null)
                {
                    // The operator cut a damaged or truncated journal: open what is left.
                    log.close();
                    releaseQuietly(lock);
                    closeQuietly(channel);
                    return open(config.withCutDamagedJournal(false), coAgent, driven);
                }
                return kernel;
            }
            catch (final IOException | RuntimeException ex)
            {
                log.close();
                throw ex;
            }
        }
        catch (final IOException ex)
        {
            closeQuietly(channel);
            throw new KernelOpenException("cannot open kernel directory " + dir + ": " + KernelDirectory.describe(ex));
        }
        catch (final RuntimeException ex)
        {
            closeQuietly(channel);
            throw ex;
        }
        catch (final InternalError ex)
        {
            // Chronicle creates and maps its files sparse: on a full file system a first write
            // into one faults. Refuse to open, one line, and leave the directory unlocked.
            closeQuietly(channel);
            throw new KernelOpenException("cannot open the journal in " + dir + " (is its file system full?): " +
                ex.getMessage());
        }
    }

    /**
     * Recovery, then the core: leftovers of failed snapshots removed, the newest valid snapshot
     * plus the journal's tail replayed ({@link Recovery}), damage and truncation refused unless the
     * operator asked to cut.
     *
     * @return the started kernel, or null after a damaged or truncated journal was cut (the caller reopens).
     * @throws KernelOpenException when the journal is damaged or ends before the index it reached.
     */
    private static Kernel recoverAndStart(
        final KernelConfig config, final Function<Kernel, Agent> coAgent, final FileChannel channel, final FileLock lock,
        final KernelLog log, final boolean driven) throws IOException
    {
        final Path dir = config.dir();
        final SnapshotStore snapshots = new SnapshotStore(dir);
        prepareSnapshots(dir, snapshots, log);
        final long marked = JournalHighWater.claimed(dir);
        final java.util.function.Consumer<String> notice = line ->
        {
            log.log(line);
            System.err.println("ember: " + line);
        };
        final Recovery.Result recovered;
        if (OfflineState.hasJournal(dir))
        {
            try (JournalReader reader = new JournalReader(dir, false))
            {
                recovered = Recovery.recover(reader, snapshots, Long.MAX_VALUE, notice, () -> false);
            }
        }
        else
        {
            // No reader: opening one would create the queue before the writer could choose its roll cycle.
            recovered = Recovery.recover(null, snapshots, Long.MAX_VALUE, notice, () -> false);
        }
        final KernelState state = recovered.state();
        if (recovered.damage() != null)
        {
            final CorruptRecordException damage = recovered.damage();
            final long lastGood = state.lastIndex();
            if (!config.cutDamagedJournal())
            {
                log.log("recovery stopped: " + damage.getMessage());
                throw new KernelOpenException("cannot recover " + dir + ": " + damage.getMessage() +
                    " (to give up the records from there on, reopen with --cut-damaged-journal)");
            }
            final Path kept = JournalCutter.cut(dir, lastGood, config.blockSize());
            for (final Path file : snapshots.list())
            {
                Files.delete(file); // they point into the old queue
            }
            try (JournalHighWater mark = JournalHighWater.open(dir))
            {
                mark.reset(lastGood, -1); // the records after the cut are given up by request
            }
            log.log("journal cut after index " + lastGood + " by operator request (" + damage.getMessage() +
                "); the damaged journal is kept in " + kept);
            return null;
        }

        final long end = state.lastIndex();
        final long reached = Math.max(marked, recovered.snapshotClaim());
        if (reached > end)
        {
            final String loss = "the journal ends at index " + end + " but reached index " + reached + " (records " +
                (end + 1) + ".." + reached + " are missing: truncated or deleted journal files)";
            final List<String> sources = new ArrayList<>();
            if (marked > end)
            {
                sources.add("high-water mark " + marked + " in " + JournalHighWater.FILE);
            }
            for (final SnapshotStore.Loaded loaded : recovered.beyond())
            {
                sources.add("snapshot " + loaded.file().getFileName());
            }
            final String evidence = "evidence: " + String.join(", ", sources);
            if (!config.cutDamagedJournal())
            {
                log.log("recovery stopped: " + loss + "; " + evidence);
                throw new KernelOpenException("cannot recover " + dir + ": " + loss +
                    "; to accept the loss, reopen with --cut-damaged-journal");
            }
            // Chronicle cannot append to a file cut short under its own index: the records that are
            // there go into a fresh queue, as for a damaged journal. Every snapshot points into the
            // old queue, those beyond the end are not to be trusted: all are moved aside, kept.
            final Path kept = OfflineState.hasJournal(dir) ? JournalCutter.cut(dir, end, config.blockSize()) : null;
            final List<Path> old = snapshots.list();
            final String moved = old.isEmpty() ? "" : "; snapshots moved to " + snapshots.moveAside(old, "before-cut");
            try (JournalHighWater mark = JournalHighWater.open(dir))
            {
                mark.reset(end, -1);
            }
            log.log("journal loss accepted by operator request: " + loss + "; " + evidence +
                "; high-water mark reset to " + end + (kept == null ? "" : "; the journal before the cut is kept in " + kept) +
                moved);
            return null;
        }
        final JournalHighWater highWater = JournalHighWater.open(dir);

        try
        {
            final CheckpointSigner signer = new CheckpointSigner(CheckpointKeyFile.open(dir, config.checkpoints().keyFile()));
            final JournalWriter writer = new JournalWriter(dir, config.blockSize(), Journal.rollCycle(config.rollCycle()));
            writer.resumeChain(end, recovered.chain()); // h(end), as recovery checked it
            final SnapshotTaker taker = new SnapshotTaker(dir, snapshots, log, end, config.snapshotInFollower() &&
                (config.snapshotEvery() > 0 || config.snapshotIntervalMs() > 0));
            final KernelCounters counters = KernelCounters.create(dir, end, taker.lastWrittenIndex(), log);
            final KernelCore core = new KernelCore(state, writer, log, config, snapshots, taker, highWater, counters,
                new Checkpointer(config.checkpoints(), signer, end, config.clock().nanoTime() / 1_000_000, driven));
            log.log("kernel opened: recovered from " + recovered.from() + " and " + recovered.replayed() +
                " journal records, " + KernelLog.digestTokens(end, state.digest()));
            final Kernel kernel = new Kernel(config, channel, lock, core, recovered.replayed(), end - recovered.replayed(), log);
            kernel.start(coAgent == null ? null : coAgent.apply(kernel), driven);
            return kernel;
        }
        catch (final RuntimeException ex)
        {
            highWater.close();
            throw ex;
        }
    }

    /**
     * Remove what failed or crashed snapshots left behind, and check that snapshots can be
     * written at all (else the kernel would run without them until its disk fills with journal).
     */
    private static void prepareSnapshots(final Path dir, final SnapshotStore snapshots, final KernelLog log)
    {
        try
        {
            for (final String removed : snapshots.removeLeftovers())
            {
                log.log("removed leftover temporary snapshot file " + removed);
            }
            snapshots.checkWritable();
        }
        catch (final IOException ex)
        {
            log.log("cannot write snapshots in " + snapshots.dir() + ": " + SnapshotTaker.describe(ex));
            throw new KernelOpenException("cannot open kernel directory " + dir + ": snapshot directory " +
                snapshots.dir() + " is not writable (" + SnapshotTaker.describe(ex) + ")");
        }
    }

    /** @return the configuration this kernel was opened with. */
    public KernelConfig config()
    {
        return config;
    }

    /** Any thread: append a line to {@code DIR/kernel.log} (transports log refusals and failures here). */
    public void log(final String line)
    {
        log.log(line);
    }

    /** Any thread: an unexpected error: {@code line} in {@code DIR/kernel.log}, the error with its stack trace in {@code DIR/errors.dat}. */
    public void error(final String line, final Throwable error)
    {
        log.error(line, error);
    }

    /** @return the index of the snapshot recovery started from, 0 when it started from an empty kernel. */
    public long recoveredSnapshotIndex()
    {
        return recoveredSnapshotIndex;
    }

    /**
     * @return the id of the core's thread (the one thread that journals and applies), for
     *     per-thread measurements such as {@code ThreadMXBean.getThreadAllocatedBytes}; -1 before
     *     the core has started.
     */
    public long coreThreadId()
    {
        final Thread thread = runner == null ? null : runner.thread();
        return thread == null ? -1 : thread.getId();
    }

    /** @return how many journal records recovery replayed. */
    public long recoveredRecords()
    {
        return recoveredRecords;
    }

    /**
     * @return the core's doorbell: what hands the core work from outside the kernel (the IPC
     *     acceptor, a client in another process through it) rings it, so that a parked core wakes.
     */
    public CoreDoorbell doorbell()
    {
        return doorbell;
    }

    /**
     * Hand a command to the core. Returns at once; wait with {@link Command#await(long)}. Wakes a
     * parked core ({@link CoreDoorbell}).
     *
     * @throws KernelClosedException when the kernel is closed.
     */
    public void submit(final Command command)
    {
        while (!core.offer(command))
        {
            if (isClosed())
            {
                throw new KernelClosedException("kernel closed");
            }
            if (runner != null && runner.thread() == Thread.currentThread())
            {
                // The core's own thread is the inbox's only drainer: waiting here would wait forever.
                throw new IllegalStateException("submit on the core thread with a full inbox: use serveOnCoreThread");
            }
            Thread.onSpinWait(); // inbox full: the core is draining it
        }
        doorbell.ring();
        if (core.isClosed())
        {
            // The core may have closed after our offer and before draining it.
            if (!command.isDone())
            {
                throw new KernelClosedException("kernel closed");
            }
        }
    }

    /**
     * Core thread only: the kernel's configured clock in epoch ms, cached by the core once per duty
     * cycle (Aeron's cached clock). Agents composed with the core read their time here rather than
     * reading the clock again (a clock read may allocate: an {@code Instant}).
     */
    public long dutyCycleTimeMs()
    {
        return core.dutyCycleTimeMs();
    }

    /**
     * Core thread only: the {@code System.nanoTime()} the core read at the start of this duty cycle,
     * for cadences that must follow real time whatever the configured clock (a service's heartbeat).
     */
    public long dutyCycleMonotonicNs()
    {
        return core.dutyCycleMonotonicNs();
    }

    /**
     * Core thread only (an agent composed with the core, {@link #open(KernelConfig, Function)}):
     * hand a command to the core directly, with no inbox in between, so a transport never waits
     * on the queue its own thread drains. The command is handled as a drained one would be (journal,
     * apply, answer — its completion may run inside this call, or after the duty cycle's group
     * commit under {@code SyncMode.BATCH}); a fault that escapes is fail-stop, as in the duty cycle.
     *
     * @return false, the command untouched, when the kernel is closed or has stopped.
     * @throws IllegalStateException when called on another thread than the core's.
     */
    public boolean serveOnCoreThread(final Command command)
    {
        if (runner != null && runner.thread() != Thread.currentThread())
        {
            throw new IllegalStateException("serveOnCoreThread off the core thread: use submit");
        }
        if (isClosed() || core.failure() != null)
        {
            return false;
        }
        core.serveNow(command);
        return true;
    }

    /**
     * @return why the core stopped itself (fail-stop: a journal fault, an error on its thread),
     *     one line, or null while it runs and after a normal close. Any thread.
     */
    public String failure()
    {
        return core.failure();
    }

    /** @return true once the kernel is closed or its core has stopped. */
    public boolean isClosed()
    {
        return core.isClosed() || (runner != null && runner.isClosed()) || (invoker != null && invoker.isClosed());
    }

    /**
     * @param commands how many commands a caller is about to submit.
     * @return true when the core's inbox has room for them (callers on the core's own thread must
     *     check, since {@link #submit} would wait for the core forever).
     */
    public boolean hasRoom(final int commands)
    {
        return core.inboxRoom() >= commands;
    }

    /**
     * Attach a new client (journaled as {@code clientAttach}).
     *
     * @param user the kernel user the client acts as.
     * @return the client's session, whose handler calls it must drain.
     */
    public ClientSession attach(final String user)
    {
        final Command command = new Command(Thread.currentThread());
        command.record.reset(SyscallType.CLIENT_ATTACH, 0).text = user;
        submit(command);
        awaitAnswer(command);
        if (command.refusal != null)
        {
            throw new KernelClosedException(command.refusal);
        }
        return command.session;
    }

    /** Detach a client (journaled as {@code clientDetach}); its handlers fall back to queued events. */
    public void detach(final ClientSession session)
    {
        if (session.isDetached() || core.isClosed())
        {
            return;
        }
        final Command command = new Command(Thread.currentThread());
        command.record.reset(SyscallType.CLIENT_DETACH, 0).arg0 = session.id();
        try
        {
            submit(command);
            awaitAnswer(command);
        }
        catch (final KernelClosedException ignored)
        {
            // closing anyway
        }
    }

    /**
     * Ask the core for the digest of its state, between two records (not journaled).
     *
     * @return {@code INDEX:DIGEST}: the last record applied and the state digest after it.
     */
    public String digest()
    {
        final Command command = new Command(Thread.currentThread());
        command.digestQuery = true;
        submit(command);
        awaitAnswer(command);
        if (command.refusal != null)
        {
            throw new KernelClosedException(command.refusal);
        }
        return command.result.number + ":" + command.result.value;
    }

    /** Wait for the answer of a non-blocking command. */
    public static void awaitAnswer(final Command command)
    {
        if (!command.await(ANSWER_TIMEOUT_NS))
        {
            throw new KernelClosedException("kernel did not answer within 30 s");
        }
    }

    /** Stop the core, close the journal and release the directory lock. */
    @Override
    public void close()
    {
        core.stopSnapshots(); // the core serves on meanwhile; it writes the closing snapshot itself
        if (invoker != null)
        {
            invoker.close();
        }
        else
        {
            doorbell.stayAwake(); // a parked core sees the stop flag now, not at the end of its park
            runner.close();
        }
        releaseLock();
    }

    /** Any thread, once: the core thread after a failure, or {@link #close}. */
    private synchronized void releaseLock()
    {
        if (lockReleased)
        {
            return;
        }
        lockReleased = true;
        releaseQuietly(lock);
        closeQuietly(lockChannel);
    }

    /**
     * Who holds a kernel directory's lock, read from {@code /proc/locks} (so asking takes no lock
     * and never stands in a starting kernel's way).
     *
     * @return the OS pid of the process holding {@code DIR/ember.lock}, or -1 when none does (or
     *     this system cannot tell).
     */
    public static long lockHolder(final Path dir)
    {
        try
        {
            final long inode = (Long)Files.getAttribute(dir.resolve(LOCK_FILE), "unix:ino",
                java.nio.file.LinkOption.NOFOLLOW_LINKS);
            for (final String line : Files.readAllLines(Path.of("/proc/locks")))
            {
                // e.g. "1: POSIX  ADVISORY  WRITE 4242 08:01:1234567 0 EOF"
                final String[] fields = line.trim().split("\\s+");
                if (fields.length >= 6 && fields[5].endsWith(":" + inode) && !fields[4].equals("-1"))
                {
                    return Long.parseLong(fields[4]);
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // no lock file, or no /proc: nobody we can name
        }
        return -1;
    }

    private static void releaseQuietly(final FileLock lock)
    {
        try
        {
            lock.release();
        }
        catch (final IOException ignored)
        {
            // released with its channel
        }
    }

    private static void closeQuietly(final FileChannel channel)
    {
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignored)
            {
                // nothing to do
            }
        }
    }
}
