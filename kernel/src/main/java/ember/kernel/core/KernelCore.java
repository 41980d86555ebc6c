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
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.util.ArrayList;
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
 * Waiting {@code pullEvent} calls (apply reports them, {@link #onPullWaiting}) are parked in
 * {@link ParkedPulls} (not in the state: they belong to live clients) and retried, as journaled
 * pulls whose {@code arg0} is the index of the waiting record, when an event they may take arrives; a
 * pull that would park beyond {@code maxParkedPulls} of its process is refused with
 * {@code Permission denied} before the journal (the cap is live-only state, so the journal must
 * not depend on it: replay stays exact).
 * <p>
 * The core keeps the duty cycle and the journal → apply → answer sequence; each other concern is a
 * collaborator it owns, on its thread: {@link GroupCommit} (the sync policy: when the journal is
 * forced and a caller may be answered, the high-water mark), {@link DiskGuard} (refusing syscalls
 * while the journal's file system is too full), {@link SnapshotSchedule} (when to ask the
 * {@link SnapshotTaker} for a snapshot), {@link Checkpointer} (when to sign the chain head),
 * {@link ParkedPulls} (waiting pulls), {@link TimerWheel} (deadlines), {@link FailStop} (why it
 * stopped, and who is answered once it has) and {@link KernelCounters} (the live counters). The
 * kernel clock is read once at the start of each duty cycle for what the core decides by time
 * ({@code nowMs}: disk checks, snapshots, checkpoints); record timestamps and timer polls read the
 * configured clock as they happen.
 */
final class KernelCore implements Agent, KernelEffects, ParkedPulls.Server
{
    static final int INBOX_CAPACITY = 1 << 16;
    /**
     * Test-only seam for the deterministic simulator (module sim): null in production, where it
     * costs one volatile read at each point it is consulted. See {@link CoreProbe}.
     */
    static volatile CoreProbe probe;
    private static final int DRAIN_LIMIT = 1024;

    private final ManyToOneConcurrentArrayQueue<Command> inbox = new ManyToOneConcurrentArrayQueue<>(INBOX_CAPACITY);
    private final KernelState state;
    private final JournalWriter journal;
    private final EpochNanoClock clock;
    /** {@link #clock} when it is the default clock, which derives the kernel time from a monotonic read; else null. */
    private final KernelClock kernelClock;
    private final KernelLog log;
    private final TimerWheel wheel;
    private final Int2ObjectHashMap<ClientSession> sessions = new Int2ObjectHashMap<>();
    private final ParkedPulls parked;
    private final LongArrayList expired = new LongArrayList();
    private final SyscallRecord kernelRecord = new SyscallRecord();
    private final SyscallResult kernelResult = new SyscallResult();
    /** A checkpoint's apply result: a checkpoint may be journaled just before another record, whose result must stay. */
    private final SyscallResult checkpointResult = new SyscallResult();
    private final KernelLimits limits;
    private final KernelConfig config;
    private final SnapshotStore snapshots;
    private final SnapshotTaker snapshotTaker;
    private final SnapshotSchedule snapshotSchedule;
    private final JournalHighWater highWater;
    private final FailStop failStop;
    private final GroupCommit commit;
    private final DiskGuard disk;
    private final KernelCounters counters;
    private final Checkpointer checkpointer;
    /** The command {@link #handle} is running; when a fault escapes it, onClose answers its caller. Core thread. */
    private Command handling;
    private final int maxJournaledPayload;
    /**
     * The kernel clock (epoch ns), read once per duty cycle, and the same in ms: every timer, deadline
     * and checkpoint of the cycle takes this time; only a record's timestamp is read as it is
     * journaled (every time the core reads comes from {@link #clock}). Core thread.
     */
    private long nowNs;
    private long nowMs;
    /** The {@code System.nanoTime()} the kernel time of the cycle was read with. Core thread. */
    private long monotonicNs;
    private volatile boolean closed;
    /** Set by {@link #onPullWaiting} during the apply of the record just journaled. Core thread. */
    private boolean pullWaiting;
    /** Hoisted: a method reference made in the duty cycle would be a new object every cycle. */
    private final java.util.function.Consumer<Command> onCommand = this::handle;

    KernelCore(
        final KernelState state, final JournalWriter journal, final KernelLog log, final KernelConfig config,
        final SnapshotStore snapshots, final SnapshotTaker snapshotTaker, final JournalHighWater highWater,
        final KernelCounters counters, final Checkpointer checkpointer)
    {
        this.checkpointer = checkpointer;
        this.counters = counters;
        this.limits = config.limits();
        this.state = state;
        this.journal = journal;
        this.clock = config.clock();
        this.kernelClock = clock instanceof KernelClock defaultClock ? defaultClock : null;
        this.log = log;
        this.config = config;
        this.snapshots = snapshots;
        this.snapshotTaker = snapshotTaker;
        this.highWater = highWater;
        // A payload must also fit one journal record (a quarter of a Chronicle block), with room for the rest.
        this.maxJournaledPayload = ember.journal.JournalWriter.maxRecordBytes(config.blockSize()) - 8 * 1024;
        readClock(System.nanoTime());
        this.snapshotSchedule = new SnapshotSchedule(config.snapshotEvery(), config.snapshotIntervalMs(),
            state.lastIndex(), nowMs);
        this.failStop = new FailStop(log);
        this.commit = new GroupCommit(config.sync(), journal, highWater, failStop, this::refuse);
        this.disk = new DiskGuard(ember.journal.Journal.queueDir(config.dir()), config.blockSize(), journal, log);
        this.wheel = new TimerWheel(nowNs);
        this.parked = new ParkedPulls(config.maxParkedPulls(), this);
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
        snapshotTaker.start();
        checkpointer.start();
        readClock(System.nanoTime());
        kernelRecord.reset(SyscallType.KERNEL_OPEN, 0).text = limits.encode();
        if (!journalAndApply(kernelRecord, kernelResult))
        {
            fail(disk.isFull() ? "cannot write the journal: " + disk.refusal() :
                "cannot write the journal at index " + kernelRecord.index);
            throw new org.agrona.concurrent.AgentTerminationException(failStop.failure());
        }
    }

    /**
     * @return why the core stopped itself (a journal fault, an error on its thread), or null
     *     while it runs or after a normal close. Any thread.
     */
    String failure()
    {
        return failStop.failure();
    }

    /** @param action run on the core thread once it has stopped after a failure (journal closed). */
    void onFailureStop(final Runnable action)
    {
        failStop.onStop(action);
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
            fail("error on the core thread after index " + state.lastIndex() + ": " + error, error);
        }
        else
        {
            log.error("error on the core thread: " + error, error);
        }
    }

    /** Fail-stop: record why (first failure wins); the duty cycle then ends the core. Core thread. */
    private void fail(final String why)
    {
        fail(why, null);
    }

    /**
     * Fail-stop, as {@link #fail(String)}; an unexpected error that caused it (null for none)
     * also goes to the errors file with its stack trace.
     */
    private void fail(final String why, final Throwable error)
    {
        failStop.fail(why, error);
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

    /**
     * Read the kernel clock for what follows (a duty cycle, or the closing records).
     *
     * @param monotonicNs a {@code System.nanoTime()} reading just taken: with the default
     *                    {@link KernelClock} the kernel time comes from it, with no second read.
     */
    private void readClock(final long monotonicNs)
    {
        this.monotonicNs = monotonicNs;
        nowNs = kernelClock != null ? kernelClock.at(monotonicNs) : clock.nanoTime();
        nowMs = nowNs / 1_000_000;
    }

    /** Core thread only: the kernel clock in epoch ms, as this duty cycle read it (one read per cycle). */
    long dutyCycleTimeMs()
    {
        return nowMs;
    }

    /** Core thread only: the monotonic reading this duty cycle's time came from. */
    long dutyCycleMonotonicNs()
    {
        return monotonicNs;
    }

    /**
     * Core thread only: handle {@code command} now, exactly as if it had been drained from the
     * inbox (same checks, same fail-stop when a fault escapes). For an agent composed with the
     * core, which must never offer into the inbox it is the only drainer of.
     */
    void serveNow(final Command command)
    {
        try
        {
            handle(command);
        }
        catch (final Throwable ex)
        {
            fail("core failed after index " + state.lastIndex() + ": " + ex, ex); // the next duty cycle stops the core
        }
    }

    boolean isClosed()
    {
        return closed;
    }

    @Override
    public int doWork()
    {
        // The cycle's one monotonic read: its duration (counters only) and, with the default clock,
        // the kernel time too. Every timer and deadline of the cycle takes that one time.
        final long startNs = System.nanoTime();
        int work = 0;
        readClock(startNs);
        try
        {
            disk.check(nowMs);
            work = inbox.drain(onCommand, DRAIN_LIMIT);
            counters.onInboxDrained(work);
            work += pollTimers();
            if (parked.size() > 0)
            {
                work += expireWaiters();
            }
            maybeCheckpoint(false);
            if (commit.hasUnsynced())
            {
                commit.commit(state.lastIndex());
            }
            commit.markHighWater(state.lastIndex());
            maybeSnapshot();
            // An idle cycle is not timed: a second clock read would lengthen every idle cycle, and
            // so the wait of the request that arrives during it.
            counters.onDutyCycle(state.lastIndex(), snapshotTaker.lastWrittenIndex(), parked.size(),
                startNs, work > 0 ? System.nanoTime() : startNs);
        }
        catch (final Throwable ex)
        {
            fail("core failed after index " + state.lastIndex() + ": " + ex, ex);
        }
        if (failStop.failed())
        {
            throw new org.agrona.concurrent.AgentTerminationException(failStop.failure()); // the runner then calls onClose
        }
        return work;
    }

    /** Answer a command now, or after the batch's msync in SyncMode.BATCH. */
    private void finish(final Command command)
    {
        final CoreProbe p = probe;
        if (p != null)
        {
            p.beforeAnswer(command);
        }
        counters.onAnswer(command);
        commit.answer(command);
    }

    /**
     * Checkpoints, signed off the core thread ({@link Checkpointer}, {@link CheckpointSigner}):
     * journal the outstanding one when its signature is back, then ask for the next when one is due
     * ({@link CheckpointPolicy}). A refused append (full disk) is tried again on a later duty cycle.
     * Closing: the outstanding one is waited for and journaled, then the closing one is signed on
     * this thread, covering the last record.
     */
    private void maybeCheckpoint(final boolean closing)
    {
        if (failStop.failed() || disk.isFull())
        {
            return;
        }
        journalSignedCheckpoint(closing);
        if (closing)
        {
            final SyscallRecord last = checkpointer.closing(journal.chain(), nowNs);
            if (last != null && journalAndApply(last, checkpointResult))
            {
                checkpointer.written(last.index);
            }
        }
        else if (checkpointer.due(state.lastIndex(), nowMs) &&
            checkpointer.request(journal.chain(), nowNs, nowMs))
        {
            journalSignedCheckpoint(true); // a driven kernel: at once, as a synchronous signature would
        }
    }

    /**
     * Journal the outstanding checkpoint if it is signed (waiting for it when {@code wait}).
     *
     * @return false when one is outstanding and could not be journaled (not signed yet, or refused).
     */
    private boolean journalSignedCheckpoint(final boolean wait)
    {
        final SyscallRecord signed = checkpointer.signed(wait);
        if (signed == null)
        {
            return !wait;
        }
        if (journalAndApply(signed, checkpointResult))
        {
            checkpointer.written(signed.index);
            return true;
        }
        return false;
    }

    /**
     * Ask for a periodic snapshot when one is due. The core only posts the index: the state is
     * rebuilt, encoded and written by the {@link SnapshotTaker} on its own thread. While one is
     * still being taken the request is refused and made again on a later duty cycle.
     */
    private void maybeSnapshot()
    {
        if (snapshotSchedule.due(state.lastIndex(), nowMs) &&
            snapshotTaker.request(state.lastIndex(), journal.lastChronicleIndex()))
        {
            snapshotSchedule.requested(state.lastIndex(), nowMs);
        }
    }

    /**
     * Any thread: whether no periodic snapshot is asked for or being taken. The simulator waits for
     * this after each duty cycle, so that which snapshots exist does not depend on thread timing.
     */
    boolean snapshotIdle()
    {
        return snapshotTaker.idle();
    }

    /**
     * Any thread, before closing: stop the snapshot thread (abandoning a snapshot in progress), so
     * that closing does not wait for it on the core thread.
     */
    void stopSnapshots()
    {
        snapshotTaker.close();
    }

    /**
     * Core thread, last thing. After a failure the callers still waiting are answered only once
     * the journal is closed and the directory lock released: whoever sees the error can reopen.
     */
    @Override
    public void onClose()
    {
        closed = true;
        readClock(System.nanoTime());
        final List<Command> left = new ArrayList<>();
        failStop.drainRefusedTo(left);
        inbox.drainTo(left, Integer.MAX_VALUE);
        Command waiter;
        while ((waiter = parked.pollAny()) != null)
        {
            left.add(waiter);
        }
        if (!failStop.failed())
        {
            for (final Command command : left)
            {
                refuse(command, "kernel closed");
            }
            left.clear();
            try
            {
                maybeCheckpoint(true); // the journal of a clean close ends signed
            }
            catch (final RuntimeException ex)
            {
                log.error("checkpoint at close failed: " + ex, ex); // the journal ends unsigned; it is still closed
            }
            if (commit.hasUnsynced())
            {
                commit.commit(state.lastIndex());
            }
        }
        else
        {
            commit.drainUnsyncedTo(left); // never msynced: not acknowledged
            if (handling != null && !handling.isDone() && !left.contains(handling)) // not parked meanwhile
            {
                left.add(handling); // a fault escaped while handling it (an apply that threw): never answered
            }
            handling = null;
        }
        checkpointer.stop(); // after a failure: the outstanding request, if any, is dropped
        commit.markHighWater(state.lastIndex());
        snapshotTaker.close(); // abandons a periodic snapshot in progress: the closing one supersedes it
        if (!failStop.failed() && config.snapshotOnClose() && state.lastIndex() > snapshotTaker.lastWrittenIndex())
        {
            // Closing: no caller waits any more, so the core encodes its own state directly.
            try
            {
                snapshots.write(state.lastIndex(), journal.lastChronicleIndex(), journal.chain().head(),
                    ember.kernel.state.SnapshotCodec.encode(state));
            }
            catch (final RuntimeException | OutOfMemoryError ex)
            {
                log.error("snapshot at close failed: " + SnapshotTaker.describe(ex), ex);
            }
        }
        highWater.close();
        try
        {
            journal.close();
        }
        catch (final Throwable ex)
        {
            log.error("journal close failed: " + ex, ex); // after a fault: closed as far as it goes
        }
        log.log((!failStop.failed() ? "kernel closed: " : "kernel stopped after a failure: ") +
            KernelLog.digestTokens(state.lastIndex(), state.digest()));
        log.close();
        counters.close();
        if (failStop.failed())
        {
            failStop.stopped();
            for (final Command command : left)
            {
                refuse(command, failStop.refusal());
            }
        }
    }

    /**
     * Simulated process death (deterministic simulator): drop the core as a killed process would,
     * without {@link #onClose}: no caller is answered, no closing snapshot or log line is written,
     * nothing is synced; only this JVM's mappings and threads of this kernel are released (what the
     * OS does for a dead process), the pages already written staying in the journal files.
     * The thread that drives the core, after its last duty cycle.
     */
    void abandon()
    {
        closed = true;
        checkpointer.stop();
        snapshotTaker.close();
        highWater.close();
        try
        {
            journal.close();
        }
        catch (final Throwable ex)
        {
            // as good as dead
        }
        log.close();
        counters.close();
    }

    @Override
    public String roleName()
    {
        return "ember-core";
    }

    private void handle(final Command command)
    {
        handling = command;
        handleCommand(command);
        handling = null;
    }

    private void handleCommand(final Command command)
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
            final CoreProbe p = probe;
            if (p != null)
            {
                p.onDigestQuery(state);
            }
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
                counters.onAttach(session, record.names, command.clientOsPid, sessions.size());
                command.session = session;
                finish(command);
            }
            else
            {
                refuse(command, failStop.failed() ? failStop.refusal() : "journal write failed");
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
        if (command.query != null)
        {
            answerQuery(command);
            return;
        }
        final String invalid = SyscallValidator.check(record);
        if (invalid != null)
        {
            refuse(command, invalid);
            return;
        }
        if (record.payload != null && record.payload.length > Math.min(state.limits().maxPayloadBytes(), maxJournaledPayload))
        {
            // Refused before the journal: an oversized payload is not worth journaling.
            refuse(command, KernelError.PAYLOAD_TOO_LARGE.message());
            return;
        }
        if (failStop.failed())
        {
            refuse(command, failStop.refusal());
            return;
        }
        if (disk.isFull())
        {
            refuse(command, disk.refusal());
            return;
        }
        if (type == SyscallType.PULL_EVENT && wouldParkOverLimit(record))
        {
            refuse(command, KernelError.PERMISSION_DENIED.message());
            return;
        }
        if (type == SyscallType.PULL_EVENT)
        {
            record.arg0 = 0; // a fresh pull: only the core links a completing pull to its waiting record
        }
        if (!journalAndApply(record, command.result))
        {
            refuse(command, failStop.failed() ? failStop.refusal() : disk.isFull() ? disk.refusal() :
                "journal write failed: the syscall was not performed");
            return;
        }
        if (pullWaiting)
        {
            // Apply said the pull waits: park it; when it can take an event it is journaled again,
            // its arg0 naming this record, so readers see which wait it completes.
            record.arg0 = record.index;
            parked.park(command, nowNs);
        }
        else
        {
            finish(command);
        }
        parked.serve();
    }

    /**
     * A read-only process query: answered from the state, with no record (the shell's own
     * bookkeeping stays out of the audit trail), so a full disk does not refuse it; a failed kernel
     * does. One exception: a query refused with {@code Permission denied} is journaled as the
     * syscall it stands for ({@link ProcessQuery#audited()}), which apply refuses alike — attempts
     * to act for another user's process stay in the audit trail. Answered through {@link #finish}:
     * under SyncMode.BATCH after the duty cycle's msync, so it never shows state whose records are
     * not yet durable.
     */
    private void answerQuery(final Command command)
    {
        if (failStop.failed())
        {
            refuse(command, failStop.refusal());
            return;
        }
        final SyscallRecord record = command.record;
        command.query.answer(state, record.pid, record.client, command.result);
        if (command.result.error == KernelError.PERMISSION_DENIED)
        {
            final int client = record.client;
            record.reset(command.query.audited(), record.pid).client = client;
            if (disk.isFull() || !journalAndApply(record, command.result))
            {
                refuse(command, failStop.failed() ? failStop.refusal() : disk.isFull() ? disk.refusal() :
                    "journal write failed: the syscall was not performed");
                return;
            }
        }
        finish(command);
    }

    private void detach(final Command command)
    {
        final int id = (int)command.record.arg0;
        command.record.pid = 0;
        final ClientSession session = sessions.remove(id);
        if (session != null)
        {
            session.markDetached();
            counters.onDetach(session, sessions.size());
            journalAndApply(command.record, command.result);
            dropWaitersOf(session);
        }
        finish(command);
    }

    /**
     * Journal then apply. The record's index and timestamp are assigned here.
     *
     * @return false when the record was not journaled, or may not be intact: nothing was applied.
     *     A full journal makes the {@link DiskGuard} refuse; any other failure but a record too large for the
     *     journal is fail-stop ({@link #fail}).
     */
    private boolean journalAndApply(final SyscallRecord record, final SyscallResult result)
    {
        if (failStop.failed())
        {
            result.clear();
            return false;
        }
        if (record.type != SyscallType.CHECKPOINT && checkpointer.mustWait(state.lastIndex() + 1) &&
            !journalSignedCheckpoint(true))
        {
            // The lag bound (Checkpoint.MAX_LAG): readers check a checkpoint only that close to what it covers.
            result.clear();
            return false;
        }
        record.index = state.lastIndex() + 1;
        // The one read per record: an auditor tells the records of one duty cycle apart by time
        // (replay-tool's --from/--to TIME), so each takes the clock as it is journaled.
        record.timestamp = Math.max(clock.nanoTime(), state.lastTimestamp());
        try
        {
            counters.onJournaled(journal.append(record));
            commit.afterAppend(record.index);
        }
        catch (final ember.journal.JournalFullException ex)
        {
            disk.onJournalFull(ex, nowMs); // checked again by the duty cycle's disk check
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
            fail("journal append failed at index " + record.index + ": " + ex, ex);
            result.clear();
            return false;
        }
        pullWaiting = false;
        state.apply(record, result, this);
        return true;
    }

    private int pollTimers()
    {
        final int n = wheel.poll(nowNs, expired);
        for (int i = 0; i < n; i++)
        {
            final long id = expired.getLong(i);
            final SyscallType type = PendingTimer.isAlarmId(id) ? SyscallType.ALARM_FIRED : SyscallType.TIMER_FIRED;
            kernelRecord.reset(type, 0).arg0 = id;
            if (!journalAndApply(kernelRecord, kernelResult))
            {
                wheel.schedule(id, nowNs); // retry on a later poll; nothing was applied
            }
        }
        if (n > 0)
        {
            parked.serve();
        }
        return n;
    }

    /**
     * The cap on parked pulls, decided before the journal: a pull that would wait (it has a
     * timeout and nothing it may take is deliverable now) while its process already has the most
     * parked pulls allowed. Not journaled, so the journal never depends on live-only state.
     */
    private boolean wouldParkOverLimit(final SyscallRecord record)
    {
        return record.number != 0 && parked.isFull(record.pid) && !state.canPull(record.pid, record.names);
    }

    /** ParkedPulls.Server: journal a parked pull again once it can take an event, then answer it. */
    @Override
    public int tryServe(final Command command)
    {
        if (!state.canPull(command.record.pid, command.record.names))
        {
            return ParkedPulls.Server.NOT_READY;
        }
        if (!journalAndApply(command.record, command.result))
        {
            return ParkedPulls.Server.STOP; // journal failing: the pull stays parked, retried on a later event
        }
        finish(command);
        return ParkedPulls.Server.SERVED;
    }

    /** ParkedPulls.Server: what a continued process has queued, head first. */
    @Override
    public void queuedNames(final long pid, final List<String> into)
    {
        final ProcessEntry process = state.process(pid);
        if (process != null && !process.isStopped())
        {
            for (final ember.kernel.state.Event event : process.queue())
            {
                into.add(event.name());
            }
        }
    }

    /** Answer nil to the parked pulls whose time is up, earliest deadline first. */
    private int expireWaiters()
    {
        final long now = nowNs;
        int expiredPulls = 0;
        Command command;
        while ((command = parked.pollExpired(now)) != null)
        {
            command.result.clear(); // nil: no event arrived in time
            finish(command);
            expiredPulls++;
        }
        return expiredPulls;
    }

    private void dropWaitersOf(final ClientSession session)
    {
        Command command;
        while ((command = parked.pollSession(session.id())) != null)
        {
            refuse(command, "client detached");
        }
    }

    private void refuse(final Command command, final String message)
    {
        command.result.clear();
        command.refusal = message;
        if (closed)
        {
            command.complete(); // closing: no more duty cycles to batch in
        }
        else if (failStop.failed())
        {
            failStop.deferAnswer(command); // answered by onClose, once the kernel has stopped
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
    public void onEventQueued(final long pid, final ember.kernel.state.Event event, final boolean deliverable)
    {
        final ProcessEntry process = state.process(pid);
        if (process != null)
        {
            counters.onEventQueueDepth(process.queued());
        }
        KernelEffects.super.onEventQueued(pid, event, deliverable); // a deliverable event: onEventQueued(pid, name)
    }

    @Override
    public void onEventQueued(final long pid, final String name)
    {
        parked.onEventQueued(pid, name);
    }

    @Override
    public void onDeliverable(final long pid)
    {
        parked.onDeliverable(pid);
    }

    @Override
    public void onPullWaiting(final long pid)
    {
        pullWaiting = true;
    }

    @Override
    public void onProcessEnded(final long pid)
    {
        Command command;
        while ((command = parked.pollEnded(pid)) != null)
        {
            command.result.clear();
            command.result.error = KernelError.NO_SUCH_PROCESS;
            finish(command);
        }
    }

    @Override
    public void onTimerScheduled(final long id, final long deadlineNs)
    {
        final CoreProbe p = probe;
        wheel.schedule(id, p == null ? deadlineNs : p.wheelDeadline(id, deadlineNs));
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
