package ember.replay.render;

import ember.kernel.json.Json;
import ember.replay.engine.Effect;

import java.util.List;
import java.util.Map;

/** A syscall's arguments and result as text: {@code kill(2, 15) = nil}, {@code pullEvent("job") → waiting}. */
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

    /**
     * @return what follows a call's arguments in a log line: {@code " → waiting"} for a pull that
     *     waits (apply said so: its nil is not final), else {@code " = "} and the outcome, with
     *     {@code " (after waiting since #N)"} for the pull that completes the wait begun at record N.
     */
    public static String outcome(final Object result, final String error, final List<Effect> effects)
    {
        for (final Effect effect : effects)
        {
            if (effect instanceof Effect.PullWaiting)
            {
                return " \u2192 waiting";
            }
        }
        final String outcome = " = " + outcome(result, error);
        for (final Effect effect : effects)
        {
            if (effect instanceof Effect.Consumed consumed && consumed.waitedSince() > 0)
            {
                return outcome + " (after waiting since #" + consumed.waitedSince() + ")";
            }
        }
        return outcome;
    }
}
