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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The data of {@code timeline --html}: one lane per process (born, ended, its users in order, the
 * intervals it was stopped) and marks on the lanes for events, signals, timers, spawns, user
 * changes, ends and failed syscalls, each with the process it comes from so the page can draw an
 * arrow sender → receiver; the time axis with its idle gaps cut out ({@link TimeAxis}); and the
 * state after a sample of the marked records ({@link SampledStates}), shown when a mark is
 * clicked. Times are microseconds after the first record shown, so they stay exact as JavaScript
 * numbers. A mark sits only on a lane whose process exists at that record: a call by or to a pid
 * that does not exist (yet, or any more) goes on the "no such process" lane, pid 0.
 */
public final class Timeline
{
    private static final int MAX_LABEL = 160;

    /** The lane of marks whose process does not exist at that record. */
    static final long NO_PROCESS_LANE = 0;

    private final Map<Long, Map<String, Object>> lanes = new TreeMap<>();
    private final List<Object> marks = new ArrayList<>();
    private final Map<Long, Map<String, Object>> openStops = new HashMap<>();
    private final Set<Long> pids;
    private final int maxMarks;
    private final SampledStates states;
    private long t0 = Long.MIN_VALUE;
    private long firstIndex;
    private long lastIndex;
    private long lastTime;
    private long truncatedAt;

    private Timeline(final Set<Long> pids, final int maxMarks, final SampledStates states)
    {
        this.pids = pids;
        this.maxMarks = maxMarks;
        this.states = states;
    }

    /**
     * @param origin   where the walk starts (a snapshot when the journal was pruned).
     * @param filter   its {@code from}, {@code to} and {@code pids} select what is drawn.
     * @param maxMarks  stop adding marks after this many (the page says where it stopped).
     * @param maxStates embed the state after at most this many marked records (sampled evenly beyond).
     * @return the data as JSON-able maps.
     */
    public static Map<String, Object> of(final Origin origin, final RecordFilter filter, final int maxMarks,
        final int maxStates)
    {
        final JournalDir dir = origin.dir();
        final Timeline timeline = new Timeline(filter.pids(), maxMarks, new SampledStates(maxStates, dir.path().toString()));
        try (Stepper stepper = new Stepper(origin))
        {
            while (stepper.hasNext() && filter.beforeEnd(stepper.nextIndex(), stepper.nextTimestamp()))
            {
                final Step step = stepper.step();
                if (filter.from() == null || filter.from().reachedBy(step.index(), step.record().timestamp))
                {
                    timeline.see(step);
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
        timeline.states.render(origin);
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
            else if (effect instanceof Effect.UserChanged u)
            {
                userChanged(u, step.record());
            }
            else if (effect instanceof Effect.Signalled s)
            {
                stopOrContinue(s, step.record());
            }
            else if (effect instanceof Effect.Ended e)
            {
                lanes.remove(e.pid()); // ended before the range: not drawn
                openStops.remove(e.pid());
            }
        }
    }

    private void see(final Step step)
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
            // on the target of a refused kill, else on the caller; never on a lane before its
            // process exists or after it ended (a pid that is spawned later got the call too early)
            final long lane = r.type == SyscallType.KILL && alive(r.arg0) ? r.arg0 : alive(r.pid) ? r.pid : NO_PROCESS_LANE;
            if (lane == NO_PROCESS_LANE && !lanes.containsKey(NO_PROCESS_LANE))
            {
                lane(NO_PROCESS_LANE, "(no such process)", "-", 0, r.index, r.timestamp);
            }
            mark(step, lane, alive(r.pid) ? r.pid : 0, "error", r.type.syscallName() + "(" + CallText.args(Args.of(r)) +
                ") by " + r.pid + " (user " + step.user() + "): " + step.result().error.message());
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
                stopOrContinue(s, r);
            }
            else if (effect instanceof Effect.UserChanged u)
            {
                userChanged(u, r);
                mark(step, u.pid(), 0, "user", EffectText.of(u));
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
                final Map<String, Object> stop = openStops.remove(e.pid());
                if (stop != null)
                {
                    stop.put("endI", r.index);
                    stop.put("endT", micros(r.timestamp)); // ended while stopped
                }
                mark(step, e.pid(), e.by() == e.pid() ? 0 : e.by(), "end", EffectText.of(e));
            }
        }
    }

    /** @return true when {@code pid} has a lane now: spawned (in or before the range) and not ended. */
    private boolean alive(final long pid)
    {
        final Map<String, Object> lane = lanes.get(pid);
        return lane != null && pid != NO_PROCESS_LANE && lane.get("end") == null;
    }

    private void lane(final long pid, final String name, final String user, final long parent, final long index,
        final long time)
    {
        final Map<String, Object> lane = new LinkedHashMap<>();
        lane.put("pid", pid);
        lane.put("name", name);
        lane.put("user", user);
        final List<Object> users = new ArrayList<>();
        users.add(userAt(index, time, user));
        lane.put("users", users);
        lane.put("parent", parent);
        lane.put("bornI", index);
        lane.put("bornT", clamped(time));
        lane.put("end", null);
        lane.put("stops", new ArrayList<>());
        lanes.put(pid, lane);
    }

    /** The lane's label shows the latest user; {@code users} keeps every change, for its tooltip. */
    @SuppressWarnings("unchecked")
    private void userChanged(final Effect.UserChanged u, final SyscallRecord r)
    {
        final Map<String, Object> lane = lanes.get(u.pid());
        if (lane != null)
        {
            lane.put("user", u.to());
            if (truncatedAt == 0) // past --max-marks the page grows no more: the label still shows the latest
            {
                ((List<Object>)lane.get("users")).add(userAt(r.index, r.timestamp, u.to()));
            }
        }
    }

    private Map<String, Object> userAt(final long index, final long time, final String user)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("i", index);
        m.put("t", clamped(time));
        m.put("user", user);
        return m;
    }

    /**
     * After a signal: open a stopped interval when apply reported that it stopped the target, close
     * it when apply reported that it continued it. Apply decides, not the signal number, so every
     * stopping signal (STOP, TSTP, TTIN, TTOU) and every continuation counts.
     */
    @SuppressWarnings("unchecked")
    private void stopOrContinue(final Effect.Signalled s, final SyscallRecord r)
    {
        final long pid = s.to();
        final long signal = s.signal();
        final Map<String, Object> lane = lanes.get(pid);
        if (lane == null)
        {
            return;
        }
        final Map<String, Object> open = openStops.get(pid);
        if (s.stopped() && open == null && truncatedAt == 0) // past --max-marks no new intervals
        {
            final Map<String, Object> stop = new LinkedHashMap<>();
            stop.put("i", r.index);
            stop.put("t", clamped(r.timestamp));
            stop.put("signal", signal);
            stop.put("endI", null);
            stop.put("endT", null);
            ((List<Object>)lane.get("stops")).add(stop);
            openStops.put(pid, stop);
        }
        else if (s.continued() && open != null)
        {
            open.put("endI", r.index);
            open.put("endT", clamped(r.timestamp));
            openStops.remove(pid);
        }
    }

    /** @return µs after the first record shown; 0 for what happened before it (or before it is known). */
    private double clamped(final long time)
    {
        return t0 == Long.MIN_VALUE ? 0 : micros(Math.max(time, t0));
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
        states.offer(step.index());
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
            final long pid = (Long)lane.get("pid");
            if ((pids.isEmpty() && pid != NO_PROCESS_LANE) || drawn.contains(pid))
            {
                laneList.add(lane);
            }
        }
        m.put("lanes", laneList);
        m.put("marks", marks);
        m.put("axis", TimeAxis.of(times(laneList)));
        m.put("states", states.toJson());
        return m;
    }

    /** @return every time the page places on the time axis: marks, births, ends, stops, user changes, the last record. */
    private double[] times(final List<Object> laneList)
    {
        final List<Object> times = new ArrayList<>();
        times.add(0.0);
        times.add(t0 == Long.MIN_VALUE ? 0.0 : micros(lastTime));
        for (final Object mark : marks)
        {
            times.add(((Map<?, ?>)mark).get("t"));
        }
        for (final Object o : laneList)
        {
            final Map<?, ?> lane = (Map<?, ?>)o;
            times.add(lane.get("bornT"));
            if (lane.get("end") != null)
            {
                times.add(((Map<?, ?>)lane.get("end")).get("t"));
            }
            for (final Object stop : (List<?>)lane.get("stops"))
            {
                times.add(((Map<?, ?>)stop).get("t"));
                times.add(((Map<?, ?>)stop).get("endT"));
            }
            for (final Object user : (List<?>)lane.get("users"))
            {
                times.add(((Map<?, ?>)user).get("t"));
            }
        }
        return times.stream().filter(t -> t != null).mapToDouble(t -> ((Number)t).doubleValue()).toArray();
    }
}
