package ember.kernel.state;

import ember.journal.SyscallRecord;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The whole kernel state and the one function that changes it: {@link #apply}.
 * <p>
 * {@code apply} is a pure function of (state, record): it reads no clock, no randomness and no
 * files, and never iterates in hash order where order matters, so applying records 1..N to a
 * fresh state always gives the same state (same {@link #digest()}). Live kernel and replay use
 * this same code; they differ only in the {@link KernelEffects} they pass.
 * <p>
 * Thread ownership: the thread that applies records owns the state; no other thread may read it
 * while records are being applied.
 */
public final class KernelState
{
    public static final long INIT_PID = 1;
    public static final String ROOT = "root";

    // Package-private for SnapshotCodec, the only other code that may build a state.
    final Long2ObjectHashMap<ProcessEntry> processes = new Long2ObjectHashMap<>();
    /** Registered service names to pids; primitive values, no boxed Long per lookup (the missing value is 0, never a pid). */
    final org.agrona.collections.Object2LongHashMap<String> services = new org.agrona.collections.Object2LongHashMap<>(0);
    final Long2ObjectHashMap<PendingTimer> timers = new Long2ObjectHashMap<>();
    /** Attached client id → the kernel user it acts as (from its clientAttach record). */
    final Int2ObjectHashMap<String> clients = new Int2ObjectHashMap<>();
    /** Live processes per user (derived: rebuilt from processes by snapshots, not in the digest). */
    /** Live processes per user: a counter map, no boxed Integer per spawn or end. */
    final org.agrona.collections.Object2IntCounterMap<String> userCounts = new org.agrona.collections.Object2IntCounterMap<>(0);
    KernelLimits limits = KernelLimits.DEFAULTS;
    long nextPid = 2;
    long timerCount;
    int clientCount;
    long lastIndex;
    long lastTimestamp;

    /** A fresh kernel: pid 1, {@code init}, user {@code root}, parent 0. */
    public KernelState()
    {
        processes.put(INIT_PID, new ProcessEntry(INIT_PID, "init", ROOT, 0));
        userCounts.put(ROOT, 1);
    }

    /**
     * Test-only fault injection ({@code ApplyFailureTest}): when set, {@link #apply} calls it with each
     * record once the record's index is taken, and what it throws escapes apply as any fault in apply
     * would. Null, never set, in production.
     */
    static volatile java.util.function.Consumer<SyscallRecord> applyFault;

    /**
     * Apply one record. Single-threaded: the thread that owns this state (the kernel's core, a
     * replay, a snapshot follower).
     * <p>
     * Errors: a syscall's own errors are outcomes, set in {@code result}, never thrown. An exception
     * that escapes apply is a fault (a bug, an {@link Error}) and leaves this state undefined, partly
     * applied, with {@link #lastIndex()} already {@code record.index}; it must not be used again. The
     * kernel's core then fail-stops: its log says {@code core failed after index N: …; the kernel stops
     * (fail-stop)} with N the record's index, the caller of that syscall and every waiting caller (parked
     * pulls included) are answered with an error, never acknowledged, and the directory lock is
     * released. The record is already in the journal: reopening recovers the state a replay of the
     * journal gives, that record applied again (a fault that follows from the journal alone recurs
     * in that replay).
     *
     * @param record  the record, already in the journal.
     * @param result  filled with the syscall's outcome.
     * @param effects told what the outside world must do.
     */
    public void apply(final SyscallRecord record, final SyscallResult result, final KernelEffects effects)
    {
        result.clear();
        lastIndex = record.index;
        lastTimestamp = record.timestamp;
        final java.util.function.Consumer<SyscallRecord> fault = applyFault;
        if (fault != null)
        {
            fault.accept(record);
        }

        switch (record.type)
        {
            case KERNEL_OPEN:
                limits = KernelLimits.decode(record.text);
                clients.clear();
                effects.onKernelOpened(limits);
                return;
            case CLIENT_ATTACH:
                clients.put(++clientCount, record.text == null ? ROOT : record.text);
                result.number(clientCount);
                effects.onClientAttached(clientCount, clients.get(clientCount));
                return;
            case CLIENT_DETACH:
                clients.remove((int)record.arg0);
                effects.onClientDetached((int)record.arg0);
                return;
            case TIMER_FIRED:
            case ALARM_FIRED:
                fire(record.arg0, effects);
                return;
            case CHECKPOINT:
                return; // the kernel's signature over the hash chain: changes no state (only the index, as every record)
            default:
                break;
        }

        final ProcessEntry caller = processes.get(record.pid);
        if (caller == null)
        {
            result.fail(KernelError.NO_SUCH_PROCESS);
            return;
        }
        if (!entitled(record.client, caller))
        {
            // A client acts only for processes of its own kernel user (root's clients for any): the
            // attempt is journaled, so the audit trail shows it, and changes nothing.
            result.fail(KernelError.PERMISSION_DENIED);
            return;
        }

        switch (record.type)
        {
            case SPAWN:
                spawn(caller, record.text, result, effects);
                break;
            case EXIT:
                if (caller.pid == INIT_PID)
                {
                    result.fail(KernelError.PERMISSION_DENIED);
                }
                else
                {
                    end(caller, EndCause.EXIT, Event.completedWithCode(caller.pid, record.arg0), effects);
                }
                break;
            case GETPID:
                result.number(caller.pid);
                break;
            case GETPPID:
                result.number(caller.parent);
                break;
            case GETUSER:
                result.object(SyscallResult.Kind.STRING, caller.user);
                break;
            case SETUSER:
                if (!ROOT.equals(caller.user))
                {
                    result.fail(KernelError.PERMISSION_DENIED);
                }
                else
                {
                    final String from = caller.user;
                    countUser(caller.user, -1);
                    caller.user = record.text;
                    countUser(caller.user, 1);
                    effects.onUserChanged(caller.pid, from, caller.user);
                }
                break;
            case GETPLIST:
                result.object(SyscallResult.Kind.PIDS, pids());
                break;
            case GETPINFO:
            {
                final ProcessEntry target = processes.get(record.arg0);
                if (target != null)
                {
                    result.object(SyscallResult.Kind.INFO, target.info());
                }
                break;
            }
            case REGISTER:
                if (services.containsKey(record.text))
                {
                    result.bool(false);
                }
                else
                {
                    services.put(record.text, caller.pid);
                    caller.services.add(record.text);
                    result.bool(true);
                    effects.onServiceRegistered(record.text, caller.pid);
                }
                break;
            case LOOKUP:
            {
                final long pid = services.getValue(record.text);
                if (pid != services.missingValue())
                {
                    result.number(pid);
                }
                break;
            }
            case QUEUE_EVENT:
                if (record.payload.length > limits.maxPayloadBytes())
                {
                    result.fail(KernelError.PAYLOAD_TOO_LARGE);
                }
                else if (caller.queue.size() >= limits.maxQueueLength())
                {
                    result.fail(KernelError.EVENT_QUEUE_FULL);
                }
                else
                {
                    enqueue(caller, Event.plain(record.text, record.payload), effects);
                }
                break;
            case PEEK_EVENT:
                if (!caller.stopped && !caller.queue.isEmpty())
                {
                    result.object(SyscallResult.Kind.EVENT, caller.queue.peekFirst());
                }
                break;
            case PULL_EVENT:
                pull(caller, record.names, result, effects);
                if (result.kind == SyscallResult.Kind.NIL && record.number != 0)
                {
                    effects.onPullWaiting(caller.pid);
                }
                break;
            case SEND_EVENT:
                send(caller, record, result, effects);
                break;
            case KILL:
                kill(caller, record.arg0, record.arg1, result, effects);
                break;
            case SIGNAL:
            {
                final Disposition from = caller.disposition(record.arg0);
                if (record.arg1 != 0)
                {
                    if (record.arg0 != Disposition.SIGKILL)
                    {
                        caller.overrides.put(record.arg0, record.client);
                    }
                }
                else if (record.arg0 != Disposition.SIGKILL)
                {
                    caller.overrides.put(record.arg0, ProcessEntry.REMOVED);
                }
                effects.onDispositionSet(caller.pid, record.arg0, from, caller.disposition(record.arg0),
                    caller.handlerOwner(record.arg0));
                break;
            }
            case TIMER:
            {
                if (caller.timers.size() >= limits.maxTimersPerProcess())
                {
                    result.fail(KernelError.PERMISSION_DENIED);
                    break;
                }
                final double nanos = Math.max(0, record.number) * 1e9;
                final long deadline = nanos >= Long.MAX_VALUE - record.timestamp ?
                    Long.MAX_VALUE : record.timestamp + (long)Math.ceil(nanos);
                result.number(schedule(caller, ++timerCount, deadline, effects));
                break;
            }
            case ALARM:
                if (caller.timers.size() >= limits.maxTimersPerProcess())
                {
                    result.fail(KernelError.PERMISSION_DENIED);
                    break;
                }
                result.number(schedule(caller, PendingTimer.ALARM_BIT + ++timerCount,
                    AlarmClock.nextDeadline(record.timestamp, record.number), effects));
                break;
            case CANCEL:
            {
                final PendingTimer timer = timers.get(record.arg0);
                if (timer != null && timer.pid() == caller.pid)
                {
                    timers.remove(record.arg0);
                    caller.timers.remove(record.arg0);
                    effects.onTimerCancelled(timer, TimerCancelCause.CANCEL);
                }
                break;
            }
            default:
                throw new IllegalStateException("unhandled record type " + record.type);
        }
    }

    private void spawn(
        final ProcessEntry caller, final String name, final SyscallResult result, final KernelEffects effects)
    {
        if (processes.size() >= limits.maxProcesses() ||
            userCounts.get(caller.user) >= limits.maxProcessesPerUser())
        {
            result.fail(KernelError.PERMISSION_DENIED);
            return;
        }
        countUser(caller.user, 1);
        final long pid = nextPid++;
        final ProcessEntry child = new ProcessEntry(pid, name != null ? name : caller.name, caller.user, caller.pid);
        processes.put(pid, child);
        result.number(pid);
        effects.onProcessSpawned(child);
    }

    private void pull(
        final ProcessEntry caller, final String[] names, final SyscallResult result, final KernelEffects effects)
    {
        if (caller.stopped)
        {
            return;
        }
        final Iterator<Event> it = caller.queue.iterator();
        while (it.hasNext())
        {
            final Event event = it.next();
            if (matches(names, event.name()))
            {
                it.remove();
                result.object(SyscallResult.Kind.EVENT, event);
                effects.onPullSatisfied(caller.pid, event);
                return;
            }
        }
    }

    private static boolean matches(final String[] names, final String name)
    {
        if (names == null || names.length == 0)
        {
            return true;
        }
        for (final String candidate : names)
        {
            if (candidate.equals(name))
            {
                return true;
            }
        }
        return false;
    }

    private void send(final ProcessEntry caller, final SyscallRecord record, final SyscallResult result, final KernelEffects effects)
    {
        if (record.payload.length > limits.maxPayloadBytes())
        {
            result.fail(KernelError.PAYLOAD_TOO_LARGE);
            return;
        }
        final ProcessEntry target = processes.get(record.arg0);
        if (target == null || target.queue.size() >= limits.maxQueueLength())
        {
            result.bool(false);
            return;
        }
        enqueue(target, Event.remote(caller.pid, record.text, record.payload), effects);
        result.bool(true);
    }

    private void kill(
        final ProcessEntry caller, final long pid, final long signal, final SyscallResult result, final KernelEffects effects)
    {
        final ProcessEntry target = processes.get(pid);
        if (target == null)
        {
            result.fail(KernelError.NO_SUCH_PROCESS);
            return;
        }
        if (!ROOT.equals(caller.user) && !caller.user.equals(target.user))
        {
            result.fail(KernelError.PERMISSION_DENIED);
            return;
        }
        if (signal == Disposition.SIGKILL)
        {
            if (target.pid == INIT_PID)
            {
                result.fail(KernelError.PERMISSION_DENIED);
                return;
            }
            end(target, EndCause.KILL, Event.completedBySignal(target.pid, signal), effects);
            return;
        }

        if (signal == Disposition.SIGCONT && target.stopped)
        {
            target.stopped = false;
            final long[] held = target.heldSignals.toLongArray();
            target.heldSignals.clear();
            effects.onContinued(target.pid, held.length);
            for (final long heldSignal : held)
            {
                runHandler(target, heldSignal, effects);
            }
            effects.onDeliverable(target.pid);
        }

        switch (target.disposition(signal))
        {
            case HANDLER:
                if (target.stopped)
                {
                    target.heldSignals.addLong(signal);
                    effects.onHandlerHeld(target.pid, signal);
                }
                else
                {
                    runHandler(target, signal, effects);
                }
                break;
            case TERMINATE:
            case TERMINATE_WITH_DIAGNOSTIC:
                if (target.pid == INIT_PID)
                {
                    enqueue(target, Event.signal(signal), effects);
                }
                else
                {
                    if (target.disposition(signal) == Disposition.TERMINATE_WITH_DIAGNOSTIC)
                    {
                        effects.onDiagnostic("process " + target.pid + " (" + target.name + ", user " + target.user +
                            ") terminated by signal " + signal + " from process " + caller.pid);
                    }
                    end(target, EndCause.DISPOSITION, Event.completedBySignal(target.pid, signal), effects);
                }
                break;
            case STOP:
                if (target.pid == INIT_PID)
                {
                    enqueue(target, Event.signal(signal), effects);
                }
                else
                {
                    final boolean wasStopped = target.stopped;
                    target.stopped = true;
                    if (!wasStopped)
                    {
                        effects.onStopped(target.pid); // stopping a stopped process changes nothing outside
                    }
                }
                break;
            case QUEUE:
            default:
                enqueue(target, Event.signal(signal), effects);
                break;
        }
    }

    /** Run the handler of {@code signal} in {@code target}, or queue the signal when its owner is gone. */
    private void runHandler(final ProcessEntry target, final long signal, final KernelEffects effects)
    {
        final int owner = target.handlerOwner(signal);
        if (owner != 0 && clients.containsKey(owner))
        {
            effects.onHandlerCall(owner, target.pid, signal);
        }
        else
        {
            enqueue(target, Event.signal(signal), effects);
        }
    }

    private void enqueue(final ProcessEntry target, final Event event, final KernelEffects effects)
    {
        target.queue.addLast(event);
        effects.onEventQueued(target.pid, event, !target.stopped);
    }

    private long schedule(final ProcessEntry caller, final long id, final long deadline, final KernelEffects effects)
    {
        final PendingTimer timer = new PendingTimer(id, caller.pid, deadline);
        timers.put(id, timer);
        caller.timers.add(id);
        effects.onTimerScheduled(timer);
        return id;
    }

    private void fire(final long id, final KernelEffects effects)
    {
        final PendingTimer timer = timers.remove(id);
        if (timer == null)
        {
            return;
        }
        final ProcessEntry owner = processes.get(timer.pid());
        owner.timers.remove(id);
        effects.onTimerFired(timer);
        enqueue(owner, timer.isAlarm() ? Event.alarm(id) : Event.timer(id), effects);
    }

    void countUser(final String user, final int delta)
    {
        if (userCounts.getAndAdd(user, delta) + delta <= 0)
        {
            userCounts.remove(user);
        }
    }

    private void end(
        final ProcessEntry process, final EndCause cause, final Event completion, final KernelEffects effects)
    {
        processes.remove(process.pid);
        countUser(process.user, -1);
        for (final String service : process.services)
        {
            services.remove(service);
        }
        final long[] timerIds = sorted(process.timers);
        for (final long id : timerIds)
        {
            effects.onTimerCancelled(timers.remove(id), TimerCancelCause.PROCESS_ENDED);
        }
        for (final long pid : pids())
        {
            final ProcessEntry child = processes.get(pid);
            if (child.parent == process.pid)
            {
                child.parent = INIT_PID;
                effects.onReparented(pid, process.pid);
            }
        }
        effects.onProcessEnded(process, cause, completion);
        final ProcessEntry parent = processes.get(process.parent);
        if (parent != null)
        {
            enqueue(parent, completion, effects);
        }
    }

    private static long[] sorted(final org.agrona.collections.LongHashSet set)
    {
        final long[] values = new long[set.size()];
        int i = 0;
        final org.agrona.collections.LongHashSet.LongIterator it = set.iterator();
        while (it.hasNext())
        {
            values[i++] = it.nextValue();
        }
        Arrays.sort(values);
        return values;
    }

    // ---------------------------------------------------------------------------------------
    // Read-only views, for the core, the digest and the tools. Same thread as apply.
    // ---------------------------------------------------------------------------------------

    /**
     * @param pid   a process.
     * @param names a pullEvent filter (empty or null: any name).
     * @return true when a pullEvent by {@code pid} with this filter would return an event now.
     */
    public boolean canPull(final long pid, final String[] names)
    {
        final ProcessEntry process = processes.get(pid);
        if (process == null || process.stopped)
        {
            return false;
        }
        for (final Event event : process.queue)
        {
            if (matches(names, event.name()))
            {
                return true;
            }
        }
        return false;
    }

    /** @return live pids, ascending. */
    public long[] pids()
    {
        final long[] pids = new long[processes.size()];
        int i = 0;
        final Long2ObjectHashMap<ProcessEntry>.KeyIterator it = processes.keySet().iterator();
        while (it.hasNext())
        {
            pids[i++] = it.nextLong();
        }
        Arrays.sort(pids);
        return pids;
    }

    /** @return the live process {@code pid}, or null. */
    public ProcessEntry process(final long pid)
    {
        return processes.get(pid);
    }

    /** @return pending timers and alarms, by id. */
    public List<PendingTimer> pendingTimers()
    {
        final List<PendingTimer> list = new ArrayList<>(timers.values());
        list.sort((x, y) -> Long.compare(x.id(), y.id()));
        return list;
    }

    /** @return the pending timer or alarm {@code id}, or null. */
    public PendingTimer pendingTimer(final long id)
    {
        return timers.get(id);
    }

    /** @return service name → pid, sorted by name. */
    public Map<String, Long> services()
    {
        return new TreeMap<>(services);
    }

    /** @return attached client ids, ascending. */
    public int[] clients()
    {
        final int[] ids = new int[clients.size()];
        int i = 0;
        final Int2ObjectHashMap<String>.KeyIterator it = clients.keySet().iterator();
        while (it.hasNext())
        {
            ids[i++] = it.nextInt();
        }
        Arrays.sort(ids);
        return ids;
    }

    /** @return the kernel user attached client {@code id} acts as, or null when it is not attached. */
    public String clientUser(final int id)
    {
        return clients.get(id);
    }

    /**
     * @param client the client issuing a syscall (0: the kernel itself, or a record of a journal
     *               written before clients were tracked).
     * @param caller the process it acts as.
     * @return true when the client may act for the process: its user is root or the process's user.
     */
    public boolean entitled(final int client, final ProcessEntry caller)
    {
        final String user = client == 0 ? null : clients.get(client);
        return user == null || ROOT.equals(user) || user.equals(caller.user);
    }

    /** @return true when client {@code id} is attached. */
    public boolean isAttached(final int id)
    {
        return clients.containsKey(id);
    }

    public KernelLimits limits()
    {
        return limits;
    }

    /** @return index of the last record applied, 0 for a fresh kernel. */
    public long lastIndex()
    {
        return lastIndex;
    }

    /** @return timestamp of the last record applied. */
    public long lastTimestamp()
    {
        return lastTimestamp;
    }

    public long nextPid()
    {
        return nextPid;
    }

    public long timerCount()
    {
        return timerCount;
    }

    public int clientCount()
    {
        return clientCount;
    }

    /** @return the digest of the whole state, hex; equal states have equal digests. */
    public String digest()
    {
        return StateDigest.of(this);
    }
}
