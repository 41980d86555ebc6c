package ember.replay.render;

import ember.kernel.json.Json;
import ember.replay.audit.Counter;
import ember.replay.audit.LogEntry;
import ember.replay.audit.Report;
import ember.replay.audit.SignalNames;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Prints a {@link Report} as text (aureport-like tables) or as one JSON document. */
public final class ReportRender
{
    private ReportRender()
    {
    }

    /** Print the report for people; each table lists at most {@code top} rows. */
    public static void text(final Report r, final int top, final PrintWriter out)
    {
        out.println("Ember journal report");
        out.println("====================");
        if (r.prunedTo > 0)
        {
            out.println("pruned       records 1.." + r.prunedTo + " (starting from snapshot at " + r.startIndex + ")");
        }
        if (r.records == 0)
        {
            out.println("no records match");
            return;
        }
        out.println("records      " + r.records + " (index " + r.firstIndex + " .. " + r.lastIndex + ")");
        out.println("time         " + Times.iso(r.firstTimeNs) + " .. " + Times.iso(r.lastTimeNs));
        out.println("failed       " + r.failed + " (permission denied " + r.deniedCount + ")");
        out.println("processes    " + r.spawned + " spawned, " + r.endings.total() + " ended");
        out.println("timers       " + r.timersSet + " set, " + r.timersFired + " fired, " + r.timersCancelled +
            " cancelled (alarms included)");

        out.println();
        out.println("Syscalls");
        out.println(String.format("  %10s %10s  %s", "COUNT", "FAILED", "SYSCALL"));
        for (final String s : r.syscalls.top(Integer.MAX_VALUE))
        {
            out.println(String.format("  %10d %10d  %s", r.syscalls.get(s), r.failedSyscalls.get(s), s));
        }
        table(out, "Users (records made)", "USER", r.users, top);
        table(out, "Processes (records made)", "PID", r.pids, top);
        table(out, "Errors", "MESSAGE", r.errors, top);

        out.println();
        out.println("Permission denials (" + r.deniedCount + (r.denials.size() < r.deniedCount ?
            ", first " + r.denials.size() + " listed" : "") + ")");
        for (final LogEntry e : r.denials)
        {
            out.println("  #" + e.index() + " " + e.time() + " pid " + e.pid() + " user " + e.user() + " " + e.syscall() +
                "(" + CallText.args(e.args()) + ")");
        }

        out.println();
        out.println("Signals by number");
        out.println(String.format("  %10s  %s", "COUNT", "SIGNAL"));
        for (final Long s : r.signals.top(top))
        {
            final String name = SignalNames.name(s);
            out.println(String.format("  %10d  %d%s", r.signals.get(s), s, name == null ? "" : " (" + name + ")"));
        }
        table(out, "Signals by sender", "PID", r.signalSenders, top);
        table(out, "Signal outcomes (delivered kills)", "SIGNAL OUTCOME", r.signalOutcomes, top);
        table(out, "Events queued, by name", "NAME", r.events, top);
        table(out, "Remote events, by type", "TYPE", r.remoteTypes, top);
        table(out, "Process endings", "HOW", r.endings, top);

        out.println();
        out.println("Busiest processes (records made + events received)");
        out.println(String.format("  %8s %10s %10s  %s", "PID", "RECORDS", "RECEIVED", "NAME"));
        for (final Long pid : r.busiest(top))
        {
            out.println(String.format("  %8d %10d %10d  %s", pid, r.pids.get(pid), r.received.get(pid),
                r.names.getOrDefault(pid, "?")));
        }
    }

    /** Print the report as one JSON object. */
    public static void json(final Report r, final int top, final PrintWriter out)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("records", r.records);
        m.put("prunedTo", r.prunedTo);
        m.put("startIndex", r.startIndex);
        m.put("firstIndex", r.firstIndex);
        m.put("lastIndex", r.lastIndex);
        m.put("firstTime", r.records == 0 ? null : Times.iso(r.firstTimeNs));
        m.put("lastTime", r.records == 0 ? null : Times.iso(r.lastTimeNs));
        m.put("failed", r.failed);
        m.put("syscalls", r.syscalls.toJson());
        m.put("failedSyscalls", r.failedSyscalls.toJson());
        m.put("users", r.users.toJson());
        m.put("pids", r.pids.toJson());
        m.put("errors", r.errors.toJson());
        m.put("permissionDenied", r.deniedCount);
        final List<Object> denials = new ArrayList<>();
        for (final LogEntry e : r.denials)
        {
            denials.add(e.toJson());
        }
        m.put("denials", denials);
        m.put("signals", r.signals.toJson());
        m.put("signalSenders", r.signalSenders.toJson());
        m.put("signalOutcomes", r.signalOutcomes.toJson());
        m.put("events", r.events.toJson());
        m.put("remoteTypes", r.remoteTypes.toJson());
        m.put("spawned", r.spawned);
        m.put("endings", r.endings.toJson());
        m.put("timersSet", r.timersSet);
        m.put("timersFired", r.timersFired);
        m.put("timersCancelled", r.timersCancelled);
        final List<Object> busiest = new ArrayList<>();
        for (final Long pid : r.busiest(top))
        {
            final Map<String, Object> b = new LinkedHashMap<>();
            b.put("pid", pid);
            b.put("name", r.names.get(pid));
            b.put("records", r.pids.get(pid));
            b.put("received", r.received.get(pid));
            busiest.add(b);
        }
        m.put("busiest", busiest);
        out.println(Json.write(m));
    }

    private static <K extends Comparable<K>> void table(final PrintWriter out, final String title, final String column,
        final Counter<K> counter, final int top)
    {
        out.println();
        out.println(title + (counter.size() > top ? " (top " + top + " of " + counter.size() + ")" : ""));
        out.println(String.format("  %10s  %s", "COUNT", column));
        for (final K key : counter.top(top))
        {
            out.println(String.format("  %10d  %s", counter.get(key), key));
        }
    }
}
