package ember.replay.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The scenario's records as {@code log --format json} prints them, to find records by content
 * (indexes are not hard-coded: when a timer fires relative to a waiting pull can vary).
 */
public final class Records
{
    private final List<Map<String, Object>> entries;

    private Records(final List<Map<String, Object>> entries)
    {
        this.entries = entries;
    }

    /** @return the whole journal of {@code scenario}, read with the tool. */
    public static Records of(final Scenario scenario)
    {
        final Tool.Run run = Tool.run("log", "--dir", scenario.dir.toString(), "--format", "json");
        if (run.exitCode() != 0)
        {
            throw new AssertionError(run.toString());
        }
        return new Records(Jsons.lines(run));
    }

    /** @return every entry. */
    public List<Map<String, Object>> all()
    {
        return entries;
    }

    /** @return the entries matching. */
    public List<Map<String, Object>> where(final Predicate<Map<String, Object>> predicate)
    {
        final List<Map<String, Object>> list = new ArrayList<>();
        for (final Map<String, Object> e : entries)
        {
            if (predicate.test(e))
            {
                list.add(e);
            }
        }
        return list;
    }

    /** @return the index of the only entry of {@code syscall} with these arguments (and failure or success). */
    public long index(final String syscall, final List<Object> args, final boolean failed)
    {
        final List<Map<String, Object>> found = where(e -> syscall.equals(e.get("syscall")) && args.equals(e.get("args")) &&
            failed == e.containsKey("error"));
        if (found.size() != 1)
        {
            throw new AssertionError("expected one " + syscall + args + " (failed=" + failed + "), found " + found);
        }
        return (Long)found.get(0).get("index");
    }

    /** @return the entry with {@code index}. */
    public Map<String, Object> at(final long index)
    {
        return entries.get((int)index - 1);
    }

    /** @return the time of the record with {@code index}. */
    public String time(final long index)
    {
        return (String)at(index).get("time");
    }
}
