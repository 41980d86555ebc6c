package ember.kernel.core;

import ember.journal.JournalWriter;
import ember.journal.SyscallRecord;
import ember.journal.SyscallType;
import ember.kernel.state.KernelEffects;
import ember.kernel.state.KernelError;
import ember.kernel.state.KernelLimits;
import ember.kernel.state.KernelState;
import ember.kernel.state.PendingTimer;
import ember.kernel.state.ProcessEntry;
import ember.kernel.state.SyscallResult;
import ember.kernel.state.SyscallValidator;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The core: the one thread that owns the kernel state. Each duty cycle it drains submitted
 * commands and, for each, journals the record, applies it, then completes the command; then it
 * polls the timer wheel against the clock and journals and applies each expiry as its own record.
 * <p>
 * Write-ahead is strict: nothing is applied, and no caller is answered, before its record is in
 * the journal. A journal that cannot back a record (full file system) refuses it, with nothing
 * applied, and the core serves again when space is back. Any other failure of an append or a
 * sync, anything thrown out of the core's own duty cycle (the state may then differ from what
 * replay would rebuild), or an {@link Error} from an agent sharing its thread, is fail-stop: the
 * record is not acknowledged, the failure is written to {@code kernel.log} with the record index,
 * the journal is closed as far as it can be, the lock is released, every waiting caller is then
 * answered with an error, and the core stops ({@link #failure()} tells why).
 * <p>
 * Waiting {@code pullEvent} calls are parked here (not in the state: they belong to live
 * clients) and retried, as journaled pulls, when an event for their process arrives.
 */
final class KernelCore implements Agent, KernelEffects
{
    static final int INBOX_CAPACITY = 1 << 16;
    private static final int DRAIN_LIMIT = 1024;

    private final ManyToOneConcurrentArrayQueue<Command> inbox = new ManyToOneConcurrentArrayQueue<>(INBOX_CAPACITY);
    private final KernelState state;
    private final JournalWriter journal;
    private final EpochNanoClock clock;
    private final KernelLog log;
    private final TimerWheel wheel;
    private final Int2ObjectHashMap<ClientSession> sessions = new Int2ObjectHashMap<>();
    private final Long2ObjectHashMap<ArrayDeque<Command>> waiters = new Long2ObjectHashMap<>();
    private final LongArrayList deliverable = new LongArrayList();
    private final LongArrayList expired = new LongArrayList();
    private final SyscallRecord kernelRecord = new SyscallRecord();
    private final SyscallResult kernelResult = new SyscallResult();
    private final KernelLimits limits;
    private final KernelConfig config;
    private final SnapshotStore snapshots;
    private final ArrayList<Command> unsynced = new ArrayList<>();
    /** Refused after a failure: answered once the core has stopped (journal closed, lock released). */
    private final ArrayList<Command> refusedAfterFailure = new ArrayList<>();
    private final java.util.concurrent.ExecutorService snapshotWriter =
        java.util.concurrent.Executors.newSingleThreadExecutor(r ->
        {
            final Thread thread = new Thread(r, "ember-snapshot-writer");
            thread.setDaemon(true);
            return thread;
        });
    private long lastSnapshotIndex;
    private final int maxJournaledPayload;
    private long nextDiskCheckMs;
    private String diskFull;
    private long lastSnapshotMs = System.currentTimeMillis();
    private int waiting;
    /** No parked pull is due before this (kernel clock ns). */
    private long nextWaitDeadlineNs = Long.MAX_VALUE;
    private volatile boolean closed;
    /** Why the core stopped itself (fail-stop), or null. Written by the core thread only. */
    private volatile String failure;
    private Runnable onFailureStop;

    KernelCore(
        final KernelState state, final JournalWriter journal, final KernelLog log, final KernelConfig config,
        final SnapshotStore snapshots)
    {
        this.limits = config.limits();
        this.state = state;
        this.journal = journal;
        this.clock = config.clock();
        this.log = log;
        this.config = config;
        this.snapshots = snapshots;
        this.lastSnapshotIndex = state.lastIndex();
        // A payload must also fit one journal record (a quarter of a Chronicle block), with room for the rest.
        this.maxJournaledPayload = ember.journal.JournalWriter.maxRecordBytes(config.blockSize()) - 8 * 1024;
        this.wheel = new TimerWheel(clock.nanoTime());
        for (final PendingTimer timer : state.pendingTimers())
        {
            wheel.schedule(timer.id(), timer.deadlineNs());
        }
    }

    /**
     * Core thread, first thing: journal the kernelOpen record (Chronicle appenders are bound to
     * the one thread that uses them, so the core does all appending).
     */
    @Override
    public void onStart()
    {
        kernelRecord.reset(SyscallType.KERNEL_OPEN, 0).text = limits.encode();
        if (!journalAndApply(kernelRecord, kernelResult))
        {
            fail(diskFull != null ? "cannot write the journal: " + diskFull :
                "cannot write the journal at index " + kernelRecord.index);
            throw new org.agrona.concurrent.AgentTerminationException(failure);
        }
    }

    /**
     * @return why the core stopped itself (a journal fault, an error on its thread), or null
     *     while it runs or after a normal close. Any thread.
     */
    String failure()
    {
        return failure;
    }

    /** @param action run on the core thread once it has stopped after a failure (journal closed). */
    void onFailureStop(final Runnable action)
    {
        this.onFailureStop = action;
    }

    /**
     * The runner's error handler, on the core thread: a {@link Throwable} that escaped a duty
     * cycle of an agent sharing the thread. An {@link Error} leaves the thread's state in doubt
     * (a fault in a mapped file surfaces as an asynchronous {@code InternalError}): fail-stop. An
     * exception is reported and the loop goes on, as the agent that threw still owns its state.
     */
    void onAgentError(final Throwable error)
    {
        if (error instanceof org.agrona.concurrent.AgentTerminationException)
        {
            return; // the core's own fail-stop: already reported
        }
        if (error instanceof Error)
        {
            fail("error on the core thread after index " + state.lastIndex() + ": " + error);
        }
        else
        {
            log.log("error on the core thread: " + error);
            System.err.println("ember core error: " + error);
        }
    }

    /** Fail-stop: record why (first failure wins); the duty cycle then ends the core. Core thread. */
    private void fail(final String why)
    {
        if (failure == null)
        {
            failure = why;
            log.log(why + "; the kernel stops (fail-stop)");
        }
    }

    /** What every caller waiting when the kernel failed is answered. */
    private String failureRefusal()
    {
        return "journal write failed: the kernel stopped: " + failure;
    }

    /** Any thread: queue a command for the core. @return false when the inbox is full. */
    boolean offer(final Command command)
    {
        return inbox.offer(command);
    }

    int inboxRoom()
    {
        return inbox.remainingCapacity();
    }

    boolean isClosed()
    {
        return closed;
    }

    @Override
    public int doWork()
    {
        int work = 0;
        try
        {
            checkDisk();
            work = inbox.drain(this::handle, DRAIN_LIMIT);
            work += pollTimers();
            if (waiting > 0)
            {
                work += expireWaiters();
            }
            if (!unsynced.isEmpty())
            {
                groupCommit();
            }
            maybeSnapshot();
        }
        catch (final Throwable ex)
        {
            fail("core failed after index " + state.lastIndex() + ": " + ex);
        }
        if (failure != null)
        {
            throw new org.agrona.concurrent.AgentTerminationException(failure); // the runner then calls onClose
        }
        return work;
    }

    /**
     * Chronicle maps the journal in blocks: appending into a block the file system cannot back
     * kills the process (SIGBUS) instead of failing. So the core refuses syscalls, with a clear
     * error, while less than two blocks are free on the journal's file system.
     */
    private void checkDisk()
    {
        final long nowMs = System.currentTimeMillis();
        if (nowMs < nextDiskCheckMs)
        {
            return;
        }
        nextDiskCheckMs = nowMs + 100;
        try
        {
            final java.nio.file.Path dir = ember.journal.Journal.queueDir(config.dir());
            final long free = java.nio.file.Files.getFileStore(dir).getUsableSpace();
            final long needed = 2 * config.blockSize() + (1 << 20);
            String refusal = free < needed ? "journal write failed: disk full (" + free + " bytes free for the journal in " +
                dir + ", " + needed + " needed)" : null;
            if (refusal == null && diskFull != null)
            {
                refusal = reserveAgain();
            }
            setDiskFull(refusal);
        }
        catch (final java.io.IOException ex)
        {
            setDiskFull(reserveAgain()); // cannot tell the free space: the reservation tells
        }
    }

    /** @return null when the journal backs the space the next record may need again, else why not. */
    private String reserveAgain()
    {
        try
        {
            journal.reserveAhead();
            return null;
        }
        catch (final ember.journal.JournalFullException ex)
        {
            return ex.getMessage();
        }
    }

    /** @param refusal why syscalls are refused for lack of space, or null when they are not. */
    private void setDiskFull(final String refusal)
    {
        final String was = diskFull;
        diskFull = refusal;
        if (refusal != null && was == null)
        {
            log.log("refusing syscalls: " + refusal);
        }
        else if (refusal == null && was != null)
        {
            log.log("disk space is back: accepting syscalls");
        }
    }

    /**
     * SyncMode.BATCH: one msync for the duty cycle's records, then answer their callers. A failed
     * msync is fail-stop: its callers get an error, never an acknowledgement the disk may not hold.
     */
    private void groupCommit()
    {
        if (failure == null)
        {
            try
            {
                journal.sync();
            }
            catch (final Throwable ex)
            {
                fail("journal sync failed after index " + state.lastIndex() + ": " + ex);
            }
        }
        for (int i = 0; i < unsynced.size(); i++)
        {
            final Command command = unsynced.get(i);
            if (failure != null && command.refusal == null)
            {
                refuse(command, failureRefusal());
            }
            else
            {
                command.complete();
            }
        }
        unsynced.clear();
    }

    /** Answer a command now, or after the batch's msync in SyncMode.BATCH. */
    private void finish(final Command command)
    {
        if (config.sync() == SyncMode.BATCH)
        {
            unsynced.add(command);
        }
        else
        {
            command.complete();
        }
    }

    private void maybeSnapshot()
    {
        final long added = state.lastIndex() - lastSnapshotIndex;
        if (added <= 0)
        {
            return;
        }
        final boolean byCount = config.snapshotEvery() > 0 && added >= config.snapshotEvery();
        final boolean byTime = config.snapshotIntervalMs() > 0 &&
            System.currentTimeMillis() - lastSnapshotMs >= config.snapshotIntervalMs();
        if (byCount || byTime)
        {
            // The image is taken here, between records; the file is written off the core thread.
            final byte[] image = ember.kernel.state.SnapshotCodec.encode(state);
            final long index = state.lastIndex();
            final long chronicleIndex = journal.lastChronicleIndex();
            lastSnapshotIndex = index;
            lastSnapshotMs = System.currentTimeMillis();
            snapshotWriter.execute(() ->
            {
                try
                {
                    snapshots.write(index, chronicleIndex, image);
                }
                catch (final RuntimeException ex)
                {
                    System.err.println("ember: snapshot at index " + index + " failed: " + ex.getMessage());
                }
            });
        }
    }

    /**
     * Core thread, last thing. After a failure the callers still waiting are answered only once
     * the journal is closed and the directory lock released: whoever sees the error can reopen.
     */
    @Override
    public void onClose()
    {
        closed = true;
        final List<Command> left = new ArrayList<>(refusedAfterFailure);
        refusedAfterFailure.clear();
        inbox.drainTo(left, Integer.MAX_VALUE);
        for (final ArrayDeque<Command> queue : waiters.values())
        {
            left.addAll(queue);
        }
        waiters.clear();
        if (failure == null)
        {
            for (final Command command : left)
            {
                refuse(command, "kernel closed");
            }
            left.clear();
            if (!unsynced.isEmpty())
            {
                groupCommit();
            }
        }
        else
        {
            left.addAll(unsynced); // never msynced: not acknowledged
            unsynced.clear();
        }
        snapshotWriter.shutdown();
        try
        {
            snapshotWriter.awaitTermination(60, java.util.concurrent.TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        if (failure == null && config.snapshotOnClose() && state.lastIndex() > lastSnapshotIndex)
        {
            try
            {
                snapshots.write(state.lastIndex(), journal.lastChronicleIndex(),
                    ember.kernel.state.SnapshotCodec.encode(state));
            }
            catch (final RuntimeException ex)
            {
                log.log("snapshot at close failed: " + ex);
            }
        }
        try
        {
            journal.close();
        }
        catch (final Throwable ex)
        {
            log.log("journal close failed: " + ex); // after a fault: closed as far as it goes
        }
        log.log((failure == null ? "kernel closed" : "kernel stopped after a failure") + " at index " +
            state.lastIndex() + ", digest " + state.digest());
        log.close();
        if (failure != null)
        {
            if (onFailureStop != null)
            {
                onFailureStop.run();
            }
            for (final Command command : left)
            {
                refuse(command, failureRefusal());
            }
        }
    }

    @Override
    public String roleName()
    {
        return "ember-core";
    }

    private void handle(final Command command)
    {
        if (command.refusal != null)
        {
            // Refused by a transport before the journal: answered in order with the client's other calls.
            command.result.clear();
            finish(command);
            return;
        }
        if (command.digestQuery)
        {
            command.result.clear();
            command.result.number = state.lastIndex();
            command.result.value = state.digest();
            command.complete();
            return;
        }
        final SyscallRecord record = command.record;
        final SyscallType type = record.type;
        if (type == SyscallType.CLIENT_ATTACH)
        {
            record.pid = 0;
            if (journalAndApply(record, command.result))
            {
                final ClientSession session = new ClientSession((int)command.result.number, record.text);
                sessions.put(session.id(), session);
                command.session = session;
                finish(command);
            }
            else
            {
                refuse(command, failure != null ? failureRefusal() : "journal write failed");
            }
            return;
        }
        if (type == SyscallType.CLIENT_DETACH)
        {
            detach(command);
            return;
        }

        final ClientSession session = command.session;
        if (session == null || session.isDetached() || sessions.get(session.id()) != session)
        {
            refuse(command, "client is not attached");
            return;
        }
        record.client = session.id();
        final String invalid = SyscallValidator.check(record);
        if (invalid != null)
        {
            refuse(command, invalid);
            return;
        }
        if (!entitled(session, record.pid))
        {
            refuse(command, KernelError.PERMISSION_DENIED.message());
            return;
        }
        if (record.payload != null && record.payload.length > Math.min(state.limits().maxPayloadBytes(), maxJournaledPayload))
        {
            // Refused before the journal: an oversized payload is not worth journaling.
            refuse(command, KernelError.PAYLOAD_TOO_LARGE.message());
            return;
        }
        if (failure != null)
        {
            refuse(command, failureRefusal());
            return;
        }
        if (diskFull != null)
        {
            refuse(command, diskFull);
            return;
        }
        if (!journalAndApply(record, command.result))
        {
            refuse(command, failure != null ? failureRefusal() : diskFull != null ? diskFull :
                "journal write failed: the syscall was not performed");
            return;
        }
        if (type == SyscallType.PULL_EVENT && command.result.ok() &&
            command.result.kind == SyscallResult.Kind.NIL && record.number != 0)
        {
            park(command);
        }
        else
        {
            finish(command);
        }
        serveDeliverable();
    }

    private void detach(final Command command)
    {
        final int id = (int)command.record.arg0;
        command.record.pid = 0;
        final ClientSession session = sessions.remove(id);
        if (session != null)
        {
            session.markDetached();
            journalAndApply(command.record, command.result);
            dropWaitersOf(session);
        }
        finish(command);
    }

    /**
     * Journal then apply. The record's index and timestamp are assigned here.
     *
     * @return false when the record was not journaled, or may not be intact: nothing was applied.
     *     A full journal sets {@code diskFull}; any other failure but a record too large for the
     *     journal is fail-stop ({@link #fail}).
     */
    private boolean journalAndApply(final SyscallRecord record, final SyscallResult result)
    {
        if (failure != null)
        {
            result.clear();
            return false;
        }
        record.index = state.lastIndex() + 1;
        record.timestamp = Math.max(clock.nanoTime(), state.lastTimestamp());
        try
        {
            journal.append(record);
            if (config.sync() == SyncMode.ALWAYS)
            {
                journal.sync();
            }
        }
        catch (final ember.journal.JournalFullException ex)
        {
            setDiskFull(ex.getMessage());
            nextDiskCheckMs = System.currentTimeMillis() + 100; // retried by checkDisk
            result.clear();
            return false;
        }
        catch (final ember.journal.JournalException ex)
        {
            log.log("journal append refused at index " + record.index + ": " + ex.getMessage());
            result.clear();
            return false;
        }
        catch (final Throwable ex)
        {
            fail("journal append failed at index " + record.index + ": " + ex);
            result.clear();
            return false;
        }
        state.apply(record, result, this);
        return true;
    }

    private int pollTimers()
    {
        final int n = wheel.poll(clock.nanoTime(), expired);
        for (int i = 0; i < n; i++)
        {
            final long id = expired.getLong(i);
            final SyscallType type = PendingTimer.isAlarmId(id) ? SyscallType.ALARM_FIRED : SyscallType.TIMER_FIRED;
            kernelRecord.reset(type, 0).arg0 = id;
            if (!journalAndApply(kernelRecord, kernelResult))
            {
                wheel.schedule(id, clock.nanoTime()); // retry on a later poll; nothing was applied
            }
        }
        if (n > 0)
        {
            serveDeliverable();
        }
        return n;
    }

    /** A client acts for processes of its own user; root's clients for any. */
    private boolean entitled(final ClientSession session, final long pid)
    {
        if (KernelState.ROOT.equals(session.user()))
        {
            return true;
        }
        final ProcessEntry process = state.process(pid);
        return process == null || session.user().equals(process.user());
    }

    private void park(final Command command)
    {
        final double seconds = command.record.number;
        command.waitDeadlineNs = seconds < 0 || seconds * 1e9 >= Long.MAX_VALUE / 2 ?
            Long.MAX_VALUE : clock.nanoTime() + (long)(seconds * 1e9);
        waiters.computeIfAbsent(command.record.pid, pid -> new ArrayDeque<>()).addLast(command);
        waiting++;
        nextWaitDeadlineNs = Math.min(nextWaitDeadlineNs, command.waitDeadlineNs);
    }

    /** Retry parked pulls of processes that received events. */
    private void serveDeliverable()
    {
        while (!deliverable.isEmpty())
        {
            final long pid = deliverable.removeAt(deliverable.size() - 1);
            final ArrayDeque<Command> queue = waiters.get(pid);
            if (queue == null)
            {
                continue;
            }
            final Iterator<Command> it = queue.iterator();
            while (it.hasNext())
            {
                final Command command = it.next();
                if (!state.canPull(pid, command.record.names))
                {
                    continue;
                }
                if (!journalAndApply(command.record, command.result))
                {
                    break; // journal failing: leave the waiter parked, retried on the next event
                }
                it.remove();
                waiting--;
                finish(command);
            }
            if (queue.isEmpty())
            {
                waiters.remove(pid);
            }
        }
    }

    /** Answer nil to the waiting pulls whose time is up; scans only once the earliest is due. */
    private int expireWaiters()
    {
        final long now = clock.nanoTime();
        if (now < nextWaitDeadlineNs)
        {
            return 0;
        }
        nextWaitDeadlineNs = Long.MAX_VALUE;
        return removeWaiters(command ->
        {
            if (command.waitDeadlineNs > now)
            {
                nextWaitDeadlineNs = Math.min(nextWaitDeadlineNs, command.waitDeadlineNs);
                return false;
            }
            return true;
        }, command ->
        {
            command.result.clear(); // nil: no event arrived in time
            finish(command);
        });
    }

    private void dropWaitersOf(final ClientSession session)
    {
        removeWaiters(command -> command.session == session, command -> refuse(command, "client detached"));
    }

    /**
     * Remove the parked pulls that {@code which} selects and hand each to {@code then}.
     *
     * @return how many were removed.
     */
    private int removeWaiters(
        final java.util.function.Predicate<Command> which, final java.util.function.Consumer<Command> then)
    {
        int removed = 0;
        final Iterator<ArrayDeque<Command>> queues = waiters.values().iterator();
        while (queues.hasNext())
        {
            final ArrayDeque<Command> queue = queues.next();
            final Iterator<Command> it = queue.iterator();
            while (it.hasNext())
            {
                final Command command = it.next();
                if (which.test(command))
                {
                    it.remove();
                    waiting--;
                    removed++;
                    then.accept(command);
                }
            }
            if (queue.isEmpty())
            {
                queues.remove();
            }
        }
        return removed;
    }

    private void refuse(final Command command, final String message)
    {
        command.result.clear();
        command.refusal = message;
        if (closed)
        {
            command.complete(); // closing: no more duty cycles to batch in
        }
        else if (failure != null)
        {
            refusedAfterFailure.add(command); // answered by onClose, once the kernel has stopped
        }
        else
        {
            finish(command);
        }
    }

    // ---------------------------------------------------------------------------------------
    // KernelEffects: called by state.apply on this thread.
    // ---------------------------------------------------------------------------------------

    @Override
    public void onHandlerCall(final int client, final long pid, final long signal)
    {
        final ClientSession session = sessions.get(client);
        if (session != null)
        {
            session.offer(new HandlerCall(pid, signal));
        }
    }

    @Override
    public void onDeliverable(final long pid)
    {
        if (waiters.containsKey(pid))
        {
            deliverable.addLong(pid);
        }
    }

    @Override
    public void onProcessEnded(final long pid)
    {
        final ArrayDeque<Command> queue = waiters.remove(pid);
        if (queue != null)
        {
            for (final Command command : queue)
            {
                waiting--;
                command.result.clear();
                command.result.error = KernelError.NO_SUCH_PROCESS;
                finish(command);
            }
        }
    }

    @Override
    public void onTimerScheduled(final long id, final long deadlineNs)
    {
        wheel.schedule(id, deadlineNs);
    }

    @Override
    public void onTimerCancelled(final long id)
    {
        wheel.cancel(id);
    }

    @Override
    public void onDiagnostic(final String line)
    {
        log.log(line);
    }
}
