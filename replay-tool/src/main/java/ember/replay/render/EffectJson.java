package ember.replay.render;

import ember.kernel.state.Event;
import ember.kernel.state.PendingTimer;
import ember.replay.engine.Effect;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@link Effect}s as JSON-able maps: {@code {"type": "ended", "pid": 5, ...}}.
 */
public final class EffectJson
{
    private EffectJson()
    {
    }

    /** @return the effects as a list of maps. */
    public static List<Object> of(final List<Effect> effects)
    {
        final List<Object> list = new ArrayList<>(effects.size());
        for (final Effect effect : effects)
        {
            list.add(of(effect));
        }
        return list;
    }

    /** @return one effect as a map with a {@code type} key. */
    public static Map<String, Object> of(final Effect effect)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        if (effect instanceof Effect.Spawned e)
        {
            m.put("type", "spawned");
            m.put("pid", e.pid());
            m.put("parent", e.parent());
            m.put("name", e.name());
            m.put("user", e.user());
        }
        else if (effect instanceof Effect.Ended e)
        {
            m.put("type", "ended");
            m.put("pid", e.pid());
            m.put("name", e.name());
            m.put("user", e.user());
            m.put("parent", e.parent());
            m.put("how", e.how());
            m.put("exit".equals(e.how()) ? "code" : "signal", e.value());
            m.put("by", e.by());
            m.put("cause", e.cause().name().toLowerCase(Locale.ROOT));
            m.put("discarded", events(e.discarded()));
            m.put("orphans", e.orphans());
            m.put("services", e.services());
        }
        else if (effect instanceof Effect.Diagnostic e)
        {
            m.put("type", "diagnostic");
            m.put("line", e.line());
        }
        else if (effect instanceof Effect.Queued e)
        {
            m.put("type", "queued");
            m.put("pid", e.pid());
            m.put("from", e.from());
            m.put("event", Payloads.event(e.event()));
        }
        else if (effect instanceof Effect.Consumed e)
        {
            m.put("type", "consumed");
            m.put("pid", e.pid());
            m.put("event", Payloads.event(e.event()));
            if (e.waitedSince() > 0)
            {
                m.put("waitedSince", e.waitedSince());
            }
        }
        else if (effect instanceof Effect.PullWaiting e)
        {
            m.put("type", "pullWaiting");
            m.put("pid", e.pid());
        }
        else if (effect instanceof Effect.Signalled e)
        {
            m.put("type", "signalled");
            m.put("from", e.from());
            m.put("to", e.to());
            m.put("signal", e.signal());
            m.put("outcome", e.outcome());
        }
        else if (effect instanceof Effect.TimerSet e)
        {
            timer(m, "timerSet", e.timer());
        }
        else if (effect instanceof Effect.TimerFired e)
        {
            timer(m, "timerFired", e.timer());
        }
        else if (effect instanceof Effect.TimerCancelled e)
        {
            timer(m, "timerCancelled", e.timer());
            m.put("reason", e.reason());
        }
        else if (effect instanceof Effect.UserChanged e)
        {
            m.put("type", "userChanged");
            m.put("pid", e.pid());
            m.put("from", e.from());
            m.put("to", e.to());
        }
        else if (effect instanceof Effect.DispositionChanged e)
        {
            m.put("type", "dispositionChanged");
            m.put("pid", e.pid());
            m.put("signal", e.signal());
            m.put("from", e.from().name().toLowerCase(Locale.ROOT));
            m.put("to", e.to().name().toLowerCase(Locale.ROOT));
            m.put("owner", (long)e.owner());
        }
        else if (effect instanceof Effect.Registered e)
        {
            m.put("type", "registered");
            m.put("name", e.name());
            m.put("pid", e.pid());
        }
        else if (effect instanceof Effect.Client e)
        {
            m.put("type", e.attached() ? "clientAttached" : "clientDetached");
            m.put("client", (long)e.client());
        }
        else if (effect instanceof Effect.Opened e)
        {
            m.put("type", "opened");
            m.put("maxQueueLength", (long)e.limits().maxQueueLength());
            m.put("maxPayloadBytes", (long)e.limits().maxPayloadBytes());
        }
        return m;
    }

    /** @return a pending timer as a map. */
    public static Map<String, Object> timer(final PendingTimer timer)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        timer(m, null, timer);
        return m;
    }

    private static void timer(final Map<String, Object> m, final String type, final PendingTimer timer)
    {
        if (type != null)
        {
            m.put("type", type);
        }
        m.put("id", timer.id());
        m.put("kind", timer.isAlarm() ? "alarm" : "timer");
        m.put("pid", timer.pid());
        m.put("deadline", Times.iso(timer.deadlineNs()));
        m.put("deadlineNs", timer.deadlineNs());
    }

    /** @return events as {@code {name, params}} maps, in order. */
    public static List<Object> events(final List<Event> events)
    {
        final List<Object> list = new ArrayList<>(events.size());
        for (final Event event : events)
        {
            list.add(Payloads.event(event));
        }
        return list;
    }
}
