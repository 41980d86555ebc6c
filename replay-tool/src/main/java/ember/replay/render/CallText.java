package ember.replay.render;

import ember.kernel.cli.Json;

import java.util.List;
import java.util.Map;

/** A syscall's arguments and result as text: {@code kill(2, 15) = nil}. */
public final class CallText
{
    private CallText()
    {
    }

    /** @return the arguments as JSON values separated by {@code ", "} ({@code nil} for null). */
    public static String args(final List<Object> args)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < args.size(); i++)
        {
            if (i > 0)
            {
                sb.append(", ");
            }
            sb.append(args.get(i) == null ? "nil" : Json.write(args.get(i)));
        }
        return sb.toString();
    }

    /** @return {@code nil}, a JSON value, or {@code NAME {params}} for an event. */
    public static String result(final Object result)
    {
        if (result == null)
        {
            return "nil";
        }
        if (result instanceof Map<?, ?> map && map.size() == 2 && map.containsKey("name") && map.containsKey("params"))
        {
            return map.get("name") + " " + Json.write(map.get("params"));
        }
        return Json.write(result);
    }

    /** @return {@code error: MESSAGE} or the result. */
    public static String outcome(final Object result, final String error)
    {
        return error != null ? "error: " + error : result(result);
    }
}
