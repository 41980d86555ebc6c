package ember.replay.audit;

import ember.journal.SyscallRecord;
import ember.journal.SyscallType;
import ember.kernel.state.Event;
import ember.kernel.state.KernelState;
import ember.replay.ToolException;
import ember.replay.engine.Effect;
import ember.replay.engine.Origin;
import ember.replay.engine.Point;
import ember.replay.engine.Step;
import ember.replay.engine.Stepper;
import ember.replay.render.CallText;
import ember.replay.render.EffectJson;
import ember.replay.render.EffectText;
import ember.replay.render.Times;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The life of one process, like {@code strace} for a process that is journaled: who spawned it,
 * every event it received and from whom, every signal sent to it and by whom (refused ones too),
 * its timers and alarms, its user, dispositions and services, children, and how it ended.
 */
public final class Trace
{
    /**
     * One line of the life.
     *
     * @param kind e.g. {@code spawned}, {@code received}, {@code signal}, {@code timer}, {@code ended}.
     * @param text a sentence for people.
     * @param data the same as JSON-able data.
     */
    public record Item(long index, long timeNs, String kind, String text, Map<String, Object> data)
    {
    }

    public final long pid;
    public final List<Item> items = new ArrayList<>();
    public String name;
    public String user;
    public long parent;
    public Item born;
    public Item ended;
    public long lastIndex;
    public long lastTimeNs;

    private Trace(final long pid)
    {
        this.pid = pid;
    }

    /**
     * @param origin where the walk starts (a snapshot when the journal was pruned).
     * @param pid   the process.
     * @param to    where to stop (null: the end of the journal).
     * @param calls also list the syscalls the process made itself.
     * @return its life.
     * @throws ToolException when the process never existed.
     */
    public static Trace of(final Origin origin, final long pid, final Point to, final boolean calls)
    {
        final Trace trace = new Trace(pid);
        final long toIndex = to == null ? Long.MAX_VALUE : to.resolve(origin.dir());
        try (Stepper stepper = new Stepper(origin))
        {
            final ember.kernel.state.ProcessEntry alive = stepper.state().process(pid);
            if (origin.index() > 0 && alive != null)
            {
                // Spawned in records before the snapshot (pruned, or not replayed): its life starts there.
                trace.name = alive.name();
                trace.user = alive.user();
                trace.parent = alive.parent();
                trace.born = trace.add(origin.index(), stepper.state().lastTimestamp(), "snapshot",
                    "alive in the snapshot at record " + origin.index() + " as '" + alive.name() + "', user " +
                        alive.user() + " (its earlier life is before the snapshot)", Map.of());
            }
            else if (pid == KernelState.INIT_PID)
            {
                trace.name = "init";
                trace.user = KernelState.ROOT;
                trace.born = trace.add(0, 0, "started", "started with the journal as init, user root", Map.of());
            }
            while (stepper.hasNext() && stepper.nextIndex() <= toIndex)
            {
                trace.see(stepper.step(), calls);
            }
            if (stepper.state().lastIndex() < toIndex)
            {
                stepper.checkReachedEnd();
            }
            trace.lastIndex = stepper.state().lastIndex();
            trace.lastTimeNs = stepper.state().lastTimestamp();
            if (trace.born == null)
            {
                throw new ToolException("process " + pid + " was never spawned in this journal (up to record " +
                    trace.lastIndex + ", pids 1.." + (stepper.state().nextPid() - 1) + ")");
            }
        }
        return trace;
    }

    private void see(final Step step, final boolean calls)
    {
        final SyscallRecord r = step.record();
        final long index = r.index;
        final long time = r.timestamp;
        if (calls && r.pid == pid && r.type.isClientCall() && born != null)
        {
            final LogEntry entry = LogEntry.of(step);
            add(index, time, "call", r.type.syscallName() + "(" + CallText.args(entry.args()) + ")" +
                CallText.outcome(entry.result(), entry.error(), entry.effects()), entry.toJson());
        }
        if (r.type == SyscallType.KILL && r.arg0 == pid && !step.result().ok())
        {
            add(index, time, "signal", "signal " + r.arg1 + " from " + r.pid + " (user " + step.user() + ") refused: " +
                step.result().error.message(), data("from", r.pid, "user", step.user(), "signal", r.arg1,
                "error", step.result().error.message()));
        }
        if (r.type == SyscallType.SEND_EVENT && r.arg0 == pid && step.result().ok() && step.result().number == 0 &&
            born != null)
        {
            add(index, time, "undelivered", "event '" + r.text + "' from " + r.pid + " not delivered" +
                (ended != null ? " (process gone)" : " (queue full)"), data("from", r.pid, "type", r.text));
        }
        for (final Effect effect : step.effects())
        {
            seeEffect(index, time, step, effect);
        }
    }

    private void seeEffect(final long index, final long time, final Step step, final Effect effect)
    {
        if (effect instanceof Effect.Spawned e && e.pid() == pid)
        {
            name = e.name();
            user = e.user();
            parent = e.parent();
            born = add(index, time, "spawned", "spawned by " + e.parent() + " (user " + step.user() + ") as '" +
                e.name() + "', user " + e.user(), EffectJson.of(effect));
        }
        else if (effect instanceof Effect.Spawned e && e.parent() == pid)
        {
            add(index, time, "child", "spawned child " + e.pid() + " ('" + e.name() + "')", EffectJson.of(effect));
        }
        else if (effect instanceof Effect.Queued e && e.pid() == pid)
        {
            add(index, time, "received", "received " + EffectText.event(e.event()) + " from " +
                (e.from() == 0 ? "the kernel" : e.from()), EffectJson.of(effect));
        }
        else if (effect instanceof Effect.Consumed e && e.pid() == pid)
        {
            add(index, time, "pulled", "pulled " + EffectText.event(e.event()), EffectJson.of(effect));
        }
        else if (effect instanceof Effect.Signalled e && e.to() == pid)
        {
            final Map<String, Object> data = EffectJson.of(effect);
            data.put("user", step.user());
            add(index, time, "signal", "signal " + e.signal() + " from " + e.from() + " (user " + step.user() + "): " +
                e.outcome(), data);
        }
        else if (effect instanceof Effect.TimerSet e && e.timer().pid() == pid)
        {
            add(index, time, "timer", EffectText.of(effect), EffectJson.of(effect));
        }
        else if (effect instanceof Effect.TimerFired e && e.timer().pid() == pid)
        {
            add(index, time, "timer", EffectText.of(effect), EffectJson.of(effect));
        }
        else if (effect instanceof Effect.TimerCancelled e && e.timer().pid() == pid)
        {
            add(index, time, "timer", EffectText.of(effect), EffectJson.of(effect));
        }
        else if (effect instanceof Effect.UserChanged e && e.pid() == pid)
        {
            user = e.to();
            add(index, time, "user", EffectText.of(effect), EffectJson.of(effect));
        }
        else if (effect instanceof Effect.DispositionChanged e && e.pid() == pid)
        {
            add(index, time, "disposition", EffectText.of(effect), EffectJson.of(effect));
        }
        else if (effect instanceof Effect.Registered e && e.pid() == pid)
        {
            add(index, time, "service", "registered service '" + e.name() + "'", EffectJson.of(effect));
        }
        else if (effect instanceof Effect.Diagnostic e && step.record().type == SyscallType.KILL && step.record().arg0 == pid)
        {
            add(index, time, "diagnostic", EffectText.of(effect), EffectJson.of(effect)); // a kill's only diagnostic is of its target
        }
        else if (effect instanceof Effect.Ended e && pid == KernelState.INIT_PID && !e.orphans().isEmpty())
        {
            add(index, time, "adopted", "adopted " + e.orphans() + ": their parent " + e.pid() + " ended",
                EffectJson.of(effect));
        }
        else if (effect instanceof Effect.Ended e && e.orphans().contains(pid))
        {
            parent = KernelState.INIT_PID;
            add(index, time, "reparented", "re-parented to 1: parent " + e.pid() + " ended", EffectJson.of(effect));
        }
        else if (effect instanceof Effect.Ended e && e.pid() == pid)
        {
            final StringBuilder text = new StringBuilder(EffectText.of(effect));
            if (!e.discarded().isEmpty())
            {
                text.append("; its queue held:");
                for (final Event event : e.discarded())
                {
                    text.append(' ').append(EffectText.event(event)).append(';');
                }
                text.setLength(text.length() - 1);
            }
            ended = add(index, time, "ended", text.toString(), EffectJson.of(effect));
        }
    }

    private Item add(final long index, final long time, final String kind, final String text, final Map<String, Object> data)
    {
        final Item item = new Item(index, time, kind, text, data);
        items.add(item);
        return item;
    }

    private static Map<String, Object> data(final Object... keyValues)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2)
        {
            m.put((String)keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    /** @return the trace as one JSON-able document. */
    public Map<String, Object> toJson()
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", pid);
        m.put("name", name);
        m.put("user", user);
        m.put("parent", parent);
        m.put("born", born == null ? null : point(born));
        m.put("ended", ended == null ? null : point(ended));
        m.put("throughIndex", lastIndex);
        final List<Object> list = new ArrayList<>();
        for (final Item item : items)
        {
            final Map<String, Object> i = point(item);
            i.put("kind", item.kind());
            i.put("text", item.text());
            i.put("data", item.data());
            list.add(i);
        }
        m.put("items", list);
        return m;
    }

    private static Map<String, Object> point(final Item item)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", item.index());
        m.put("time", item.index() == 0 ? null : Times.iso(item.timeNs()));
        return m;
    }
}
