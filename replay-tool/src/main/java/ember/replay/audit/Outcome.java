package ember.replay.audit;

import ember.kernel.state.Event;
import ember.kernel.state.ProcessInfo;
import ember.kernel.state.SyscallResult;
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
