package ember.replay.render;

import ember.kernel.state.Event;
import ember.kernel.state.KernelState;
import ember.kernel.state.PendingTimer;
import ember.kernel.state.ProcessEntry;

import java.io.PrintWriter;
import java.util.Map;
import java.util.StringJoiner;

/** {@code state --format text}: the replayed state for people, section by section. */
public final class StateText
{
    private StateText()
    {
    }

    /** Print the state. */
    public static void write(final KernelState state, final PrintWriter out)
    {
        out.println("state after record " + state.lastIndex() +
            (state.lastIndex() == 0 ? " (empty journal)" : " at " + Times.iso(state.lastTimestamp())));
        out.println("digest   " + state.digest());
        out.println("limits   " + state.limits().encode());
        out.println("next pid " + state.nextPid() + ", timers and alarms created " + state.timerCount() +
            ", attached clients " + ints(state.clients()));

        final long[] pids = state.pids();
        out.println();
        out.println("processes (" + pids.length + ")");
        out.println(String.format("  %6s %6s %-12s %-8s %6s %6s %s", "PID", "PPID", "USER", "STATE", "QUEUED", "TIMERS",
            "NAME"));
        for (final long pid : pids)
        {
            final ProcessEntry p = state.process(pid);
            out.println(String.format("  %6d %6d %-12s %-8s %6d %6d %s", p.pid(), p.parent(), p.user(),
                p.isStopped() ? "stopped" : "running", p.queued(), p.timerCount(), p.name()));
        }

        out.println();
        out.println("queues (head first)");
        boolean any = false;
        for (final long pid : pids)
        {
            final ProcessEntry p = state.process(pid);
            if (p.queued() == 0)
            {
                continue;
            }
            any = true;
            out.println("  pid " + pid + " (" + p.name() + "), " + p.queued() + (p.queued() == 1 ? " event" : " events"));
            int i = 1;
            for (final Event event : p.queue())
            {
                out.println("    " + i++ + ". " + EffectText.event(event));
            }
        }
        none(out, any);

        out.println();
        out.println("signal dispositions changed from the defaults");
        any = false;
        for (final long pid : pids)
        {
            final ProcessEntry p = state.process(pid);
            final long[] signals = p.overriddenSignals();
            if (signals.length == 0)
            {
                continue;
            }
            any = true;
            final StringJoiner joiner = new StringJoiner(", ");
            for (final long signal : signals)
            {
                joiner.add(signal + " " + EffectText.disposition(p.disposition(signal), p.handlerOwner(signal)));
            }
            out.println("  pid " + pid + ": " + joiner);
        }
        none(out, any);

        out.println();
        out.println("held handler calls (stopped processes)");
        any = false;
        for (final long pid : pids)
        {
            final long[] held = state.process(pid).heldSignals();
            if (held.length > 0)
            {
                any = true;
                final StringJoiner joiner = new StringJoiner(", ");
                for (final long signal : held)
                {
                    joiner.add(Long.toString(signal));
                }
                out.println("  pid " + pid + ": " + joiner);
            }
        }
        none(out, any);

        out.println();
        final java.util.List<PendingTimer> timers = state.pendingTimers();
        out.println("pending timers and alarms (" + timers.size() + ")");
        for (final PendingTimer t : timers)
        {
            out.println(String.format("  %-5s %12d pid %-6d due %s", t.isAlarm() ? "alarm" : "timer", t.id(), t.pid(),
                Times.iso(t.deadlineNs())));
        }

        out.println();
        final Map<String, Long> services = state.services();
        out.println("services (" + services.size() + ")");
        for (final Map.Entry<String, Long> e : services.entrySet())
        {
            out.println("  " + e.getKey() + " -> " + e.getValue());
        }
    }

    private static void none(final PrintWriter out, final boolean any)
    {
        if (!any)
        {
            out.println("  (none)");
        }
    }

    private static String ints(final int[] values)
    {
        if (values.length == 0)
        {
            return "none";
        }
        final StringJoiner joiner = new StringJoiner(",");
        for (final int value : values)
        {
            joiner.add(Integer.toString(value));
        }
        return joiner.toString();
    }
}
