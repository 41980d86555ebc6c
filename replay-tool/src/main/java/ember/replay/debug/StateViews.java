package ember.replay.debug;

import ember.kernel.state.Event;
import ember.kernel.state.KernelState;
import ember.kernel.state.PendingTimer;
import ember.kernel.state.ProcessEntry;
import ember.replay.ToolException;
import ember.replay.render.EffectText;
import ember.replay.render.Times;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The debugger's {@code print} and {@code ps} answers: parts of the state {@code replay-tool
 * state} prints whole, with the same renderings of events, dispositions and timers
 * ({@link EffectText}, {@link Times}). Stateless.
 */
final class StateViews
{
    /** Events {@code print queue P} shows when no limit is given. */
    static final int DEFAULT_QUEUE_LIMIT = 20;

    private StateViews()
    {
    }

    /** {@code ps}: the shell's table, {@code PID PPID USER STATE QUEUED NAME}. */
    static void ps(final KernelState state, final PrintWriter out)
    {
        out.println("PID PPID USER STATE QUEUED NAME");
        for (final long pid : state.pids())
        {
            final ProcessEntry p = state.process(pid);
            out.println(p.pid() + " " + p.parent() + " " + p.user() + " " + (p.isStopped() ? "stopped" : "running") + " " +
                p.queued() + " " + p.name());
        }
    }

    /** {@code print process P}. */
    static void process(final KernelState state, final long pid, final PrintWriter out)
    {
        final ProcessEntry p = existing(state, pid);
        out.println("process " + pid + " (" + p.name() + ") user " + p.user() + ", parent " + p.parent() + ", " +
            (p.isStopped() ? "stopped" : "running") + ", " + p.queued() + " queued, " + p.timerCount() +
            (p.timerCount() == 1 ? " timer" : " timers"));
        final StringJoiner dispositions = new StringJoiner(", ");
        for (final long signal : p.overriddenSignals())
        {
            dispositions.add(signal + " " + EffectText.disposition(p.disposition(signal), p.handlerOwner(signal)));
        }
        out.println("  dispositions changed: " + (dispositions.length() == 0 ? "none" : dispositions));
        final StringJoiner held = new StringJoiner(", ");
        for (final long signal : p.heldSignals())
        {
            held.add(Long.toString(signal));
        }
        out.println("  held handler calls: " + (held.length() == 0 ? "none" : held));
        out.println("  services: " + (p.services().isEmpty() ? "none" : String.join(", ", p.services())));
    }

    /** {@code print queue P [LIMIT]}: head first, at most {@code limit} events. */
    static void queue(final KernelState state, final long pid, final int limit, final PrintWriter out)
    {
        final ProcessEntry p = existing(state, pid);
        out.println("queue of " + pid + " (" + p.name() + "): " + p.queued() + (p.queued() == 1 ? " event" : " events"));
        int i = 0;
        for (final Event event : p.queue())
        {
            if (i == limit)
            {
                out.println("  ... " + (p.queued() - limit) + " more");
                break;
            }
            out.println("  " + ++i + ". " + EffectText.event(event));
        }
    }

    /** {@code print timers [P]}: pending timers and alarms by id, of one process or all. */
    static void timers(final KernelState state, final long pid, final PrintWriter out)
    {
        if (pid > 0)
        {
            existing(state, pid);
        }
        final List<PendingTimer> timers = state.pendingTimers();
        int n = 0;
        for (final PendingTimer t : timers)
        {
            if (pid <= 0 || t.pid() == pid)
            {
                n++;
            }
        }
        out.println("pending timers and alarms" + (pid > 0 ? " of " + pid : "") + ": " + n);
        for (final PendingTimer t : timers)
        {
            if (pid <= 0 || t.pid() == pid)
            {
                out.println("  " + EffectText.timer(t) + " due " + Times.iso(t.deadlineNs()));
            }
        }
    }

    /** {@code print services}: NAME -&gt; PID, by name. */
    static void services(final KernelState state, final PrintWriter out)
    {
        final Map<String, Long> services = state.services();
        out.println("services: " + services.size());
        for (final Map.Entry<String, Long> e : services.entrySet())
        {
            out.println("  " + e.getKey() + " -> " + e.getValue());
        }
    }

    private static ProcessEntry existing(final KernelState state, final long pid)
    {
        final ProcessEntry p = state.process(pid);
        if (p == null)
        {
            throw new ToolException("no process " + pid + " after record " + state.lastIndex());
        }
        return p;
    }
}
