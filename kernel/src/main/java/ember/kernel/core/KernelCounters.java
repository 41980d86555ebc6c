package ember.kernel.core;

import ember.journal.SyscallType;
import org.agrona.IoUtil;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The kernel's live counters, published in a memory-mapped file ({@link CountersLayout}) through
 * Agrona's {@link CountersManager}, so that {@code ember status} and {@code ember top} in another
 * JVM read them with {@link KernelCountersReader}: no lock, no request to the core, no waiting.
 * <p>
 * Every kernel publishes them, embedded or service. The file is created by the kernel when it
 * opens ({@link KernelDirectory}'s rules: in {@code DIR/ipc/} (0711), 0600, not through a link,
 * fully allocated so that no write into it can fault on a full disk) and deleted when it closes; a
 * file left by a crash is replaced at the next open (the kernel then holds the directory lock).
 * <p>
 * Threads: the core thread is the only writer of every counter and the only one to allocate and
 * free client counters ({@link CountersManager} is single-threaded).
 * Updates are single-writer ordered stores of a plain read plus one: no CAS, no allocation per
 * syscall; high-water and current values are stored only when they change (compared with what the
 * core last published, not read back from the file). When the file cannot be made the kernel runs without it ({@link #NONE}).
 */
public final class KernelCounters implements AutoCloseable
{
    /** Counters that publish nothing: the file could not be made. */
    static final KernelCounters NONE = new KernelCounters();

    /** How long a freed client counter is kept from reuse, so a reader is not shown a reused slot as the old client. */
    private static final long FREE_TO_REUSE_MS = 1_000;

    private final Path file;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer values;
    private final CountersManager manager;
    private final String ownAccount;
    private final long ownPid;
    private final AtomicCounter records;
    private final AtomicCounter syscallsOk;
    private final AtomicCounter syscallsError;
    private final AtomicCounter journalBytes;
    private final AtomicCounter snapshotIndex;
    private final AtomicCounter snapshotTimeMs;
    private final AtomicCounter clients;
    private final AtomicCounter eventQueueMax;
    private final AtomicCounter inboxMax;
    private final AtomicCounter parkedPulls;
    private final AtomicCounter dutyCycleMaxNs;
    private final AtomicCounter dutyCycleRecentMaxNs;
    /** By {@link SyscallType#code()}: the counter of that client syscall type, null for kernel actions. */
    private final AtomicCounter[] syscallsByType;
    /** Core thread: what the high-water and current counters last published (a compare, not a read of the file). */
    private long eventQueueSeen;
    private long inboxSeen;
    private long parkedSeen;
    private long dutyMaxSeen;
    private long recentSeen;
    /** Core thread: the duty-cycle window in progress (since {@link #windowStartNs}) and the longest cycle of the one before. */
    private long windowStartNs;
    private long windowMaxNs;
    private long previousWindowMaxNs;
    /** Core thread: the snapshot index last published, to notice a new one with one compare. */
    private long snapshotSeen;
    /** Core thread: set once the file is unmapped; nothing is written after. */
    private boolean closed;

    private KernelCounters()
    {
        file = null;
        mapped = null;
        values = null;
        manager = null;
        ownAccount = null;
        ownPid = 0;
        records = null;
        syscallsOk = null;
        syscallsError = null;
        journalBytes = null;
        snapshotIndex = null;
        snapshotTimeMs = null;
        clients = null;
        eventQueueMax = null;
        inboxMax = null;
        parkedPulls = null;
        dutyCycleMaxNs = null;
        dutyCycleRecentMaxNs = null;
        syscallsByType = null;
        closed = true;
    }

    private KernelCounters(final Path file, final MappedByteBuffer mapped, final long startMs,
        final long lastIndex, final OfflineState.SnapshotMark snapshot, final long writtenIndex) throws IOException
    {
        this.file = file;
        this.mapped = mapped;
        final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, CountersLayout.HEADER_LENGTH);
        final UnsafeBuffer metadata = new UnsafeBuffer(mapped, CountersLayout.METADATA_OFFSET, CountersLayout.METADATA_LENGTH);
        this.values = new UnsafeBuffer(mapped, CountersLayout.VALUES_OFFSET, CountersLayout.VALUES_LENGTH);
        this.manager = new CountersManager(metadata, values, StandardCharsets.UTF_8, SystemEpochClock.INSTANCE,
            FREE_TO_REUSE_MS);
        this.ownAccount = Files.getOwner(Path.of("/proc/self")).getName();
        this.ownPid = ProcessHandle.current().pid();
        records = manager.newCounter("records applied (last journal index)", CountersLayout.RECORDS);
        syscallsOk = manager.newCounter("syscalls answered ok", CountersLayout.SYSCALLS_OK);
        syscallsError = manager.newCounter("syscalls answered with an error or refused", CountersLayout.SYSCALLS_ERROR);
        journalBytes = manager.newCounter("journal bytes appended since open", CountersLayout.JOURNAL_BYTES);
        snapshotIndex = manager.newCounter("last snapshot index", CountersLayout.SNAPSHOT_INDEX);
        snapshotTimeMs = manager.newCounter("last snapshot time (epoch ms)", CountersLayout.SNAPSHOT_TIME_MS);
        final AtomicCounter start = manager.newCounter("kernel start time (epoch ms)", CountersLayout.START_TIME_MS);
        clients = manager.newCounter("clients attached", CountersLayout.CLIENTS);
        eventQueueMax = manager.newCounter("deepest event queue since open (events)", CountersLayout.EVENT_QUEUE_MAX);
        inboxMax = manager.newCounter("most commands taken from the inbox in one duty cycle", CountersLayout.INBOX_MAX);
        parkedPulls = manager.newCounter("parked pulls now", CountersLayout.PARKED_PULLS);
        dutyCycleMaxNs = manager.newCounter("longest duty cycle since open (ns)", CountersLayout.DUTY_CYCLE_MAX_NS);
        dutyCycleRecentMaxNs = manager.newCounter("longest duty cycle in the last 1-2 s (ns)",
            CountersLayout.DUTY_CYCLE_RECENT_MAX_NS);
        syscallsByType = new AtomicCounter[maxCode() + 1];
        for (final SyscallType type : SyscallType.values())
        {
            if (type.isClientCall())
            {
                syscallsByType[type.code()] = manager.newCounter("syscalls " + type.syscallName(),
                    CountersLayout.SYSCALLS_BY_TYPE, key -> key.putInt(CountersLayout.SYSCALL_KEY_CODE, type.code()));
            }
        }
        start.setOrdered(startMs);
        records.setOrdered(lastIndex);
        if (snapshot != null)
        {
            snapshotIndex.setOrdered(snapshot.index());
            snapshotTimeMs.setOrdered(snapshot.timeMs());
        }
        snapshotSeen = writtenIndex;
        header.putInt(CountersLayout.HEADER_VERSION, CountersLayout.VERSION);
        header.putInt(CountersLayout.HEADER_METADATA_LENGTH, CountersLayout.METADATA_LENGTH);
        header.putInt(CountersLayout.HEADER_VALUES_LENGTH, CountersLayout.VALUES_LENGTH);
        header.putLong(CountersLayout.HEADER_OS_PID, ownPid);
        header.putLong(CountersLayout.HEADER_START_MS, startMs);
        header.putIntOrdered(CountersLayout.HEADER_MAGIC, CountersLayout.MAGIC); // last: the file is complete
    }

    /**
     * Opening thread, with the directory lock held: make the counters file.
     *
     * @param dir          the kernel directory.
     * @param lastIndex    the recovered state's last index.
     * @param writtenIndex what the snapshot taker reports as written when it starts.
     * @param log          where a failure to make the file is reported.
     * @return the counters, or {@link #NONE} when the file cannot be made (the kernel runs on without).
     */
    static KernelCounters create(final Path dir, final long lastIndex, final long writtenIndex, final KernelLog log)
    {
        final Path file = CountersLayout.file(dir);
        MappedByteBuffer mapped = null;
        try
        {
            KernelDirectory.ensureDirectory(file.getParent(), KernelDirectory.TRAVERSE_DIR);
            mapped = PrivateMappedFile.create(file, CountersLayout.FILE_LENGTH); // a crashed kernel's file is replaced
            return new KernelCounters(file, mapped, System.currentTimeMillis(), lastIndex,
                OfflineState.newestSnapshot(dir), writtenIndex);
        }
        catch (final IOException | RuntimeException ex)
        {
            if (mapped != null)
            {
                IoUtil.unmap(mapped);
            }
            log.log("live counters are not published: cannot make " + file + ": " +
                (ex instanceof IOException ? KernelDirectory.describe((IOException)ex) : ex.getMessage()));
            return NONE;
        }
    }

    private static int maxCode()
    {
        int max = 0;
        for (final SyscallType type : SyscallType.values())
        {
            max = Math.max(max, type.code());
        }
        return max;
    }

    /** Core thread: a command is answered; counts a client syscall by outcome and by type, for the kernel and its client. */
    void onAnswer(final Command command)
    {
        if (closed || command.query != null || command.record.type == null || !command.record.type.isClientCall())
        {
            return; // process queries (the shell's bookkeeping) are not syscalls
        }
        if (command.refusal == null && command.result.ok())
        {
            syscallsOk.incrementOrdered();
        }
        else
        {
            syscallsError.incrementOrdered();
        }
        syscallsByType[command.record.type.code()].incrementOrdered();
        final ClientSession session = command.session;
        if (session != null && session.counterId != CountersReader.NULL_COUNTER_ID)
        {
            final int offset = CountersReader.counterOffset(session.counterId);
            values.putLongOrdered(offset, values.getLong(offset) + 1);
        }
    }

    /** Core thread: {@code bytes} more of the journal were written. */
    void onJournaled(final int bytes)
    {
        if (!closed)
        {
            journalBytes.getAndAddOrdered(bytes);
        }
    }

    /** Core thread: an event was queued to a process whose queue now holds {@code depth} events. */
    void onEventQueueDepth(final int depth)
    {
        if (depth > eventQueueSeen && !closed)
        {
            eventQueueSeen = depth;
            eventQueueMax.setOrdered(depth);
        }
    }

    /** Core thread: the duty cycle took {@code commands} from the inbox (its backlog, up to the drain limit). */
    void onInboxDrained(final int commands)
    {
        if (commands > inboxSeen && !closed)
        {
            inboxSeen = commands;
            inboxMax.setOrdered(commands);
        }
    }

    /**
     * Core thread, once per duty cycle: publish the last index, the parked pulls, the cycle's
     * time (into the maximum since open and the recent maximum), and a snapshot the snapshot
     * thread finished since the last cycle (its time: when the core noticed it, within a cycle).
     *
     * @param startNs when the cycle started ({@link System#nanoTime()}: a measurement, not kernel time).
     * @param endNs   when it ended, as {@code startNs}.
     */
    void onDutyCycle(final long lastIndex, final long snapshotWritten, final int parked, final long startNs,
        final long endNs)
    {
        if (closed)
        {
            return;
        }
        if (parked != parkedSeen)
        {
            parkedSeen = parked;
            parkedPulls.setOrdered(parked);
        }
        onCycleTime(endNs - startNs, endNs);
        if (records.getWeak() != lastIndex)
        {
            records.setOrdered(lastIndex);
        }
        if (snapshotWritten != snapshotSeen)
        {
            snapshotSeen = snapshotWritten;
            snapshotTimeMs.setOrdered(System.currentTimeMillis());
            snapshotIndex.setOrdered(snapshotWritten);
        }
    }

    private void onCycleTime(final long tookNs, final long endNs)
    {
        if (tookNs > dutyMaxSeen)
        {
            dutyMaxSeen = tookNs;
            dutyCycleMaxNs.setOrdered(tookNs);
        }
        if (endNs - windowStartNs >= CountersLayout.RECENT_WINDOW_NS)
        {
            // A window passed with no cycle at all (a parked idle core) leaves no maximum behind.
            previousWindowMaxNs = endNs - windowStartNs >= 2 * CountersLayout.RECENT_WINDOW_NS ? 0 : windowMaxNs;
            windowMaxNs = 0;
            windowStartNs = endNs;
        }
        if (tookNs > windowMaxNs)
        {
            windowMaxNs = tookNs;
        }
        final long recent = Math.max(windowMaxNs, previousWindowMaxNs);
        if (recent != recentSeen)
        {
            recentSeen = recent;
            dutyCycleRecentMaxNs.setOrdered(recent);
        }
    }

    /**
     * Core thread: a client attached; give it a counter labelled with who it is.
     *
     * @param names   what the transport journaled with the attach ({@code account, transport}), or
     *                null for an embedded client of this JVM.
     * @param osPid   the client's OS pid, 0 for this JVM.
     * @param clients how many clients are attached now.
     */
    void onAttach(final ClientSession session, final String[] names, final long osPid, final int clients)
    {
        if (closed)
        {
            return;
        }
        this.clients.setOrdered(clients);
        final String account = names != null && names.length > 0 ? names[0] : ownAccount;
        final String transport = names != null && names.length > 1 ? names[1] : "embedded";
        final long pid = osPid > 0 ? osPid : ownPid;
        final long sinceMs = System.currentTimeMillis();
        final String label = "client " + session.id() + " account=" + account + " user=" + session.user() +
            " pid=" + pid + " transport=" + transport + " since=" + Instant.ofEpochMilli(sinceMs).truncatedTo(ChronoUnit.SECONDS);
        if (manager.available() == 0)
        {
            return; // more clients than counters: this one is counted in all, not on its own
        }
        final int id = manager.allocate(label, CountersLayout.CLIENT, key ->
        {
            key.putInt(CountersLayout.CLIENT_KEY_SESSION, session.id());
            key.putLong(CountersLayout.CLIENT_KEY_OS_PID, pid);
            key.putLong(CountersLayout.CLIENT_KEY_SINCE_MS, sinceMs);
        });
        manager.setCounterValue(id, 0); // a reused slot keeps its old value
        session.counterId = id;
    }

    /** Core thread: a client detached; free its counter. */
    void onDetach(final ClientSession session, final int clients)
    {
        if (closed)
        {
            return;
        }
        this.clients.setOrdered(clients);
        if (session.counterId != CountersReader.NULL_COUNTER_ID)
        {
            manager.free(session.counterId);
            session.counterId = CountersReader.NULL_COUNTER_ID;
        }
    }

    /** Core thread, when the kernel closes: the file goes (a stopped kernel has no live counters). */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ignored)
        {
            // replaced at the next open
        }
        closed = true;
        IoUtil.unmap(mapped);
    }
}
