package ember.replay.engine;

import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.EmberException;
import ember.kernel.client.Syscalls;
import ember.kernel.core.Kernel;
import ember.journal.JournalReader;
import ember.journal.SyscallRecord;
import ember.journal.SyscallType;
import ember.kernel.state.Disposition;
import ember.kernel.state.EndCause;
import ember.kernel.state.Event;
import ember.kernel.state.JournalReplay;
import ember.kernel.state.KernelEffects;
import ember.kernel.state.KernelLimits;
import ember.kernel.state.PendingTimer;
import ember.kernel.state.TimerCancelCause;
import ember.kernel.state.KernelState;
import ember.kernel.state.ProcessEntry;
import ember.kernel.state.SyscallResult;
import ember.replay.testing.Scenario;
import ember.replay.testing.TempDirs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On a random load over many processes, users, signals (stop, continue, handlers, kill), events,
 * services and timers (fixed seeds, named in every failure): record by record, the effects the
 * stepper gives the renderers are exactly the callbacks {@code KernelState.apply} made (heard by
 * an independent {@link KernelEffects} on a separate plain replay), they agree with the replayed
 * state (a process-ended effect exactly when a process disappears, a spawned one exactly when one
 * appears), and the stepper's state is the plain replay's state.
 */
class EffectConsistencyTest
{
    private static final long[] SIGNALS = {1, 2, 3, 9, 10, 15, 18, 19, 21, 30};
    private static final String[] USERS = {"root", "alice", "bob"};

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {7L, 42L, 2026L})
    void effectsAgreeWithTheStateAfterEveryRecord(final long seed)
    {
        final Path dir = TempDirs.create("replay-effects");
        try
        {
            writeRandomLoad(dir, new Random(seed), 2_000);
            final Map<Long, List<String>> heard = heardByIndex(dir);
            final Map<Long, Integer> ledger = new HashMap<>();
            long timers = 0;
            long steps = 0;
            try (Stepper stepper = new Stepper(Origin.earliest(JournalDir.of(dir))))
            {
                final KernelState state = stepper.state();
                while (stepper.hasNext())
                {
                    final Set<Long> pidsBefore = pidSet(state);
                    final Step step = stepper.step();
                    steps++;
                    final String where = "seed " + seed + ", " + step;
                    assertEquals(sorted(heard.getOrDefault(step.index(), List.of())), sorted(facts(step)),
                        () -> "effects shown vs callbacks apply made, " + where);
                    checkProcessChanges(pidsBefore, pidSet(state), step, where);
                    assertEquals(step.index(), state.lastIndex());
                    for (final Effect effect : step.effects())
                    {
                        if (effect instanceof Effect.Queued q)
                        {
                            assertTrue(contains(state.process(q.pid()), q.event()), () -> "queued event in the queue: " + step);
                            ledger.merge(q.pid(), 1, Integer::sum);
                        }
                        else if (effect instanceof Effect.Consumed c)
                        {
                            assertSame(step.result().value, c.event());
                            assertTrue(!contains(state.process(c.pid()), c.event()));
                            ledger.merge(c.pid(), -1, Integer::sum);
                        }
                        else if (effect instanceof Effect.Ended e)
                        {
                            assertNull(state.process(e.pid()), () -> "ended: " + step);
                            assertEquals(ledger.getOrDefault(e.pid(), 0), e.discarded().size(), () -> "dropped queue " + step);
                            for (final long orphan : e.orphans())
                            {
                                assertEquals(KernelState.INIT_PID, state.process(orphan).parent());
                            }
                            ledger.remove(e.pid());
                        }
                        else if (effect instanceof Effect.Spawned s)
                        {
                            assertNotNull(state.process(s.pid()));
                            assertEquals(s.pid(), step.result().number);
                        }
                        else if (effect instanceof Effect.TimerSet t)
                        {
                            assertEquals(t.timer(), state.pendingTimer(t.timer().id()));
                            timers++;
                        }
                        else if (effect instanceof Effect.TimerFired || effect instanceof Effect.TimerCancelled)
                        {
                            final long id = effect instanceof Effect.TimerFired f ? f.timer().id() :
                                ((Effect.TimerCancelled)effect).timer().id();
                            assertNull(state.pendingTimer(id));
                            timers--;
                        }
                        else if (effect instanceof Effect.Signalled s)
                        {
                            assertEquals(s.outcome().equals("terminated"), state.process(s.to()) == null, where);
                            final List<String> parts = List.of(s.outcome().split(", "));
                            if (parts.contains("stopped") || parts.contains("handler held (process stopped)"))
                            {
                                assertTrue(state.process(s.to()).isStopped(), where);
                            }
                            if (s.outcome().startsWith("continued"))
                            {
                                assertTrue(!state.process(s.to()).isStopped(), where);
                            }
                        }
                    }
                    for (final long pid : state.pids())
                    {
                        assertEquals((int)ledger.getOrDefault(pid, 0), state.process(pid).queued(),
                            "queue of " + pid + " after " + step);
                    }
                    if (step.result().kind == SyscallResult.Kind.EVENT &&
                        step.record().type == ember.journal.SyscallType.PULL_EVENT)
                    {
                        assertTrue(step.effects().stream().anyMatch(e -> e instanceof Effect.Consumed));
                    }
                }
                for (final long pid : state.pids())
                {
                    assertEquals((int)ledger.getOrDefault(pid, 0), state.process(pid).queued(), "queue of " + pid);
                }
                assertEquals(state.pendingTimers().size(), timers, "pending timers");
                assertEquals(heard.keySet().stream().mapToLong(Long::longValue).max().orElse(0), state.lastIndex());
                assertEquals(Replays.stateAt(Origin.earliest(JournalDir.of(dir)), Long.MAX_VALUE, "t").digest(), state.digest());
            }
            assertTrue(steps > 1_500, "steps " + steps);
        }
        finally
        {
            TempDirs.delete(dir);
        }
    }

    /** @return per record index, the callbacks apply made while a plain replay applied it. */
    private static Map<Long, List<String>> heardByIndex(final Path dir)
    {
        final Map<Long, List<String>> byIndex = new HashMap<>();
        final Listener listener = new Listener();
        try (JournalReader reader = new JournalReader(dir, true))
        {
            JournalReplay.replay(reader, new KernelState(), Long.MAX_VALUE, listener, (record, result, s) ->
            {
                listener.flush(record);
                byIndex.put(record.index, result.ok() ? List.copyOf(listener.facts) : List.of());
                listener.facts.clear();
            });
        }
        return byIndex;
    }

    /** Writes each callback as one fact, as {@link #facts(Step)} writes each effect. */
    private static final class Listener implements KernelEffects
    {
        final List<String> facts = new ArrayList<>();
        final List<Long> orphans = new ArrayList<>();
        /** What happened to processes through signals during the record: pid, part, signal (-1: any). */
        final List<Object[]> killParts = new ArrayList<>();

        void flush(final SyscallRecord record)
        {
            if (record.type == SyscallType.KILL)
            {
                final List<String> parts = new ArrayList<>();
                for (final Object[] part : killParts)
                {
                    // Only the target's, and of the signal sent (not the held handler calls a continue released).
                    if ((long)part[0] == record.arg0 && ((long)part[2] == -1 || (long)part[2] == record.arg1))
                    {
                        parts.add((String)part[1]);
                    }
                }
                facts.add("signalled " + record.pid + " " + record.arg0 + " " + record.arg1 + " " + sorted(parts));
            }
            killParts.clear();
            orphans.clear();
        }

        private void kill(final long pid, final String part, final long signal)
        {
            killParts.add(new Object[] {pid, part, signal});
        }

        @Override
        public void onKernelOpened(final KernelLimits limits)
        {
            facts.add("opened " + limits.encode());
        }

        @Override
        public void onClientAttached(final int client, final String user)
        {
            facts.add("client " + client + " true");
        }

        @Override
        public void onClientDetached(final int client)
        {
            facts.add("client " + client + " false");
        }

        @Override
        public void onProcessSpawned(final ProcessEntry child)
        {
            facts.add("spawned " + child.pid() + " " + child.parent() + " " + child.name() + " " + child.user());
        }

        @Override
        public void onUserChanged(final long pid, final String from, final String to)
        {
            facts.add("user " + pid + " " + from + " " + to);
        }

        @Override
        public void onServiceRegistered(final String name, final long pid)
        {
            facts.add("registered " + name + " " + pid);
        }

        @Override
        public void onDispositionSet(final long pid, final long signal, final Disposition from, final Disposition to,
            final int owner)
        {
            facts.add("disposition " + pid + " " + signal + " " + from + " " + to + " " + owner);
        }

        @Override
        public void onEventQueued(final long pid, final Event event, final boolean deliverable)
        {
            facts.add("queued " + pid + " " + event(event));
            if (event.kind() == Event.SIGNAL)
            {
                kill(pid, "queued", event.a());
            }
        }

        @Override
        public void onPullSatisfied(final long pid, final Event event)
        {
            facts.add("consumed " + pid + " " + event(event));
        }

        @Override
        public void onPullWaiting(final long pid)
        {
            facts.add("waiting " + pid);
        }

        @Override
        public void onStopped(final long pid)
        {
            kill(pid, "stopped", -1);
        }

        @Override
        public void onContinued(final long pid, final int releasedHandlerCalls)
        {
            kill(pid, "continued " + releasedHandlerCalls, -1);
        }

        @Override
        public void onHandlerHeld(final long pid, final long signal)
        {
            kill(pid, "held", signal);
        }

        @Override
        public void onHandlerCall(final int client, final long pid, final long signal)
        {
            kill(pid, "handler " + client, signal);
        }

        @Override
        public void onReparented(final long child, final long formerParent)
        {
            orphans.add(child);
        }

        @Override
        public void onProcessEnded(final ProcessEntry process, final EndCause cause, final Event completion)
        {
            final List<String> queue = new ArrayList<>();
            process.queue().forEach(e -> queue.add(event(e)));
            facts.add("ended " + process.pid() + " " + process.name() + " " + process.user() + " " + process.parent() +
                " " + (cause == EndCause.EXIT ? "exit" : "signal") + " " + completion.b() + " " + queue + " " + orphans +
                " " + new ArrayList<>(process.services()) + " " + cause);
            orphans.clear();
            kill(process.pid(), "ended", -1);
        }

        @Override
        public void onDiagnostic(final String line)
        {
            facts.add("diagnostic " + line);
        }

        @Override
        public void onTimerScheduled(final PendingTimer timer)
        {
            facts.add("timer set " + timer);
        }

        @Override
        public void onTimerCancelled(final PendingTimer timer, final TimerCancelCause cause)
        {
            facts.add("timer cancelled " + timer + " " + (cause == TimerCancelCause.CANCEL ? "cancel" : "process ended"));
        }

        @Override
        public void onTimerFired(final PendingTimer timer)
        {
            facts.add("timer fired " + timer);
        }
    }

    /** @return the step's effects written as {@link Listener} writes callbacks. */
    private static List<String> facts(final Step step)
    {
        final List<String> facts = new ArrayList<>();
        for (final Effect effect : step.effects())
        {
            if (effect instanceof Effect.Opened e)
            {
                facts.add("opened " + e.limits().encode());
            }
            else if (effect instanceof Effect.Client e)
            {
                facts.add("client " + e.client() + " " + e.attached());
            }
            else if (effect instanceof Effect.Spawned e)
            {
                facts.add("spawned " + e.pid() + " " + e.parent() + " " + e.name() + " " + e.user());
            }
            else if (effect instanceof Effect.UserChanged e)
            {
                facts.add("user " + e.pid() + " " + e.from() + " " + e.to());
            }
            else if (effect instanceof Effect.Registered e)
            {
                facts.add("registered " + e.name() + " " + e.pid());
            }
            else if (effect instanceof Effect.DispositionChanged e)
            {
                facts.add("disposition " + e.pid() + " " + e.signal() + " " + e.from() + " " + e.to() + " " + e.owner());
            }
            else if (effect instanceof Effect.Queued e)
            {
                facts.add("queued " + e.pid() + " " + event(e.event()));
            }
            else if (effect instanceof Effect.Consumed e)
            {
                facts.add("consumed " + e.pid() + " " + event(e.event()));
            }
            else if (effect instanceof Effect.PullWaiting e)
            {
                facts.add("waiting " + e.pid());
            }
            else if (effect instanceof Effect.Ended e)
            {
                final List<String> queue = new ArrayList<>();
                e.discarded().forEach(q -> queue.add(event(q)));
                facts.add("ended " + e.pid() + " " + e.name() + " " + e.user() + " " + e.parent() + " " + e.how() + " " +
                    e.value() + " " + queue + " " + e.orphans() + " " + e.services() + " " + e.cause());
            }
            else if (effect instanceof Effect.Diagnostic e)
            {
                facts.add("diagnostic " + e.line());
            }
            else if (effect instanceof Effect.TimerSet e)
            {
                facts.add("timer set " + e.timer());
            }
            else if (effect instanceof Effect.TimerCancelled e)
            {
                facts.add("timer cancelled " + e.timer() + " " + e.reason());
            }
            else if (effect instanceof Effect.TimerFired e)
            {
                facts.add("timer fired " + e.timer());
            }
            else if (effect instanceof Effect.Signalled e)
            {
                facts.add("signalled " + e.from() + " " + e.to() + " " + e.signal() + " " + killParts(e));
            }
            else
            {
                throw new AssertionError("effect with no callback: " + effect);
            }
        }
        return facts;
    }

    /** @return what a kill's outcome line says, in the {@link Listener}'s terms, sorted. */
    private static List<String> killParts(final Effect.Signalled e)
    {
        final List<String> parts = new ArrayList<>();
        if (e.outcome().equals("terminated") || e.outcome().equals("no effect"))
        {
            assertTrue(!e.stopped() && !e.continued(), () -> "flags of " + e);
            return e.outcome().equals("terminated") ? List.of("ended") : List.of();
        }
        int released = 0;
        boolean continued = false;
        for (final String part : e.outcome().split(", "))
        {
            Matcher m;
            if (part.equals("continued"))
            {
                continued = true;
            }
            else if ((m = RELEASED.matcher(part)).matches())
            {
                released = Integer.parseInt(m.group(1));
            }
            else if (part.equals("stopped") || part.equals("queued"))
            {
                parts.add(part);
            }
            else if (part.equals("handler held (process stopped)"))
            {
                parts.add("held");
            }
            else if ((m = HANDLER.matcher(part)).matches())
            {
                parts.add("handler " + m.group(1));
            }
            else
            {
                throw new AssertionError("unknown outcome part '" + part + "' in " + e);
            }
        }
        if (continued)
        {
            parts.add("continued " + released);
        }
        assertEquals(parts.contains("stopped"), e.stopped(), () -> "stopped flag vs outcome: " + e);
        assertEquals(continued, e.continued(), () -> "continued flag vs outcome: " + e);
        return sorted(parts);
    }

    private static final Pattern RELEASED = Pattern.compile("released (\\d+) held handler calls?");
    private static final Pattern HANDLER = Pattern.compile("handler \\(client (\\d+)\\)");

    private static List<String> sorted(final List<String> list)
    {
        final List<String> copy = new ArrayList<>(list);
        Collections.sort(copy);
        return copy;
    }

    private static String event(final Event e)
    {
        return e.kind() + "/" + e.name() + "/" + e.type() + "/" + e.a() + "/" + e.b() + "/" + Arrays.toString(e.payload());
    }

    private static Set<Long> pidSet(final KernelState state)
    {
        final Set<Long> pids = new TreeSet<>();
        for (final long pid : state.pids())
        {
            pids.add(pid);
        }
        return pids;
    }

    /** A process-ended effect exactly for each process gone, a spawned one exactly for each new one. */
    private static void checkProcessChanges(final Set<Long> before, final Set<Long> after, final Step step,
        final String where)
    {
        final Set<Long> gone = new TreeSet<>(before);
        gone.removeAll(after);
        final Set<Long> born = new TreeSet<>(after);
        born.removeAll(before);
        final List<Long> ended = new ArrayList<>();
        final List<Long> spawned = new ArrayList<>();
        for (final Effect effect : step.effects())
        {
            if (effect instanceof Effect.Ended e)
            {
                ended.add(e.pid());
            }
            else if (effect instanceof Effect.Spawned s)
            {
                spawned.add(s.pid());
            }
        }
        assertEquals(List.copyOf(gone), ended, () -> "processes gone vs ended effects, " + where);
        assertEquals(List.copyOf(born), spawned, () -> "processes new vs spawned effects, " + where);
    }

    private static boolean contains(final ProcessEntry process, final Event event)

    {
        if (process == null)
        {
            return false;
        }
        for (final Event e : process.queue())
        {
            if (e == event)
            {
                return true;
            }
        }
        return false;
    }

    private static void writeRandomLoad(final Path dir, final Random random, final int operations)
    {
        try (Kernel kernel = Kernel.open(Scenario.config(dir).withLimits(new KernelLimits(16, 4096)));
             EmbeddedClient client = new EmbeddedClient(kernel))
        {
            final List<Long> pids = new ArrayList<>(List.of(1L));
            for (int op = 0; op < operations; op++)
            {
                final long pid = pids.get(random.nextInt(pids.size()));
                final long other = pids.get(random.nextInt(pids.size()));
                final Syscalls p = client.as(pid);
                try
                {
                    switch (random.nextInt(13))
                    {
                        case 0:
                        case 1:
                            if (pids.size() < 12)
                            {
                                pids.add(p.spawn("p" + op));
                            }
                            break;
                        case 2:
                            if (pid != 1 && random.nextInt(3) == 0)
                            {
                                p.exit(op);
                                pids.remove(pid);
                            }
                            break;
                        case 3:
                            p.kill(other, SIGNALS[random.nextInt(SIGNALS.length)]);
                            if (client.as(1).getpinfo(other) == null)
                            {
                                pids.remove(other);
                            }
                            break;
                        case 4:
                            p.sendEvent(other, "msg", Map.of("op", (long)op));
                            break;
                        case 5:
                            p.queueEvent("self", Map.of("op", (long)op));
                            break;
                        case 6:
                        case 7:
                            p.pullEvent(0);
                            break;
                        case 8:
                            final long id = p.timer(random.nextBoolean() ? 0 : 3600);
                            if (random.nextBoolean())
                            {
                                p.cancel(id);
                            }
                            break;
                        case 9:
                            p.signal(SIGNALS[random.nextInt(SIGNALS.length)], random.nextBoolean() ? sig -> { } : null);
                            break;
                        case 10:
                            p.setuser(USERS[random.nextInt(USERS.length)]);
                            break;
                        case 11:
                            p.register("svc" + random.nextInt(6));
                            break;
                        default:
                            p.alarm(random.nextInt(24));
                            break;
                    }
                }
                catch (final EmberException ex)
                {
                    if ("No such process".equals(ex.getMessage()))
                    {
                        pids.remove(pid);
                    }
                }
            }
            pids.removeIf(x -> client.as(1).getpinfo(x) == null);
        }
    }
}
