package ember.replay.engine;

import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.EmberException;
import ember.kernel.client.Syscalls;
import ember.kernel.core.Kernel;
import ember.kernel.state.Event;
import ember.kernel.state.KernelLimits;
import ember.kernel.state.KernelState;
import ember.kernel.state.ProcessEntry;
import ember.kernel.state.SyscallResult;
import ember.replay.testing.Scenario;
import ember.replay.testing.TempDirs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The effects the stepper reports agree with the replayed state, record by record, on a random
 * load over many processes, users, signals (stop, continue, handlers, kill), events and timers;
 * and the stepper's state is the plain replay's state.
 */
class EffectConsistencyTest
{
    private static final long[] SIGNALS = {1, 2, 9, 10, 15, 18, 19, 21, 30};
    private static final String[] USERS = {"root", "alice", "bob"};

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {7L, 42L, 2026L})
    void effectsAgreeWithTheStateAfterEveryRecord(final long seed)
    {
        final Path dir = TempDirs.create("replay-effects");
        try
        {
            writeRandomLoad(dir, new Random(seed), 2_000);
            final Map<Long, Integer> ledger = new HashMap<>();
            long timers = 0;
            long steps = 0;
            try (Stepper stepper = new Stepper(Origin.earliest(JournalDir.of(dir))))
            {
                final KernelState state = stepper.state();
                while (stepper.hasNext())
                {
                    final Step step = stepper.step();
                    steps++;
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
                            assertEquals(s.outcome().equals("terminated"), state.process(s.to()) == null, step::toString);
                            if (s.outcome().contains("stopped") || s.outcome().contains("held"))
                            {
                                assertTrue(state.process(s.to()).isStopped(), step::toString);
                            }
                            if (s.outcome().startsWith("continued"))
                            {
                                assertTrue(!state.process(s.to()).isStopped(), step::toString);
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
                assertEquals(Replays.stateAt(Origin.earliest(JournalDir.of(dir)), Long.MAX_VALUE, "t").digest(), state.digest());
            }
            assertTrue(steps > 1_500, "steps " + steps);
        }
        finally
        {
            TempDirs.delete(dir);
        }
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
                    switch (random.nextInt(12))
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
