package ember.kernel.durability;

import ember.journal.PayloadCodec;
import ember.kernel.state.Event;
import ember.kernel.state.KernelState;
import ember.kernel.state.PendingTimer;
import ember.kernel.state.ProcessEntry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the kernel state must hold after any number of crash rounds, built from the
 * acknowledgements {@link MixedCrashLoad} printed: the pids alive, every acknowledged event (in
 * queue order) and every acknowledged timer or alarm. After each crash the one syscall that was
 * in flight is resolved against the recovered state (it may or may not have reached the
 * journal), so the model is exact again for the next round.
 */
final class CrashLoopModel
{
    /** Where an acknowledged checked event must be. */
    private record Expected(long pid, boolean remote, long sender)
    {
    }

    private final Map<Long, Expected> events = new HashMap<>();
    /** Seqs of in-flight syscalls that did not reach the journal: must never show up. */
    private final Set<Long> lost = new HashSet<>();
    private final Set<Long> holders = new TreeSet<>();
    private final Set<Long> victims = new TreeSet<>();
    private final Set<Long> ended = new HashSet<>();
    /** Timer or alarm id → owner pid. */
    private final Map<Long, Long> timers = new HashMap<>();
    private final Set<Long> cancelled = new HashSet<>();
    private long maxPid = 1;
    private long timerCount;

    long acknowledged;
    long errors;
    private final List<String> failures = new ArrayList<>();
    private String context = "";

    /** @return the number of checked events the state must hold. */
    int expectedEvents()
    {
        return events.size();
    }

    private void fail(final String message)
    {
        if (failures.size() < 20)
        {
            failures.add(context + message);
        }
    }

    /** @throws AssertionError listing what the state or the acknowledgements got wrong. */
    void assertNoFailures(final String what)
    {
        if (!failures.isEmpty())
        {
            throw new AssertionError(what + ":\n  " + String.join("\n  ", failures));
        }
    }

    private boolean alive(final long pid)
    {
        return pid == 1 || holders.contains(pid) || victims.contains(pid);
    }

    /**
     * Apply one round's output.
     *
     * @return the {@code DO} line still in flight at the crash, or null.
     */
    String[] consume(final List<String> lines, final int round)
    {
        String[] pending = null;
        for (final String line : lines)
        {
            context = "round " + round + ", line '" + line + "': ";
            final String[] w = line.split(" ");
            switch (w[0])
            {
                case "DO" ->
                {
                    if (pending != null)
                    {
                        fail("a DO followed a DO without an outcome");
                    }
                    pending = w;
                }
                case "ACK" ->
                {
                    acknowledged++;
                    ack(w, pending);
                    pending = null;
                }
                case "ERR" ->
                {
                    errors++;
                    error(line.substring(("ERR " + w[1] + " ").length()), pending);
                    pending = null;
                }
                default ->
                {
                    // READY and diagnostics
                }
            }
        }
        context = "";
        return pending;
    }

    private void ack(final String[] w, final String[] pending)
    {
        if (pending == null || !pending[1].equals(w[1]))
        {
            fail("ACK without its DO");
            return;
        }
        switch (w[1])
        {
            case "spawn" ->
            {
                final long pid = Long.parseLong(w[4]);
                if (pid <= maxPid)
                {
                    fail("pid " + pid + " is not above every earlier pid (" + maxPid + "): pids must grow");
                }
                maxPid = Math.max(maxPid, pid);
                (w[3].equals("holder") ? holders : victims).add(pid);
            }
            case "queue" ->
            {
                final long pid = Long.parseLong(w[2]);
                if (!holders.contains(pid))
                {
                    fail("queued as " + pid + ", which is not a live holder");
                }
                events.put(Long.parseLong(w[3]), new Expected(pid, false, 0));
            }
            case "send" ->
            {
                final long from = Long.parseLong(w[2]);
                final long to = Long.parseLong(w[3]);
                if (!w[5].equals("true"))
                {
                    fail("sendEvent to live holder " + to + " returned " + w[5]);
                }
                else
                {
                    events.put(Long.parseLong(w[4]), new Expected(to, true, from));
                }
            }
            case "sendv" ->
            {
                final long to = Long.parseLong(w[3]);
                final boolean expected = alive(to);
                if (Boolean.parseBoolean(w[4]) != expected)
                {
                    fail("sendEvent to " + (expected ? "live" : "ended") + " process " + to + " returned " + w[4]);
                }
            }
            case "kill" ->
            {
                final long target = Long.parseLong(w[3]);
                final long signal = Long.parseLong(w[4]);
                if (!alive(target))
                {
                    fail("kill of ended process " + target + " succeeded (expected No such process)");
                }
                if (target == 1 && signal == 9)
                {
                    fail("kill(1, 9) succeeded (expected Permission denied)");
                }
                if (target != 1 && MixedCrashLoad.ends(signal))
                {
                    end(target);
                }
            }
            case "exit" -> end(Long.parseLong(w[2]));
            case "timer", "alarm" ->
            {
                final long pid = Long.parseLong(w[2]);
                final long id = Long.parseLong(w[4]);
                final boolean alarm = w[1].equals("alarm");
                if (PendingTimer.isAlarmId(id) != alarm)
                {
                    fail((alarm ? "alarm" : "timer") + " id " + id + (alarm ? " lacks" : " has") + " bit 31");
                }
                final long count = id & ~PendingTimer.ALARM_BIT;
                if (count != timerCount + 1)
                {
                    fail("timer/alarm id count " + count + " does not follow " + timerCount);
                }
                timerCount = Math.max(timerCount, count);
                timers.put(id, pid);
            }
            case "cancel" ->
            {
                final long id = Long.parseLong(w[3]);
                final Long owner = timers.get(id);
                if (owner != null && owner == Long.parseLong(w[2]))
                {
                    cancelled.add(id);
                }
            }
            default -> fail("unknown kind");
        }
    }

    private void error(final String message, final String[] pending)
    {
        if (pending == null)
        {
            fail("ERR without its DO");
            return;
        }
        if (pending[1].equals("kill"))
        {
            final long target = Long.parseLong(pending[3]);
            final long signal = Long.parseLong(pending[4]);
            if (message.equals("No such process") && !alive(target))
            {
                return;
            }
            if (message.equals("Permission denied") && target == 1 && signal == 9)
            {
                return;
            }
        }
        fail("unexpected error '" + message + "' for " + String.join(" ", pending));
    }

    private void end(final long pid)
    {
        if (!victims.remove(pid))
        {
            fail("process " + pid + " ended but it was not a live victim");
        }
        ended.add(pid);
    }

    /**
     * Resolve the syscall in flight at the crash against the recovered state: it either reached
     * the journal (then it is applied) or not.
     */
    void resolveInFlight(final String[] pending, final KernelState state, final PayloadCodec codec)
    {
        if (pending == null)
        {
            return;
        }
        context = "in-flight '" + String.join(" ", pending) + "': ";
        switch (pending[1])
        {
            case "spawn" ->
            {
                if (state.nextPid() > maxPid + 1)
                {
                    final long pid = maxPid + 1;
                    maxPid = pid;
                    (pending[3].equals("holder") ? holders : victims).add(pid);
                }
            }
            case "queue", "send" ->
            {
                final long seq = Long.parseLong(pending[pending[1].equals("queue") ? 3 : 4]);
                final Map<Long, Located> present = present(state, codec);
                final Located where = present.get(seq);
                if (where == null)
                {
                    lost.add(seq);
                }
                else if (pending[1].equals("queue"))
                {
                    events.put(seq, new Expected(Long.parseLong(pending[2]), false, 0));
                }
                else
                {
                    events.put(seq, new Expected(Long.parseLong(pending[3]), true, Long.parseLong(pending[2])));
                }
            }
            case "kill" ->
            {
                final long target = Long.parseLong(pending[3]);
                if (target != 1 && MixedCrashLoad.ends(Long.parseLong(pending[4])) && alive(target) &&
                    state.process(target) == null)
                {
                    end(target);
                }
            }
            case "exit" ->
            {
                final long pid = Long.parseLong(pending[2]);
                if (state.process(pid) == null)
                {
                    end(pid);
                }
            }
            case "timer", "alarm" ->
            {
                if (state.timerCount() > timerCount)
                {
                    timerCount++;
                    final long id = pending[1].equals("alarm") ? PendingTimer.ALARM_BIT + timerCount : timerCount;
                    timers.put(id, Long.parseLong(pending[2]));
                }
            }
            case "cancel" ->
            {
                final long id = Long.parseLong(pending[3]);
                final Long owner = timers.get(id);
                if (owner != null && owner == Long.parseLong(pending[2]) && state.pendingTimer(id) == null)
                {
                    cancelled.add(id); // cancelled, or fired before: either way no longer pending
                }
            }
            default ->
            {
                // sendv: no checked effect
            }
        }
        context = "";
    }

    /** Where a checked event sits in the state. */
    private record Located(long pid, boolean remote, long sender, int position)
    {
    }

    /** @return every checked event in the state by seq; fails on duplicates and out-of-order seqs. */
    private Map<Long, Located> present(final KernelState state, final PayloadCodec codec)
    {
        final Map<Long, Located> found = new HashMap<>();
        for (final long pid : state.pids())
        {
            long previous = Long.MIN_VALUE;
            int position = 0;
            for (final Event event : state.process(pid).queue())
            {
                position++;
                final Long seq;
                final boolean remote;
                if (event.kind() == Event.PLAIN && event.name().equals("seq"))
                {
                    seq = (Long)event.params(codec).get("seq");
                    remote = false;
                }
                else if (event.kind() == Event.REMOTE && "seq".equals(event.type()))
                {
                    final Object data = event.params(codec).get("data");
                    seq = data instanceof Map<?, ?> map ? (Long)map.get("seq") : null;
                    remote = true;
                }
                else
                {
                    continue;
                }
                if (seq == null)
                {
                    fail("event without seq in the queue of " + pid);
                    continue;
                }
                if (seq <= previous)
                {
                    fail("queue of " + pid + " holds seq " + seq + " after seq " + previous + ": FIFO order broken");
                }
                previous = seq;
                if (found.put(seq, new Located(pid, remote, remote ? event.a() : 0, position)) != null)
                {
                    fail("seq " + seq + " is queued twice");
                }
            }
        }
        return found;
    }

    /** Check the recovered state against the model. @return the number of checked events found. */
    int check(final KernelState state, final PayloadCodec codec)
    {
        context = "after recovery at index " + state.lastIndex() + ": ";
        // Processes: exactly the acknowledged ones, none lost, none resurrected.
        final Set<Long> expectedPids = new TreeSet<>(holders);
        expectedPids.addAll(victims);
        expectedPids.add(1L);
        final Set<Long> actualPids = new TreeSet<>();
        for (final long pid : state.pids())
        {
            actualPids.add(pid);
        }
        if (!actualPids.equals(expectedPids))
        {
            final Set<Long> missing = new TreeSet<>(expectedPids);
            missing.removeAll(actualPids);
            final Set<Long> extra = new TreeSet<>(actualPids);
            extra.removeAll(expectedPids);
            fail("live pids differ: missing (acknowledged spawned, never ended) " + missing +
                ", unexpected (never acknowledged, or acknowledged ended) " + extra);
        }
        if (state.nextPid() != maxPid + 1)
        {
            fail("next pid is " + state.nextPid() + ", expected " + (maxPid + 1));
        }
        if (state.timerCount() != timerCount)
        {
            fail("timer count is " + state.timerCount() + ", expected " + timerCount);
        }

        // Events: every acknowledged one where it was sent, nothing unacknowledged.
        final Map<Long, Located> present = present(state, codec);
        for (final Map.Entry<Long, Expected> e : events.entrySet())
        {
            final Located where = present.get(e.getKey());
            final Expected expected = e.getValue();
            if (where == null)
            {
                fail("acknowledged " + (expected.remote ? "sendEvent" : "queueEvent") + " seq " + e.getKey() +
                    " to " + expected.pid + " is missing");
            }
            else if (where.pid != expected.pid || where.remote != expected.remote || where.sender != expected.sender)
            {
                fail("seq " + e.getKey() + " expected " + expected + " found " + where);
            }
        }
        for (final Long seq : present.keySet())
        {
            if (!events.containsKey(seq))
            {
                fail("seq " + seq + (lost.contains(seq) ? " (absent after an earlier crash)" : "") +
                    " is queued but was never acknowledged");
            }
        }

        // Timers and alarms: pending, or fired into the owner's queue, unless cancelled or the owner ended.
        final Map<Long, Long> firedIn = new HashMap<>();
        for (final long pid : state.pids())
        {
            for (final Event event : state.process(pid).queue())
            {
                if (event.kind() == Event.TIMER || event.kind() == Event.ALARM)
                {
                    if (firedIn.put(event.a(), pid) != null)
                    {
                        fail("timer/alarm " + event.a() + " fired twice");
                    }
                    if ((event.kind() == Event.ALARM) != PendingTimer.isAlarmId(event.a()))
                    {
                        fail("event " + event.name() + " carries id " + event.a());
                    }
                }
            }
        }
        for (final PendingTimer pending : state.pendingTimers())
        {
            final Long owner = timers.get(pending.id());
            if (owner == null || owner != pending.pid())
            {
                fail("pending timer " + pending + " was never acknowledged to that process");
            }
            else if (cancelled.contains(pending.id()))
            {
                fail("timer " + pending.id() + " is pending after an acknowledged cancel");
            }
            if (firedIn.containsKey(pending.id()))
            {
                fail("timer " + pending.id() + " is both pending and fired");
            }
        }
        for (final Map.Entry<Long, Long> e : firedIn.entrySet())
        {
            final Long owner = timers.get(e.getKey());
            if (owner == null || !owner.equals(e.getValue()))
            {
                fail("timer/alarm " + e.getKey() + " fired into " + e.getValue() + ", acknowledged to " + owner);
            }
        }
        for (final Map.Entry<Long, Long> e : timers.entrySet())
        {
            final long id = e.getKey();
            final long owner = e.getValue();
            final boolean pending = state.pendingTimer(id) != null;
            if (!alive(owner))
            {
                if (pending)
                {
                    fail("timer " + id + " of ended process " + owner + " is still pending");
                }
            }
            else if (!cancelled.contains(id) && !pending && !firedIn.containsKey(id))
            {
                fail("acknowledged timer/alarm " + id + " of " + owner + " is neither pending nor fired");
            }
        }
        context = "";
        return present.size();
    }

    /** @return the pids of live processes the model knows (for reports). */
    String summary()
    {
        return "holders=" + holders.size() + " victims=" + victims.size() + " ended=" + ended.size() +
            " events=" + events.size() + " timers=" + timers.size() + " cancelled=" + cancelled.size();
    }
}
