package ember.replay.audit;

import ember.journal.SyscallRecord;
import ember.journal.SyscallType;
import ember.kernel.state.KernelError;
import ember.kernel.state.KernelState;
import ember.replay.engine.Effect;
import ember.replay.engine.Origin;
import ember.replay.engine.Step;
import ember.replay.engine.Stepper;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An {@code aureport}-like summary of a journal (or of the records a filter keeps): counts per
 * syscall, user and pid; errors and permission denials; signals by number, sender and outcome;
 * events by name; processes spawned and ended; timers; the busiest processes.
 */
public final class Report
{
    public long records;
    /** The last pruned record (records 1..prunedTo are gone), 0 when nothing was pruned. */
    public long prunedTo;
    /** The snapshot the report's replay started from when records were pruned, else 0. */
    public long startIndex;
    public long firstIndex;
    public long lastIndex;
    public long firstTimeNs;
    public long lastTimeNs;
    public long failed;
    public final Counter<String> syscalls = new Counter<>();
    public final Counter<String> failedSyscalls = new Counter<>();
    public final Counter<String> users = new Counter<>();
    public final Counter<Long> pids = new Counter<>();
    public final Counter<String> errors = new Counter<>();
    public final List<LogEntry> denials = new ArrayList<>();
    public long deniedCount;
    public final Counter<Long> signals = new Counter<>();
    public final Counter<Long> signalSenders = new Counter<>();
    public final Counter<String> signalOutcomes = new Counter<>();
    public final Counter<String> events = new Counter<>();
    public final Counter<String> remoteTypes = new Counter<>();
    public final Counter<Long> received = new Counter<>();
    public final Counter<String> endings = new Counter<>();
    public long spawned;
    public long timersSet;
    public long timersFired;
    public long timersCancelled;
    /** Names of processes seen, for the busiest list. */
    public final Map<Long, String> names = new HashMap<>();

    private final int maxDenials;

    private Report(final int maxDenials)
    {
        this.maxDenials = maxDenials;
        names.put(KernelState.INIT_PID, "init");
    }

    /**
     * @param origin     where the walk starts (a snapshot when the journal was pruned).
     * @param filter     which records to count.
     * @param maxDenials how many permission denials to list one by one.
     * @return the report.
     */
    public static Report of(final Origin origin, final RecordFilter filter, final int maxDenials)
    {
        final Report report = new Report(maxDenials);
        if (origin.pruned())
        {
            report.prunedTo = origin.firstIndex() - 1;
            report.startIndex = origin.index();
        }
        try (Stepper stepper = new Stepper(origin))
        {
            while (stepper.hasNext() && filter.beforeEnd(stepper.nextIndex(), stepper.nextTimestamp()))
            {
                final Step step = stepper.step();
                report.name(step);
                if (filter.test(step))
                {
                    report.count(step);
                }
            }
            if (!stepper.hasNext())
            {
                stepper.checkReachedEnd();
            }
        }
        return report;
    }

    private void name(final Step step)
    {
        for (final Effect effect : step.effects())
        {
            if (effect instanceof Effect.Spawned s)
            {
                names.put(s.pid(), s.name());
            }
        }
    }

    private void count(final Step step)
    {
        final SyscallRecord r = step.record();
        if (records++ == 0)
        {
            firstIndex = r.index;
            firstTimeNs = r.timestamp;
        }
        lastIndex = r.index;
        lastTimeNs = r.timestamp;
        final String syscall = r.type.syscallName();
        syscalls.add(syscall);
        if (step.user() != null)
        {
            users.add(step.user());
        }
        if (r.type.isClientCall())
        {
            pids.add(r.pid);
        }
        if (!step.result().ok())
        {
            failed++;
            failedSyscalls.add(syscall);
            errors.add(step.result().error.message());
            if (step.result().error == KernelError.PERMISSION_DENIED)
            {
                deniedCount++;
                if (denials.size() < maxDenials)
                {
                    denials.add(LogEntry.of(step));
                }
            }
        }
        if (r.type == SyscallType.KILL)
        {
            signals.add(r.arg1);
            signalSenders.add(r.pid);
        }
        for (final Effect effect : step.effects())
        {
            if (effect instanceof Effect.Queued q)
            {
                events.add(q.event().name());
                if (q.event().type() != null)
                {
                    remoteTypes.add(q.event().type());
                }
                received.add(q.pid());
            }
            else if (effect instanceof Effect.Signalled s)
            {
                signalOutcomes.add(s.signal() + " " + s.outcome());
            }
            else if (effect instanceof Effect.Spawned)
            {
                spawned++;
            }
            else if (effect instanceof Effect.Ended e)
            {
                endings.add("exit".equals(e.how()) ? "exit " + e.value() : e.how() + " " + e.value());
            }
            else if (effect instanceof Effect.TimerSet)
            {
                timersSet++;
            }
            else if (effect instanceof Effect.TimerFired)
            {
                timersFired++;
            }
            else if (effect instanceof Effect.TimerCancelled)
            {
                timersCancelled++;
            }
        }
    }

    /** @return the processes with the most records made plus events received, busiest first. */
    public List<Long> busiest(final int limit)
    {
        final Counter<Long> activity = new Counter<>();
        for (final Long pid : pids.top(Integer.MAX_VALUE))
        {
            activity.add(pid, pids.get(pid));
        }
        for (final Long pid : received.top(Integer.MAX_VALUE))
        {
            activity.add(pid, received.get(pid));
        }
        return activity.top(limit);
    }
}
