package ember.replay.render;

import ember.kernel.state.Event;
import ember.kernel.state.KernelState;
import ember.kernel.state.PendingTimer;
import ember.kernel.state.ProcessEntry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The whole replayed state as JSON-able data ({@code state --format json}): process table with
 * each queue's events in order, dispositions changed from the defaults, held handler calls,
 * pending timers and alarms, services, attached clients, digest.
 */
public final class StateJson
{
    private StateJson()
    {
    }

    /** @return the state as nested maps and lists. */
    public static Map<String, Object> of(final KernelState state)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", state.lastIndex());
        m.put("time", state.lastIndex() == 0 ? null : Times.iso(state.lastTimestamp()));
        m.put("digest", state.digest());
        final Map<String, Object> limits = new LinkedHashMap<>();
        limits.put("maxQueueLength", (long)state.limits().maxQueueLength());
        limits.put("maxPayloadBytes", (long)state.limits().maxPayloadBytes());
        m.put("limits", limits);
        m.put("nextPid", state.nextPid());
        m.put("timerCount", state.timerCount());
        final List<Object> clients = new ArrayList<>();
        for (final int client : state.clients())
        {
            clients.add((long)client);
        }
        m.put("clients", clients);
        final List<Object> processes = new ArrayList<>();
        for (final long pid : state.pids())
        {
            processes.add(process(state.process(pid)));
        }
        m.put("processes", processes);
        final List<Object> timers = new ArrayList<>();
        for (final PendingTimer timer : state.pendingTimers())
        {
            timers.add(EffectJson.timer(timer));
        }
        m.put("timers", timers);
        m.put("services", new LinkedHashMap<>(state.services()));
        return m;
    }

    /** @return one process with its queue, dispositions, held handler calls and services. */
    public static Map<String, Object> process(final ProcessEntry p)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", p.pid());
        m.put("name", p.name());
        m.put("user", p.user());
        m.put("parent", p.parent());
        m.put("state", p.isStopped() ? "stopped" : "running");
        m.put("queued", (long)p.queued());
        m.put("timers", (long)p.timerCount());
        final List<Object> queue = new ArrayList<>(p.queued());
        for (final Event event : p.queue())
        {
            queue.add(Payloads.event(event));
        }
        m.put("queue", queue);
        final List<Object> dispositions = new ArrayList<>();
        for (final long signal : p.overriddenSignals())
        {
            final Map<String, Object> d = new LinkedHashMap<>();
            d.put("signal", signal);
            d.put("disposition", p.disposition(signal).name().toLowerCase(Locale.ROOT));
            d.put("owner", (long)p.handlerOwner(signal));
            dispositions.add(d);
        }
        m.put("dispositions", dispositions);
        final List<Object> held = new ArrayList<>();
        for (final long signal : p.heldSignals())
        {
            held.add(signal);
        }
        m.put("held", held);
        m.put("services", new ArrayList<>(p.services()));
        return m;
    }
}
