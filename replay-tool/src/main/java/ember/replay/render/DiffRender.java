package ember.replay.render;

import ember.kernel.json.Json;
import ember.replay.audit.Dated;
import ember.replay.audit.Diff;
import ember.replay.engine.Effect;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Prints a {@link Diff} as text or as one JSON document. */
public final class DiffRender
{
    private DiffRender()
    {
    }

    /**
     * @param summary only the counts of each section.
     */
    public static void text(final Diff diff, final boolean summary, final PrintWriter out)
    {
        out.println("diff from record " + diff.fromIndex + at(diff.fromIndex, diff.fromTimeNs) + " to record " +
            diff.toIndex + at(diff.toIndex, diff.toTimeNs) + ": " + diff.records + " records applied");
        out.println("digest at " + diff.fromIndex + ": " + diff.fromDigest);
        out.println("digest at " + diff.toIndex + ": " + diff.toDigest);
        for (final Map.Entry<String, List<Dated>> section : diff.sections.entrySet())
        {
            final List<Dated> items = section.getValue();
            if (summary)
            {
                out.println(String.format("%-16s %d", title(section.getKey()), items.size()));
                continue;
            }
            if (items.isEmpty())
            {
                continue;
            }
            out.println();
            out.println(title(section.getKey()) + " (" + items.size() + ")");
            for (final Dated d : items)
            {
                String line = "  #" + d.index() + " " + Times.iso(d.timeNs()) + " " + EffectText.of(d.effect());
                if (d.effect() instanceof Effect.Queued q)
                {
                    line += " (from " + (q.from() == 0 ? "kernel" : q.from()) + ")";
                    final Diff.Fate fate = diff.fates.get(q.event());
                    if (fate != null)
                    {
                        line += " -> " + fate.name().toLowerCase(Locale.ROOT).replace('_', ' ');
                    }
                }
                out.println(line);
            }
        }
        out.println();
        out.println("queue lengths (record " + diff.fromIndex + " -> record " + diff.toIndex + ")");
        for (final Map.Entry<Long, long[]> e : diff.queueLengths.entrySet())
        {
            final long[] v = e.getValue();
            if (v[0] != v[1])
            {
                out.println("  pid " + e.getKey() + ": " + length(v[0], "not born") + " -> " + length(v[1], "ended"));
            }
        }
    }

    /** Print the diff as one JSON object. */
    public static void json(final Diff diff, final PrintWriter out)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("from", point(diff.fromIndex, diff.fromTimeNs, diff.fromDigest));
        m.put("to", point(diff.toIndex, diff.toTimeNs, diff.toDigest));
        m.put("records", diff.records);
        for (final Map.Entry<String, List<Dated>> section : diff.sections.entrySet())
        {
            final List<Object> items = new ArrayList<>();
            for (final Dated d : section.getValue())
            {
                final Map<String, Object> item = new LinkedHashMap<>(EffectJson.of(d.effect()));
                item.put("index", d.index());
                item.put("time", Times.iso(d.timeNs()));
                if (d.effect() instanceof Effect.Queued q && diff.fates.containsKey(q.event()))
                {
                    item.put("fate", diff.fates.get(q.event()).name().toLowerCase(Locale.ROOT));
                }
                items.add(item);
            }
            m.put(section.getKey(), items);
        }
        final List<Object> lengths = new ArrayList<>();
        for (final Map.Entry<Long, long[]> e : diff.queueLengths.entrySet())
        {
            final Map<String, Object> q = new LinkedHashMap<>();
            q.put("pid", e.getKey());
            q.put("from", e.getValue()[0] < 0 ? null : e.getValue()[0]);
            q.put("to", e.getValue()[1] < 0 ? null : e.getValue()[1]);
            lengths.add(q);
        }
        m.put("queueLengths", lengths);
        out.println(Json.write(m));
    }

    private static Map<String, Object> point(final long index, final long timeNs, final String digest)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", index);
        m.put("time", index == 0 ? null : Times.iso(timeNs));
        m.put("digest", digest);
        return m;
    }

    private static String title(final String section)
    {
        switch (section)
        {
            case "born":
                return "processes born";
            case "ended":
                return "processes ended";
            case "signals":
                return "signals delivered";
            case "queued":
                return "events queued";
            case "consumed":
                return "events consumed";
            case "timersSet":
                return "timers set";
            case "timersFired":
                return "timers fired";
            case "timersCancelled":
                return "timers cancelled";
            case "users":
                return "users changed";
            case "dispositions":
                return "dispositions set";
            case "services":
                return "services registered";
            default:
                return "clients and kernel";
        }
    }

    private static String at(final long index, final long timeNs)
    {
        return index == 0 ? " (empty state)" : " (" + Times.iso(timeNs) + ")";
    }

    private static String length(final long value, final String absent)
    {
        return value < 0 ? absent : Long.toString(value);
    }
}
