package ember.replay.audit;

import ember.journal.SyscallRecord;
import ember.journal.SyscallType;
import ember.kernel.state.KernelState;
import ember.replay.engine.Effect;
import ember.replay.engine.JournalDir;
import ember.replay.engine.Origin;
import ember.replay.engine.Step;
import ember.replay.engine.Stepper;
import ember.replay.render.CallText;
import ember.replay.render.EffectText;
import ember.replay.render.Times;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The data of {@code timeline --html}: one lane per process (born, ended) and marks on the lanes
 * for events, signals, timers, spawns, ends and failed syscalls, each with the process it comes
 * from so the page can draw an arrow sender → receiver. Times are microseconds after the first
 * record shown, so they stay exact as JavaScript numbers.
 */
public final class Timeline
{
    private static final int MAX_LABEL = 160;

    private final Map<Long, Map<String, Object>> lanes = new TreeMap<>();
    private final List<Object> marks = new ArrayList<>();
    private final Set<Long> pids;
    private final int maxMarks;
    private long t0 = Long.MIN_VALUE;
    private long firstIndex;
    private long lastIndex;
    private long lastTime;
    private long truncatedAt;

    private Timeline(final Set<Long> pids, final int maxMarks)
    {
        this.pids = pids;
        this.maxMarks = maxMarks;
    }

    /**
     * @param origin   where the walk starts (a snapshot when the journal was pruned).
     * @param filter   its {@code from}, {@code to} and {@code pids} select what is drawn.
     * @param maxMarks stop adding marks after this many (the page says where it stopped).
     * @return the data as JSON-able maps.
     */
    public static Map<String, Object> of(final Origin origin, final RecordFilter filter, final int maxMarks)
    {
        final JournalDir dir = origin.dir();
        final Timeline timeline = new Timeline(filter.pids(), maxMarks);
        try (Stepper stepper = new Stepper(origin))
        {
            while (stepper.hasNext() && filter.beforeEnd(stepper.nextIndex(), stepper.nextTimestamp()))
            {
                final Step step = stepper.step();
                if (filter.from() == null || filter.from().reachedBy(step.index(), step.record().timestamp))
                {
                    timeline.see(step, stepper.state());
                }
                else
                {
                    timeline.seeLanesOnly(step);
                }
            }
            if (!stepper.hasNext())
            {
                stepper.checkReachedEnd();
            }
        }
        return timeline.toJson(dir);
    }

    private void seeLanesOnly(final Step step)
    {
        if (lanes.isEmpty())
        {
            lane(KernelState.INIT_PID, "init", KernelState.ROOT, 0, 0, step.record().timestamp);
        }
        for (final Effect effect : step.effects())
        {
            if (effect instanceof Effect.Spawned s)
            {
                lane(s.pid(), s.name(), s.user(), s.parent(), step.index(), step.record().timestamp);
            }
            else if (effect instanceof Effect.Ended e)
            {
                lanes.remove(e.pid()); // ended before the range: not drawn
            }
        }
    }

    private void see(final Step step, final KernelState state)
    {
        final SyscallRecord r = step.record();
        if (t0 == Long.MIN_VALUE)
        {
            t0 = r.timestamp;
            firstIndex = r.index;
            if (lanes.isEmpty())
            {
                lane(KernelState.INIT_PID, "init", KernelState.ROOT, 0, 0, r.timestamp);
            }
        }
        lastIndex = r.index;
        lastTime = r.timestamp;
        if (!step.result().ok())
        {
            final long lane = r.type == SyscallType.KILL && lanes.containsKey(r.arg0) ? r.arg0 : r.pid;
            mark(step, lane, r.pid, "error", r.type.syscallName() + "(" + CallText.args(Args.of(r)) + ") by " + r.pid +
                " (user " + step.user() + "): " + step.result().error.message());
        }
        for (final Effect effect : step.effects())
        {
            if (effect instanceof Effect.Spawned s)
            {
                lane(s.pid(), s.name(), s.user(), s.parent(), r.index, r.timestamp);
                mark(step, s.pid(), s.parent(), "spawn", "spawned " + s.pid() + " '" + s.name() + "' (user " + s.user() +
                    ") by " + s.parent());
            }
            else if (effect instanceof Effect.Queued q)
            {
                mark(step, q.pid(), q.from(), "event", EffectText.event(q.event()) + " to " + q.pid() + " from " +
                    (q.from() == 0 ? "kernel" : q.from()));
            }
            else if (effect instanceof Effect.Consumed c)
            {
                mark(step, c.pid(), 0, "pull", EffectText.of(c));
            }
            else if (effect instanceof Effect.Signalled s)
            {
                mark(step, s.to(), s.from(), "signal", "signal " + s.signal() + " from " + s.from() + " to " + s.to() +
                    ": " + s.outcome());
            }
            else if (effect instanceof Effect.TimerSet t)
            {
                mark(step, t.timer().pid(), 0, "timer", EffectText.of(t));
            }
            else if (effect instanceof Effect.TimerFired t)
            {
                mark(step, t.timer().pid(), 0, "timer", EffectText.of(t));
            }
            else if (effect instanceof Effect.TimerCancelled t)
            {
                mark(step, t.timer().pid(), 0, "timer", EffectText.of(t));
            }
            else if (effect instanceof Effect.Ended e)
            {
                final Map<String, Object> lane = lanes.get(e.pid());
                if (lane != null)
                {
                    final Map<String, Object> end = new LinkedHashMap<>();
                    end.put("i", r.index);
                    end.put("t", micros(r.timestamp));
                    end.put("how", e.how() + " " + e.value());
                    lane.put("end", end);
                }
                mark(step, e.pid(), e.by() == e.pid() ? 0 : e.by(), "end", EffectText.of(e));
            }
        }
    }

    private void lane(final long pid, final String name, final String user, final long parent, final long index,
        final long time)
    {
        final Map<String, Object> lane = new LinkedHashMap<>();
        lane.put("pid", pid);
        lane.put("name", name);
        lane.put("user", user);
        lane.put("parent", parent);
        lane.put("bornI", index);
        lane.put("bornT", t0 == Long.MIN_VALUE ? 0 : micros(Math.max(time, t0)));
        lane.put("end", null);
        lanes.put(pid, lane);
    }

    private void mark(final Step step, final long lane, final long from, final String kind, final String label)
    {
        if (!pids.isEmpty() && !pids.contains(lane) && !pids.contains(from))
        {
            return;
        }
        if (marks.size() >= maxMarks)
        {
            if (truncatedAt == 0)
            {
                truncatedAt = step.index();
            }
            return;
        }
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("i", step.index());
        m.put("t", micros(step.record().timestamp));
        m.put("lane", lane);
        m.put("from", from == lane ? 0 : from);
        m.put("kind", kind);
        final String text = "#" + step.index() + " " + Times.iso(step.record().timestamp) + " " + label;
        m.put("label", text.length() > MAX_LABEL ? text.substring(0, MAX_LABEL - 1) + "…" : text);
        marks.add(m);
    }

    private double micros(final long time)
    {
        return (time - t0) / 1_000.0;
    }

    private Map<String, Object> toJson(final JournalDir dir)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("title", "Ember timeline: " + dir.path().toAbsolutePath());
        m.put("start", t0 == Long.MIN_VALUE ? null : Times.iso(t0));
        m.put("firstIndex", firstIndex);
        m.put("lastIndex", lastIndex);
        m.put("lastT", t0 == Long.MIN_VALUE ? 0 : micros(lastTime));
        m.put("truncatedAt", truncatedAt);
        final Set<Long> drawn = new java.util.HashSet<>(pids);
        for (final Object mark : marks)
        {
            drawn.add((Long)((Map<?, ?>)mark).get("lane"));
        }
        final List<Object> laneList = new ArrayList<>();
        for (final Map<String, Object> lane : lanes.values())
        {
            if (pids.isEmpty() || drawn.contains((Long)lane.get("pid")))
            {
                laneList.add(lane);
            }
        }
        m.put("lanes", laneList);
        m.put("marks", marks);
        return m;
    }
}
