package ember.replay.testing;

import ember.kernel.json.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Parses the tool's JSON output in tests. */
public final class Jsons
{
    private Jsons()
    {
    }

    /** @return one JSON object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(final String text)
    {
        try
        {
            return (Map<String, Object>)Json.parse(text.trim());
        }
        catch (final Json.NotJson ex)
        {
            throw new AssertionError("not JSON: " + text, ex);
        }
    }

    /** @return one JSON object per line. */
    public static List<Map<String, Object>> lines(final Tool.Run run)
    {
        final List<Map<String, Object>> list = new ArrayList<>();
        for (final String line : run.lines())
        {
            list.add(object(line));
        }
        return list;
    }

    /** @return {@code map.get(key)} as a list. */
    @SuppressWarnings("unchecked")
    public static List<Object> list(final Map<String, Object> map, final String key)
    {
        return (List<Object>)map.get(key);
    }

    /** @return {@code map.get(key)} as a map. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> map(final Object map, final String key)
    {
        return (Map<String, Object>)((Map<String, Object>)map).get(key);
    }
}
