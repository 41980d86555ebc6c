package ember.replay.audit;

import ember.kernel.state.Event;
import ember.kernel.state.KernelState;
import ember.replay.ToolException;
import ember.replay.engine.Effect;
import ember.replay.engine.Origin;
import ember.replay.engine.Progress;
import ember.replay.engine.Step;
import ember.replay.engine.Stepper;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What changed between two points of a journal (after record A, after record B): processes born
 * and ended, events queued (and what became of them by B) and consumed, timers and alarms set,
 * fired and cancelled, users, dispositions, services and clients; plus each queue's length at A
 * and at B. Built by replaying A+1..B and collecting the observed {@link Effect}s.
 */
public final class Diff
{
    /** What became of an event queued between A and B, as of B. */
    public enum Fate
    {
        STILL_QUEUED, CONSUMED, DROPPED
    }

    public final long fromIndex;
    public final long toIndex;
    public final long fromTimeNs;
    public final long toTimeNs;
    public final String fromDigest;
    public final String toDigest;
    public final long records;
    /** Effects by section name, in journal order: born, ended, queued, consumed, timers, other. */
    public final Map<String, List<Dated>> sections = new LinkedHashMap<>();
    /** Fate of each event in the {@code queued} section, by identity. */
    public final IdentityHashMap<Event, Fate> fates = new IdentityHashMap<>();
    /** pid → {queue length at A, at B}; -1 when the process was not alive then. */
    public final Map<Long, long[]> queueLengths = new TreeMap<>();

    private Diff(final long fromIndex, final long fromTimeNs, final String fromDigest, final long toIndex,
        final long toTimeNs, final String toDigest, final long records)
    {
        this.fromIndex = fromIndex;
        this.fromTimeNs = fromTimeNs;
        this.fromDigest = fromDigest;
        this.toIndex = toIndex;
        this.toTimeNs = toTimeNs;
        this.toDigest = toDigest;
        this.records = records;
    }

    /** The section names, in print order. */
    public static final List<String> SECTIONS = List.of("born", "ended", "signals", "queued", "consumed", "timersSet",
        "timersFired", "timersCancelled", "users", "dispositions", "services", "kernel");

    /**
     * @param origin where replay starts: at or before {@code a} ({@link Origin#atOrBefore}).
     * @param a   the earlier record index (0: the empty state).
     * @param b   the later record index.
     * @return the differences.
     */
    public static Diff compute(final Origin origin, final long a, final long b)
    {
        if (a > b)
        {
            throw new ToolException("the first point (record " + a + ") is after the second (record " + b + ")",
                ToolException.USAGE);
        }
        try (Stepper stepper = new Stepper(origin))
        {
            try (Progress progress = Progress.onTerminal("replay", a))
            {
                stepper.skipTo(a, progress);
            }
            final KernelState state = stepper.state();
            if (state.lastIndex() < a)
            {
                stepper.checkReachedEnd();
                throw new ToolException("the journal ends at record " + state.lastIndex() + "; there is no record " + a);
            }
            final Map<Long, Integer> lengthsAtA = queueLengths(state);
            final long fromTime = state.lastTimestamp();
            final String fromDigest = state.digest();
            final Map<String, List<Dated>> sections = new LinkedHashMap<>();
            for (final String name : SECTIONS)
            {
                sections.put(name, new ArrayList<>());
            }
            final IdentityHashMap<Event, Fate> fates = new IdentityHashMap<>();
            long records = 0;
            while (state.lastIndex() < b && stepper.hasNext())
            {
                final Step step = stepper.step();
                records++;
                for (final Effect effect : step.effects())
                {
                    final Dated dated = new Dated(step.index(), step.record().timestamp, effect);
                    sections.get(section(effect)).add(dated);
                    if (effect instanceof Effect.Queued q)
                    {
                        fates.put(q.event(), Fate.STILL_QUEUED);
                    }
                    else if (effect instanceof Effect.Consumed c && fates.containsKey(c.event()))
                    {
                        fates.put(c.event(), Fate.CONSUMED);
                    }
                    else if (effect instanceof Effect.Ended e)
                    {
                        for (final Event dropped : e.discarded())
                        {
                            if (fates.containsKey(dropped))
                            {
                                fates.put(dropped, Fate.DROPPED);
                            }
                        }
                    }
                }
            }
            if (state.lastIndex() < b)
            {
                stepper.checkReachedEnd();
                throw new ToolException("the journal ends at record " + state.lastIndex() + "; there is no record " + b);
            }
            final Diff diff = new Diff(a, fromTime, fromDigest, state.lastIndex(), state.lastTimestamp(), state.digest(),
                records);
            diff.sections.putAll(sections);
            diff.fates.putAll(fates);
            final Map<Long, Integer> lengthsAtB = queueLengths(state);
            for (final Map.Entry<Long, Integer> e : lengthsAtA.entrySet())
            {
                diff.queueLengths.put(e.getKey(), new long[] {e.getValue(), lengthsAtB.getOrDefault(e.getKey(), -1)});
            }
            for (final Map.Entry<Long, Integer> e : lengthsAtB.entrySet())
            {
                diff.queueLengths.putIfAbsent(e.getKey(), new long[] {-1, e.getValue()});
            }
            return diff;
        }
    }

    private static String section(final Effect effect)
    {
        if (effect instanceof Effect.Spawned)
        {
            return "born";
        }
        if (effect instanceof Effect.Ended)
        {
            return "ended";
        }
        if (effect instanceof Effect.Signalled)
        {
            return "signals";
        }
        if (effect instanceof Effect.Queued)
        {
            return "queued";
        }
        if (effect instanceof Effect.Consumed)
        {
            return "consumed";
        }
        if (effect instanceof Effect.TimerSet)
        {
            return "timersSet";
        }
        if (effect instanceof Effect.TimerFired)
        {
            return "timersFired";
        }
        if (effect instanceof Effect.TimerCancelled)
        {
            return "timersCancelled";
        }
        if (effect instanceof Effect.UserChanged)
        {
            return "users";
        }
        if (effect instanceof Effect.DispositionChanged)
        {
            return "dispositions";
        }
        if (effect instanceof Effect.Registered)
        {
            return "services";
        }
        return "kernel"; // clients attached and detached, kernel (re)opened
    }

    private static Map<Long, Integer> queueLengths(final KernelState state)
    {
        final Map<Long, Integer> lengths = new TreeMap<>();
        for (final long pid : state.pids())
        {
            lengths.put(pid, state.process(pid).queued());
        }
        return lengths;
    }
}
