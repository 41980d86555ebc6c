package ember.replay.render;

import ember.replay.audit.Trace;

import java.io.PrintWriter;

/** {@code trace --format text}: a header (born, ended) then one line per item of the life. */
public final class TraceText
{
    private TraceText()
    {
    }

    /** Print the trace. */
    public static void write(final Trace trace, final PrintWriter out)
    {
        out.println("process " + trace.pid + " '" + trace.name + "', user " + trace.user + ", parent " + trace.parent);
        out.println("  born:  " + when(trace.born) + " " + trace.born.text());
        if (trace.ended != null)
        {
            out.println("  ended: " + when(trace.ended) + " " + trace.ended.text().split("; its queue held")[0]);
            out.println("  (the state just before it ended: replay-tool state --at " + (trace.ended.index() - 1) + ")");
        }
        else
        {
            out.println("  alive after record " + trace.lastIndex);
        }
        out.println();
        for (final Trace.Item item : trace.items)
        {
            out.println(String.format("%-8s %-27s %-11s %s", "#" + item.index(),
                item.index() == 0 ? "-" : Times.iso(item.timeNs()), item.kind(), item.text()));
        }
    }

    private static String when(final Trace.Item item)
    {
        return "#" + item.index() + (item.index() == 0 ? "" : " " + Times.iso(item.timeNs()));
    }
}
