package ember.replay.audit;

import ember.journal.SyscallRecord;
import ember.journal.SyscallType;
import ember.kernel.state.Event;
import ember.kernel.state.KernelError;
import ember.kernel.state.SyscallResult;
import ember.replay.engine.Effect;
import ember.replay.engine.Point;
import ember.replay.engine.Step;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The filters of {@code replay-tool log} (and {@code report}): each given criterion must hold; a
 * criterion given several values holds when any value matches.
 *
 * @param pids     callers to keep (empty: any).
 * @param targets  processes acted on to keep: the pid argument of kill, sendEvent and getpinfo,
 *                 or a process an effect lands on (queued to, ended, spawned, timer fired).
 * @param users    callers' users to keep.
 * @param types    record types to keep.
 * @param events   event names: records whose arguments, result or queued events carry one.
 * @param signals  signals: kill records sending one, signal records setting one.
 * @param errorsOnly keep failed syscalls only.
 * @param deniedOnly keep {@code Permission denied} failures only.
 * @param from     first record to keep (index or time), or null.
 * @param to       last record to keep, or null.
 */
public record RecordFilter(Set<Long> pids, Set<Long> targets, Set<String> users, Set<SyscallType> types,
    Set<String> events, Set<Long> signals, boolean errorsOnly, boolean deniedOnly, Point from, Point to)
{
    /** A filter that keeps everything. */
    public static final RecordFilter ALL = new RecordFilter(Set.of(), Set.of(), Set.of(),
        EnumSet.noneOf(SyscallType.class), Set.of(), Set.of(), false, false, null, null);

    /** @return true when a record before this point should still be read (it is not past {@code to}). */
    public boolean beforeEnd(final long index, final long timestamp)
    {
        return to == null || to.covers(index, timestamp);
    }

    /** @return true when the step passes every criterion. */
    public boolean test(final Step step)
    {
        final SyscallRecord r = step.record();
        final SyscallResult result = step.result();
        if (from != null && !from.reachedBy(r.index, r.timestamp))
        {
            return false;
        }
        if (to != null && !to.covers(r.index, r.timestamp))
        {
            return false;
        }
        if (!pids.isEmpty() && !pids.contains(r.pid))
        {
            return false;
        }
        if (!users.isEmpty() && (step.user() == null || !users.contains(step.user())))
        {
            return false;
        }
        if (!types.isEmpty() && !types.contains(r.type))
        {
            return false;
        }
        if (errorsOnly && result.ok())
        {
            return false;
        }
        if (deniedOnly && result.error != KernelError.PERMISSION_DENIED)
        {
            return false;
        }
        if (!signals.isEmpty() && !hasSignal(r))
        {
            return false;
        }
        if (!targets.isEmpty() && !actsOnTarget(step))
        {
            return false;
        }
        return events.isEmpty() || carriesEvent(step);
    }

    private boolean hasSignal(final SyscallRecord r)
    {
        return (r.type == SyscallType.KILL && signals.contains(r.arg1)) ||
            (r.type == SyscallType.SIGNAL && signals.contains(r.arg0));
    }

    private boolean actsOnTarget(final Step step)
    {
        final SyscallRecord r = step.record();
        if ((r.type == SyscallType.KILL || r.type == SyscallType.SEND_EVENT || r.type == SyscallType.GETPINFO) &&
            targets.contains(r.arg0))
        {
            return true;
        }
        for (final Effect effect : step.effects())
        {
            final long pid;
            if (effect instanceof Effect.Queued e)
            {
                pid = e.pid();
            }
            else if (effect instanceof Effect.Ended e)
            {
                pid = e.pid();
            }
            else if (effect instanceof Effect.Spawned e)
            {
                pid = e.pid();
            }
            else if (effect instanceof Effect.TimerFired e)
            {
                pid = e.timer().pid();
            }
            else
            {
                continue;
            }
            if (targets.contains(pid))
            {
                return true;
            }
        }
        return false;
    }

    private boolean carriesEvent(final Step step)
    {
        final SyscallRecord r = step.record();
        if ((r.type == SyscallType.QUEUE_EVENT || r.type == SyscallType.SEND_EVENT) && events.contains(r.text))
        {
            return true;
        }
        if (r.type == SyscallType.PULL_EVENT && r.names != null && anyOf(List.of(r.names)))
        {
            return true;
        }
        if (step.result().value instanceof Event e && matches(e))
        {
            return true;
        }
        for (final Effect effect : step.effects())
        {
            if (effect instanceof Effect.Queued q && matches(q.event()))
            {
                return true;
            }
        }
        return false;
    }

    private boolean matches(final Event event)
    {
        return events.contains(event.name()) || (event.type() != null && events.contains(event.type()));
    }

    private boolean anyOf(final List<String> names)
    {
        for (final String name : names)
        {
            if (events.contains(name))
            {
                return true;
            }
        }
        return false;
    }
}
