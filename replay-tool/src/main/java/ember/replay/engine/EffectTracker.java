package ember.replay.engine;

import ember.journal.SyscallRecord;
import ember.journal.SyscallType;
import ember.kernel.state.Disposition;
import ember.kernel.state.Event;
import ember.kernel.state.KernelState;
import ember.kernel.state.PendingTimer;
import ember.kernel.state.ProcessEntry;
import ember.kernel.state.SyscallResult;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

/**
 * Derives a record's {@link Effect}s by comparing the state captured just before it
 * ({@link Before}) with the state {@code KernelState.apply} left after it. Nothing here decides an
 * outcome: a process ended because it is gone, an event was queued because it is in the queue.
 */
public final class EffectTracker
{
    private EffectTracker()
    {
    }

    /**
     * @param before the capture taken before the record was applied.
     * @param record the record applied.
     * @param result its outcome.
     * @param state  the state after the record.
     * @param waiting apply reported that the record is a pull that waits ({@code onPullWaiting}).
     * @return the effects, in a stable order: the record's own, then ends, then queued events.
     */
    public static List<Effect> effects(final Before before, final SyscallRecord record, final SyscallResult result,
        final KernelState state, final boolean waiting)
    {
        final List<Effect> effects = new ArrayList<>(4);
        if (!result.ok())
        {
            return effects;
        }
        if (waiting)
        {
            effects.add(new Effect.PullWaiting(record.pid));
        }
        Event consumed = null;
        switch (record.type)
        {
            case KERNEL_OPEN:
                effects.add(new Effect.Opened(state.limits()));
                break;
            case CLIENT_ATTACH:
                effects.add(new Effect.Client((int)result.number, true));
                break;
            case CLIENT_DETACH:
                effects.add(new Effect.Client((int)record.arg0, false));
                break;
            case TIMER:
            case ALARM:
            {
                final PendingTimer timer = result.kind == SyscallResult.Kind.NUMBER ? state.pendingTimer(result.number) : null;
                if (timer != null)
                {
                    effects.add(new Effect.TimerSet(timer));
                }
                break;
            }
            case TIMER_FIRED:
            case ALARM_FIRED:
                if (before.timer() != null && state.pendingTimer(record.arg0) == null)
                {
                    effects.add(new Effect.TimerFired(before.timer()));
                }
                break;
            case CANCEL:
                if (before.timer() != null && state.pendingTimer(record.arg0) == null)
                {
                    effects.add(new Effect.TimerCancelled(before.timer(), "cancel"));
                }
                break;
            case SPAWN:
            {
                final ProcessEntry child = result.kind == SyscallResult.Kind.NUMBER ? state.process(result.number) : null;
                if (child != null)
                {
                    effects.add(new Effect.Spawned(child.pid(), child.parent(), child.name(), child.user()));
                }
                break;
            }
            case SETUSER:
            {
                final ProcessMark was = before.mark(record.pid);
                final ProcessEntry now = state.process(record.pid);
                if (was != null && now != null)
                {
                    effects.add(new Effect.UserChanged(record.pid, was.user(), now.user()));
                }
                break;
            }
            case REGISTER:
                if (result.kind == SyscallResult.Kind.BOOLEAN && result.number != 0)
                {
                    effects.add(new Effect.Registered(record.text, record.pid));
                }
                break;
            case SIGNAL:
            {
                final ProcessMark was = before.mark(record.pid);
                final ProcessEntry now = state.process(record.pid);
                if (was != null && now != null)
                {
                    effects.add(new Effect.DispositionChanged(record.pid, record.arg0, was.disposition(),
                        now.disposition(record.arg0), now.handlerOwner(record.arg0)));
                }
                break;
            }
            case PULL_EVENT:
                if (result.kind == SyscallResult.Kind.EVENT)
                {
                    consumed = (Event)result.value;
                    // arg0 of a pull is written by the core only: the index of the record where it began to wait.
                    effects.add(new Effect.Consumed(record.pid, consumed, Math.max(0, record.arg0)));
                }
                break;
            default:
                break;
        }

        final int signalAt = effects.size();
        for (final ProcessMark mark : before.marks())
        {
            if (state.process(mark.pid()) == null)
            {
                ended(mark, before.belongings(mark.pid()), record, effects);
            }
        }
        final List<Event> toTarget = new ArrayList<>(1);
        for (final ProcessMark mark : before.marks())
        {
            final ProcessEntry now = state.process(mark.pid());
            if (now == null)
            {
                continue;
            }
            final int added = now.queued() - mark.queued() + (consumed != null && mark.pid() == record.pid ? 1 : 0);
            if (added <= 0)
            {
                continue;
            }
            for (final Event event : lastEvents(now, added))
            {
                effects.add(new Effect.Queued(mark.pid(), event, sender(event, record)));
                if (record.type == SyscallType.KILL && mark.pid() == record.arg0)
                {
                    toTarget.add(event);
                }
            }
        }
        if (record.type == SyscallType.KILL)
        {
            final ProcessMark was = before.mark(record.arg0);
            if (was != null)
            {
                effects.add(signalAt, new Effect.Signalled(record.pid, record.arg0, record.arg1,
                    outcome(was, state.process(record.arg0), record.arg1, toTarget)));
            }
        }
        return effects;
    }

    private static void ended(final ProcessMark mark, final Before.Belongings belongings, final SyscallRecord record,
        final List<Effect> effects)
    {
        final String how;
        final long value;
        final long by;
        if (record.type == SyscallType.EXIT && mark.pid() == record.pid)
        {
            how = "exit";
            value = record.arg0;
            by = record.pid;
        }
        else if (record.type == SyscallType.KILL && mark.pid() == record.arg0)
        {
            how = "signal";
            value = record.arg1;
            by = record.pid;
        }
        else
        {
            how = "ended";
            value = 0;
            by = record.pid;
        }
        final Before.Belongings b = belongings != null ? belongings :
            new Before.Belongings(List.of(), List.of(), List.of(), List.of());
        effects.add(new Effect.Ended(mark.pid(), mark.name(), mark.user(), mark.parent(), how, value, by,
            b.queue(), b.children(), b.services()));
        for (final PendingTimer timer : b.timers())
        {
            effects.add(new Effect.TimerCancelled(timer, "process ended"));
        }
    }

    private static String outcome(final ProcessMark was, final ProcessEntry now, final long signal, final List<Event> queued)
    {
        if (now == null)
        {
            return "terminated";
        }
        final List<String> parts = new ArrayList<>(2);
        if (was.stopped() && !now.isStopped())
        {
            parts.add("continued");
        }
        final int held = now.heldSignals().length;
        if (was.held() > 0 && held == 0)
        {
            parts.add("released " + was.held() + " held handler call" + (was.held() == 1 ? "" : "s"));
        }
        if (!was.stopped() && now.isStopped())
        {
            parts.add("stopped");
        }
        boolean signalQueued = false;
        for (final Event event : queued)
        {
            if (event.kind() == Event.SIGNAL && event.a() == signal)
            {
                signalQueued = true;
            }
        }
        if (signalQueued)
        {
            parts.add("queued");
        }
        if (held > was.held())
        {
            parts.add("handler held (process stopped)");
        }
        else if (!signalQueued && was.disposition() == Disposition.HANDLER)
        {
            parts.add("handler (client " + was.owner() + ")");
        }
        return parts.isEmpty() ? "no effect" : String.join(", ", parts);
    }

    /** @return who an event comes from: a process, or 0 for the kernel (timers, alarms). */
    private static long sender(final Event event, final SyscallRecord record)
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

    /** @return the last {@code n} events of a queue, head first. */
    static List<Event> lastEvents(final ProcessEntry entry, final int n)
    {
        final Iterable<Event> queue = entry.queue();
        final ArrayDeque<Event> last = new ArrayDeque<>(n);
        if (queue instanceof Deque<Event> deque)
        {
            final Iterator<Event> it = deque.descendingIterator();
            while (it.hasNext() && last.size() < n)
            {
                last.addFirst(it.next());
            }
        }
        else
        {
            for (final Event event : queue)
            {
                if (last.size() == n)
                {
                    last.removeFirst();
                }
                last.addLast(event);
            }
        }
        return new ArrayList<>(last);
    }
}
