package ember.replay.engine;

import ember.journal.SyscallRecord;
import ember.journal.SyscallType;
import ember.kernel.state.Disposition;
import ember.kernel.state.Event;
import ember.kernel.state.KernelState;
import ember.kernel.state.PendingTimer;
import ember.kernel.state.ProcessEntry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the replayed state looked like just before a record was applied, for the processes the
 * record can touch: the caller, the target of {@code kill}/{@code sendEvent}, the owner of a firing
 * or cancelled timer, and their parents. For a process the record may end, the things that end
 * with it (queue, timers, children, services) are copied too.
 * <p>
 * Which processes to look at is chosen from the record's arguments; what happened to them is
 * always read from the state after {@code apply} (see {@link EffectTracker}).
 */
public final class Before
{
    /** Copies of what a process held, taken because the record may end it. */
    public record Belongings(List<Event> queue, List<PendingTimer> timers, List<Long> children, List<String> services)
    {
    }

    private final Map<Long, ProcessMark> marks = new LinkedHashMap<>(8);
    private final Map<Long, Belongings> belongings = new LinkedHashMap<>(2);
    private PendingTimer timer;

    private Before()
    {
    }

    /**
     * @param state  the replayed state, before {@code record} is applied.
     * @param record the record about to be applied.
     * @return the capture.
     */
    public static Before capture(final KernelState state, final SyscallRecord record)
    {
        final Before before = new Before();
        switch (record.type)
        {
            case KERNEL_OPEN:
            case CLIENT_ATTACH:
            case CLIENT_DETACH:
                return before;
            case TIMER_FIRED:
            case ALARM_FIRED:
                before.timer = state.pendingTimer(record.arg0);
                if (before.timer != null)
                {
                    before.mark(state, before.timer.pid(), 0, true);
                }
                return before;
            default:
                break;
        }
        final long signal = record.type == SyscallType.SIGNAL ? record.arg0 : 0;
        before.mark(state, record.pid, signal, true);
        switch (record.type)
        {
            case EXIT:
                before.keepBelongings(state, record.pid);
                break;
            case KILL:
                before.mark(state, record.arg0, record.arg1, true);
                final ProcessEntry target = state.process(record.arg0);
                if (target != null && mayEnd(target, record.arg1))
                {
                    before.keepBelongings(state, record.arg0);
                }
                break;
            case SEND_EVENT:
                before.mark(state, record.arg0, 0, false);
                break;
            case CANCEL:
                before.timer = state.pendingTimer(record.arg0);
                break;
            default:
                break;
        }
        return before;
    }

    /** Only a cheap filter for what to copy: the outcome is read from the state after apply. */
    private static boolean mayEnd(final ProcessEntry target, final long signal)
    {
        final Disposition d = target.disposition(signal);
        return signal == Disposition.SIGKILL || d == Disposition.TERMINATE || d == Disposition.TERMINATE_WITH_DIAGNOSTIC;
    }

    private void mark(final KernelState state, final long pid, final long signal, final boolean withParent)
    {
        final ProcessEntry entry = state.process(pid);
        if (entry == null)
        {
            return;
        }
        final ProcessMark seen = marks.get(pid);
        if (seen == null || (signal != 0 && seen.signal() != signal))
        {
            marks.put(pid, ProcessMark.of(entry, signal)); // the same moment: only the captured signal differs
        }
        if (withParent)
        {
            mark(state, entry.parent(), 0, false);
        }
    }

    private void keepBelongings(final KernelState state, final long pid)
    {
        final ProcessEntry entry = state.process(pid);
        if (entry == null || pid == KernelState.INIT_PID)
        {
            return;
        }
        final List<Event> queue = new ArrayList<>(entry.queued());
        entry.queue().forEach(queue::add);
        final List<PendingTimer> timers = new ArrayList<>(entry.timerCount());
        if (entry.timerCount() > 0)
        {
            for (final PendingTimer t : state.pendingTimers())
            {
                if (t.pid() == pid)
                {
                    timers.add(t);
                }
            }
        }
        final List<Long> children = new ArrayList<>();
        for (final long child : state.pids())
        {
            if (state.process(child).parent() == pid)
            {
                children.add(child);
            }
        }
        belongings.put(pid, new Belongings(List.copyOf(queue), List.copyOf(timers), List.copyOf(children),
            List.copyOf(entry.services())));
    }

    /** @return the facts of {@code pid} before the record, or null when it was not live or not looked at. */
    public ProcessMark mark(final long pid)
    {
        return marks.get(pid);
    }

    /** @return every process looked at, in the order captured (caller first). */
    public Iterable<ProcessMark> marks()
    {
        return marks.values();
    }

    /** @return what {@code pid} held, when the record may end it; else null. */
    public Belongings belongings(final long pid)
    {
        return belongings.get(pid);
    }

    /** @return the timer or alarm the record names (fire, cancel) as it was pending, or null. */
    public PendingTimer timer()
    {
        return timer;
    }
}
