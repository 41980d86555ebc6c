package ember.sim;

import ember.journal.PayloadCodec;
import ember.kernel.core.Command;
import ember.kernel.state.Event;
import ember.kernel.state.ProcessInfo;
import ember.kernel.state.SyscallResult;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Outcomes as comparable strings: what the kernel answered ({@link #of}) and what the model
 * expects are written the same way, e.g. {@code num:3}, {@code nil}, {@code err:No such process},
 * {@code ev:timer {id=1}}. A refusal before the journal and an error from apply read alike
 * ({@code err:MESSAGE}): a client sees the same message either way.
 */
final class Outcome
{
    private Outcome()
    {
    }

    /** @return the outcome of a completed command. */
    static String of(final Command command, final PayloadCodec codec)
    {
        if (command.refusal != null)
        {
            return "err:" + command.refusal;
        }
        final SyscallResult r = command.result;
        if (r.error != null)
        {
            return "err:" + r.error.message();
        }
        switch (r.kind)
        {
            case NUMBER:
                return "num:" + r.number;
            case BOOLEAN:
                return "bool:" + (r.number != 0);
            case STRING:
                return "str:" + r.value;
            case PIDS:
                final StringBuilder pids = new StringBuilder("pids:[");
                final long[] list = (long[])r.value;
                for (int i = 0; i < list.length; i++)
                {
                    pids.append(i == 0 ? "" : ", ").append(list[i]);
                }
                return pids.append(']').toString();
            case INFO:
                final ProcessInfo i = (ProcessInfo)r.value;
                return "info:" + i.id() + "," + i.name() + "," + i.user() + "," + i.parent() + "," + i.state() + "," +
                    i.queued() + "," + i.timers();
            case EVENT:
                final Event e = (Event)r.value;
                return event(e.name(), e.params(codec));
            default:
                return "nil";
        }
    }

    /** @return an event as an outcome: its name and its table, canonical. */
    static String event(final String name, final Map<String, ?> params)
    {
        return "ev:" + name + " " + canonical(params);
    }

    /** @return the name of an event outcome. */
    static String eventName(final String event)
    {
        return event.substring(3, event.indexOf(' '));
    }

    /** @return a value written canonically: tables with keys sorted, integers apart from fractions, strings quoted. */
    static String canonical(final Object value)
    {
        if (value instanceof Map<?, ?> map)
        {
            final TreeMap<String, String> sorted = new TreeMap<>();
            map.forEach((k, v) -> sorted.put(String.valueOf(k), canonical(v)));
            return sorted.toString();
        }
        if (value instanceof List<?> list)
        {
            final StringBuilder b = new StringBuilder("[");
            for (int i = 0; i < list.size(); i++)
            {
                b.append(i == 0 ? "" : ",").append(canonical(list.get(i)));
            }
            return b.append(']').toString();
        }
        if (value instanceof String s)
        {
            return '"' + s + '"';
        }
        if (value instanceof Integer n)
        {
            return Long.toString(n);
        }
        return String.valueOf(value);
    }
}
