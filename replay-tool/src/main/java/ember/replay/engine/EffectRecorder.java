package ember.replay.engine;

import ember.journal.SyscallRecord;
import ember.journal.SyscallType;
import ember.kernel.state.Disposition;
import ember.kernel.state.EndCause;
import ember.kernel.state.Event;
import ember.kernel.state.KernelEffects;
import ember.kernel.state.KernelLimits;
import ember.kernel.state.PendingTimer;
import ember.kernel.state.ProcessEntry;
import ember.kernel.state.SyscallResult;
import ember.kernel.state.TimerCancelCause;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns what {@code KernelState.apply} reports through {@link KernelEffects} while it applies one
 * record into that record's {@link Effect}s. Nothing here decides an outcome: every effect is a
 * callback apply made, only grouped for display (a process's cancelled timers after its end, a
 * {@code kill}'s outcome in one {@link Effect.Signalled} first).
 * <p>
 * Use: {@link #begin(SyscallRecord)}, apply exactly that record with this as its effects, then
 * {@link #finish(SyscallResult)}. Not thread-safe; the thread that applies records owns it.
 */
public final class EffectRecorder implements KernelEffects
{
    private static final String PROCESS_ENDED = "process ended";

    private final List<Effect> effects = new ArrayList<>(4);
    private final List<Effect> endedTimers = new ArrayList<>(2);
    private final List<Long> orphans = new ArrayList<>(2);
    private SyscallRecord record;
    private final KillOutcome kill = new KillOutcome();

    /**
     * Start recording the effects of {@code record}, which is applied next.
     *
     * @param record the record about to be applied; read until {@link #finish(SyscallResult)}.
     */
    public void begin(final SyscallRecord record)
    {
        this.record = record;
        effects.clear();
        endedTimers.clear();
        orphans.clear();
        kill.clear();
    }

    /**
     * @param result the outcome apply gave the record.
     * @return its effects, in the order apply reported them ({@link Effect.Signalled} first); none
     *     when the record failed.
     */
    public List<Effect> finish(final SyscallResult result)
    {
        final List<Effect> list = new ArrayList<>(effects.size() + 1);
        if (result.ok())
        {
            if (record.type == SyscallType.KILL)
            {
                list.add(new Effect.Signalled(record.pid, record.arg0, record.arg1, kill.describe(),
                    kill.stopped, kill.continued));
            }
            list.addAll(effects);
        }
        record = null;
        return list;
    }

    @Override
    public void onKernelOpened(final KernelLimits limits)
    {
        effects.add(new Effect.Opened(limits));
    }

    @Override
    public void onClientAttached(final int client, final String user)
    {
        effects.add(new Effect.Client(client, true));
    }

    @Override
    public void onClientDetached(final int client)
    {
        effects.add(new Effect.Client(client, false));
    }

    @Override
    public void onProcessSpawned(final ProcessEntry child)
    {
        effects.add(new Effect.Spawned(child.pid(), child.parent(), child.name(), child.user()));
    }

    @Override
    public void onUserChanged(final long pid, final String from, final String to)
    {
        effects.add(new Effect.UserChanged(pid, from, to));
    }

    @Override
    public void onServiceRegistered(final String name, final long pid)
    {
        effects.add(new Effect.Registered(name, pid));
    }

    @Override
    public void onDispositionSet(
        final long pid, final long signal, final Disposition from, final Disposition to, final int owner)
    {
        effects.add(new Effect.DispositionChanged(pid, signal, from, to, owner));
    }

    @Override
    public void onEventQueued(final long pid, final Event event, final boolean deliverable)
    {
        effects.add(new Effect.Queued(pid, event, sender(event)));
        if (isKillTarget(pid) && event.kind() == Event.SIGNAL && event.a() == record.arg1)
        {
            kill.queued = true;
        }
    }

    @Override
    public void onPullSatisfied(final long pid, final Event event)
    {
        // arg0 of a pull is written by the core only: the index of the record where it began to wait.
        effects.add(new Effect.Consumed(pid, event, Math.max(0, record.arg0)));
    }

    @Override
    public void onPullWaiting(final long pid)
    {
        effects.add(new Effect.PullWaiting(pid));
    }

    @Override
    public void onStopped(final long pid)
    {
        if (isKillTarget(pid))
        {
            kill.stopped = true;
        }
    }

    @Override
    public void onContinued(final long pid, final int releasedHandlerCalls)
    {
        if (isKillTarget(pid))
        {
            kill.continued = true;
            kill.released = releasedHandlerCalls;
        }
    }

    @Override
    public void onHandlerHeld(final long pid, final long signal)
    {
        if (isKillTarget(pid) && signal == record.arg1)
        {
            kill.held = true;
        }
    }

    @Override
    public void onHandlerCall(final int client, final long pid, final long signal)
    {
        // Handler calls released by a continue are for other signals: a continue is never held.
        if (isKillTarget(pid) && signal == record.arg1)
        {
            kill.handlerClient = client;
        }
    }

    @Override
    public void onReparented(final long child, final long formerParent)
    {
        orphans.add(child);
    }

    @Override
    public void onProcessEnded(final ProcessEntry process, final EndCause cause, final Event completion)
    {
        final List<Event> discarded = new ArrayList<>(process.queued());
        process.queue().forEach(discarded::add);
        effects.add(new Effect.Ended(process.pid(), process.name(), process.user(), process.parent(),
            cause == EndCause.EXIT ? "exit" : "signal", completion.b(), record.pid,
            List.copyOf(discarded), List.copyOf(orphans), List.copyOf(process.services()), cause));
        effects.addAll(endedTimers);
        endedTimers.clear();
        orphans.clear();
        if (isKillTarget(process.pid()))
        {
            kill.terminated = true;
        }
    }

    @Override
    public void onDiagnostic(final String line)
    {
        effects.add(new Effect.Diagnostic(line));
    }

    @Override
    public void onTimerScheduled(final PendingTimer timer)
    {
        effects.add(new Effect.TimerSet(timer));
    }

    @Override
    public void onTimerCancelled(final PendingTimer timer, final TimerCancelCause cause)
    {
        if (cause == TimerCancelCause.PROCESS_ENDED)
        {
            endedTimers.add(new Effect.TimerCancelled(timer, PROCESS_ENDED)); // shown after the end itself
        }
        else
        {
            effects.add(new Effect.TimerCancelled(timer, "cancel"));
        }
    }

    @Override
    public void onTimerFired(final PendingTimer timer)
    {
        effects.add(new Effect.TimerFired(timer));
    }

    private boolean isKillTarget(final long pid)
    {
        return record.type == SyscallType.KILL && record.arg0 == pid;
    }

    /** @return who an event comes from: a process, or 0 for the kernel (timers, alarms). */
    private long sender(final Event event)
    {
        switch (event.kind())
        {
            case Event.REMOTE:
            case Event.COMPLETE_CODE:
            case Event.COMPLETE_SIGNAL:
                return event.a();
            case Event.TIMER:
            case Event.ALARM:
                return 0;
            default:
                return record.type.isClientCall() ? record.pid : 0;
        }
    }

    /** What apply reported doing to the target of one {@code kill}, described as one line. */
    private static final class KillOutcome
    {
        boolean terminated;
        boolean continued;
        int released;
        boolean stopped;
        boolean queued;
        boolean held;
        int handlerClient;

        void clear()
        {
            terminated = false;
            continued = false;
            released = 0;
            stopped = false;
            queued = false;
            held = false;
            handlerClient = 0;
        }

        /** @return e.g. {@code terminated}, {@code stopped}, {@code continued, queued}, {@code handler (client 3)}. */
        String describe()
        {
            if (terminated)
            {
                return "terminated";
            }
            final List<String> parts = new ArrayList<>(2);
            if (continued)
            {
                parts.add("continued");
            }
            if (released > 0)
            {
                parts.add("released " + released + " held handler call" + (released == 1 ? "" : "s"));
            }
            if (stopped)
            {
                parts.add("stopped");
            }
            if (queued)
            {
                parts.add("queued");
            }
            if (held)
            {
                parts.add("handler held (process stopped)");
            }
            else if (handlerClient != 0)
            {
                parts.add("handler (client " + handlerClient + ")");
            }
            return parts.isEmpty() ? "no effect" : String.join(", ", parts);
        }
    }
}
