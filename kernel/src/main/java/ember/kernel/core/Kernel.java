package ember.kernel.core;

import ember.journal.CorruptRecordException;
import ember.journal.Journal;
import ember.journal.JournalCutter;
import ember.journal.JournalReader;
import ember.journal.JournalWriter;
import ember.journal.SyscallType;
import ember.kernel.state.JournalReplay;
import ember.kernel.state.KernelState;
import ember.kernel.state.SnapshotCodec;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
    private final long recoveredRecords;
    private boolean lockReleased;

    private Kernel(final KernelConfig config, final FileChannel lockChannel, final FileLock lock,
        final KernelCore core, final long recoveredRecords)
    {
        this.config = config;
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
    private void start(final Agent coAgent)
    {
        core.onFailureStop(this::releaseLock);
        final ErrorHandler errors = core::onAgentError;
        final Agent agent = coAgent == null ? core : new CompositeAgent(core, coAgent);
        runner = new AgentRunner(config.idle().get(), errors, null, agent);
        AgentRunner.startOnThread(runner);
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
        final Path dir = config.dir();
        FileChannel channel = null;
        try
        {
            final boolean created = !Files.exists(dir);
            Files.createDirectories(dir);
            protect(dir, created);
            channel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
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
            final SnapshotStore snapshots = new SnapshotStore(dir);
            KernelState state = null;
            long recovered = 0;
            CorruptRecordException damage = null;
            long lastGood = 0;
            String from = "an empty kernel";
            if (hasJournal(dir))
            {
                try (JournalReader reader = new JournalReader(dir, false))
                {
                    for (final Path file : snapshots.list())
                    {
                        try
                        {
                            final SnapshotStore.Loaded loaded = SnapshotStore.read(file);
                            if (reader.resumeAfter(loaded.state().lastIndex(), loaded.chronicleIndex()))
                            {
                                state = loaded.state();
                                from = "snapshot " + file.getFileName();
                                break;
                            }
                            log.log("snapshot " + file + " does not match the journal: skipped");
                        }
                        catch (final SnapshotCodec.DamagedSnapshotException ex)
                        {
                            log.log("damaged snapshot " + file + " skipped: " + ex.getMessage());
                            System.err.println("ember: damaged snapshot " + file + " skipped: " + ex.getMessage());
                        }
                    }
                    if (state == null)
                    {
                        state = new KernelState();
                    }
                    try
                    {
                        recovered = JournalReplay.replay(reader, state, Long.MAX_VALUE, null);
                    }
                    catch (final CorruptRecordException ex)
                    {
                        damage = ex;
                        lastGood = reader.lastIndex();
                    }
                }
                if (damage != null)
                {
                    if (!config.cutDamagedJournal())
                    {
                        log.log("recovery stopped: " + damage.getMessage());
                        log.close();
                        throw new KernelOpenException("cannot recover " + dir + ": " + damage.getMessage() +
                            " (to give up the records from there on, reopen with --cut-damaged-journal)");
                    }
                    final Path kept = JournalCutter.cut(dir, lastGood, config.blockSize());
                    for (final Path file : snapshots.list())
                    {
                        Files.delete(file); // they point into the old queue
                    }
                    log.log("journal cut after index " + lastGood + " by operator request (" + damage.getMessage() +
                        "); the damaged journal is kept in " + kept);
                    log.close();
                    releaseQuietly(lock);
                    closeQuietly(channel);
                    return open(config.withCutDamagedJournal(false), coAgent);
                }
            }
            else
            {
                state = new KernelState();
            }

            final JournalWriter writer = new JournalWriter(dir, config.blockSize(), Journal.rollCycle(config.rollCycle()));
            final KernelCore core = new KernelCore(state, writer, log, config, snapshots);
            log.log("kernel opened: recovered from " + from + " and " + recovered + " journal records, index " +
                state.lastIndex() + ", digest " + state.digest());
            final Kernel kernel = new Kernel(config, channel, lock, core, recovered);
            kernel.start(coAgent == null ? null : coAgent.apply(kernel));
            return kernel;
        }
        catch (final IOException ex)
        {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot open kernel directory " + dir, ex);
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

    /** @return the configuration this kernel was opened with. */
    public KernelConfig config()
    {
        return config;
    }

    /** @return how many journal records recovery replayed. */
    public long recoveredRecords()
    {
        return recoveredRecords;
    }

    /**
     * Hand a command to the core. Returns at once; wait with {@link Command#await(long)}.
     *
     * @throws KernelClosedException when the kernel is closed.
     */
    public void submit(final Command command)
    {
        while (!core.offer(command))
        {
            if (core.isClosed() || (runner != null && runner.isClosed()))
            {
                throw new KernelClosedException("kernel closed");
            }
            Thread.onSpinWait(); // inbox full: the core is draining it
        }
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
        return core.isClosed() || (runner != null && runner.isClosed());
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
        runner.close();
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
     * The journal and snapshots hold every user's events: only the kernel's account may read
     * them. Other accounts need only to reach {@code DIR/ipc} (the service opens that up), so a
     * kernel directory Ember creates is traverse-only for them.
     */
    private static void protect(final Path dir, final boolean created) throws IOException
    {
        try
        {
            if (created)
            {
                Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
            }
            for (final Path own : new Path[] {Journal.queueDir(dir), dir.resolve(SnapshotStore.DIR)})
            {
                Files.createDirectories(own);
                Files.setPosixFilePermissions(own, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            }
        }
        catch (final UnsupportedOperationException ignored)
        {
            // not a POSIX file system: nothing to set
        }
    }

    /** @return true when the directory already holds a journal (not just its empty folder). */
    private static boolean hasJournal(final Path dir) throws IOException
    {
        final Path queue = Journal.queueDir(dir);
        if (!Files.isDirectory(queue))
        {
            return false;
        }
        try (java.util.stream.Stream<Path> files = Files.list(queue))
        {
            return files.findAny().isPresent();
        }
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
