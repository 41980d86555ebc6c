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

    /** The section each kind of effect is listed in; any other kind is in "kernel". */
    private static final Map<Class<?>, String> SECTION_OF = Map.ofEntries(
        Map.entry(Effect.Spawned.class, "born"), Map.entry(Effect.Ended.class, "ended"),
        Map.entry(Effect.Signalled.class, "signals"), Map.entry(Effect.Queued.class, "queued"),
        Map.entry(Effect.Consumed.class, "consumed"), Map.entry(Effect.TimerSet.class, "timersSet"),
        Map.entry(Effect.TimerFired.class, "timersFired"), Map.entry(Effect.TimerCancelled.class, "timersCancelled"),
        Map.entry(Effect.UserChanged.class, "users"), Map.entry(Effect.DispositionChanged.class, "dispositions"),
        Map.entry(Effect.Registered.class, "services"));

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

    /** @return the diff section an effect is listed in ({@link #SECTION_OF}; effects are records, so their class is exact). */
    private static String section(final Effect effect)
    {
        return SECTION_OF.getOrDefault(effect.getClass(), "kernel"); // clients attached and detached, kernel (re)opened
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
