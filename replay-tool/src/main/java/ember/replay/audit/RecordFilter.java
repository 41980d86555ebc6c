package ember.replay.audit;

import ember.journal.SyscallRecord;
import ember.journal.SyscallType;
import ember.kernel.json.Json;
import ember.kernel.state.Event;
import ember.kernel.state.KernelError;
import ember.kernel.state.SyscallResult;
import ember.replay.engine.Effect;
import ember.replay.engine.Point;
import ember.replay.engine.Step;

import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The filters of {@code replay-tool log} (and {@code report}): each given criterion must hold; a
 * criterion given several values holds when any value matches.
 *
 * @param pids     callers to keep (empty: any).
 * @param targets  processes acted on to keep: the pid argument of kill, sendEvent and getpinfo,
 *                 or a process an effect lands on (queued to, ended, spawned, timer fired).
 * @param users    callers' users to keep.
 * @param types    record types to keep.
 * @param excludedTypes record types to drop.
 * @param events   event names: records whose arguments, result or queued events carry one.
 * @param eventRegex event names matching it (anywhere in the name), in the same places as
 *                 {@code events}; null for any.
 * @param grep     found in the record's arguments or result rendered as JSON (as {@code log
 *                 --format json} prints {@code args} and {@code result}); null for any.
 * @param signals  signals: kill records sending one, signal records setting one.
 * @param errorsOnly keep failed syscalls only.
 * @param deniedOnly keep {@code Permission denied} failures only.
 * @param from     first record to keep (index or time), or null.
 * @param to       last record to keep, or null.
 */
public record RecordFilter(Set<Long> pids, Set<Long> targets, Set<String> users, Set<SyscallType> types,
    Set<SyscallType> excludedTypes, Set<String> events, Pattern eventRegex, Pattern grep, Set<Long> signals,
    boolean errorsOnly, boolean deniedOnly, Point from, Point to)
{
    /** A filter that keeps everything. */
    public static final RecordFilter ALL = range(Set.of(), null, null);

    /** @return a filter on callers and a range only (empty pids: any caller). */
    public static RecordFilter range(final Set<Long> pids, final Point from, final Point to)
    {
        return new RecordFilter(pids, Set.of(), Set.of(), EnumSet.noneOf(SyscallType.class),
            EnumSet.noneOf(SyscallType.class), Set.of(), null, null, Set.of(), false, false, from, to);
    }

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
        if (excludedTypes.contains(r.type))
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
        if (!events.isEmpty() && !carriesEvent(step, events, null))
        {
            return false;
        }
        if (eventRegex != null && !carriesEvent(step, null, eventRegex))
        {
            return false;
        }
        return grep == null || grepFinds(r, result);
    }

    /** Rendered only when --grep is given: the JSON costs an allocation per record. */
    private boolean grepFinds(final SyscallRecord r, final SyscallResult result)
    {
        if (grep.matcher(Json.write(Args.of(r))).find())
        {
            return true;
        }
        final Object value = Outcome.value(result);
        return value != null && grep.matcher(Json.write(value)).find();
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

    /** One of {@code names} or {@code regex} is null: the record carries an event the other matches. */
    private static boolean carriesEvent(final Step step, final Set<String> names, final Pattern regex)
    {
        final SyscallRecord r = step.record();
        if ((r.type == SyscallType.QUEUE_EVENT || r.type == SyscallType.SEND_EVENT) && isMatch(r.text, names, regex))
        {
            return true;
        }
        if (r.type == SyscallType.PULL_EVENT && r.names != null)
        {
            for (final String name : r.names)
            {
                if (isMatch(name, names, regex))
                {
                    return true;
                }
            }
        }
        if (step.result().value instanceof Event e && matches(e, names, regex))
        {
            return true;
        }
        for (final Effect effect : step.effects())
        {
            if (effect instanceof Effect.Queued q && matches(q.event(), names, regex))
            {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(final Event event, final Set<String> names, final Pattern regex)
    {
        return isMatch(event.name(), names, regex) || isMatch(event.type(), names, regex);
    }

    private static boolean isMatch(final String name, final Set<String> names, final Pattern regex)
    {
        if (name == null)
        {
            return false;
        }
        return names != null ? names.contains(name) : regex.matcher(name).find();
    }
}
