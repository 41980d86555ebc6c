package ember.replay.audit;

import ember.journal.SyscallType;
import ember.kernel.state.Event;
import ember.kernel.state.ProcessInfo;
import ember.kernel.state.SyscallResult;
import ember.replay.engine.Effect;
import ember.replay.render.Payloads;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The value a syscall returned, as JSON-able data: {@code null} (nil), a number, a boolean, a
 * string, a pid list, a {@code getpinfo} table, or an event {@code {name, params}}.
 */
public final class Outcome
{
    private Outcome()
    {
    }

    /** @return the result value; null for nil and for failures (see {@link #error}). */
    public static Object value(final SyscallResult result)
    {
        if (!result.ok())
        {
            return null;
        }
        switch (result.kind)
        {
            case NUMBER:
                return result.number;
            case BOOLEAN:
                return result.number != 0;
            case STRING:
                return result.value;
            case PIDS:
            {
                final List<Long> pids = new ArrayList<>();
                for (final long pid : (long[])result.value)
                {
                    pids.add(pid);
                }
                return pids;
            }
            case INFO:
                return info((ProcessInfo)result.value);
            case EVENT:
                return Payloads.event((Event)result.value);
            case NIL:
            default:
                return null;
        }
    }

    /**
     * The {@code outcome} of a {@code pullEvent} record for readers, which its result alone cannot
     * tell (a waiting pull and an empty one both return nil):
     * {@code waiting} — apply said it waits (a later pull record with {@code waitedSince} = this
     * index completes it; none when it timed out, its client detached, its process ended or the
     * kernel stopped); {@code event} — it took an event; {@code empty} — nil and final (timeout 0).
     *
     * @return that word, or null for any other record and for a failed pull.
     */
    public static String pull(final SyscallType type, final String error, final Object result,
        final List<Effect> effects)
    {
        if (type != SyscallType.PULL_EVENT || error != null)
        {
            return null;
        }
        for (final Effect effect : effects)
        {
            if (effect instanceof Effect.PullWaiting)
            {
                return "waiting";
            }
        }
        return result != null ? "event" : "empty";
    }

    /**
     * @return the index of the record where the pull that took an event began to wait, or 0 when
     *     it took it at once (or the record is not such a pull).
     */
    public static long waitedSince(final List<Effect> effects)
    {
        for (final Effect effect : effects)
        {
            if (effect instanceof Effect.Consumed consumed)
            {
                return consumed.waitedSince();
            }
        }
        return 0;
    }

    /** @return the SPEC message of a failure, or null when the syscall succeeded. */
    public static String error(final SyscallResult result)
    {
        return result.ok() ? null : result.error.message();
    }

    /** @return a {@code getpinfo} table. */
    public static Map<String, Object> info(final ProcessInfo info)
    {
        final Map<String, Object> map = new LinkedHashMap<>();
        map.put("id", info.id());
        map.put("name", info.name());
        map.put("user", info.user());
        map.put("parent", info.parent());
        map.put("state", info.state());
        map.put("queued", (long)info.queued());
        map.put("timers", (long)info.timers());
        return map;
    }
}
