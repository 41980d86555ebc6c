package ember.kernel.core;

import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.EmberException;
import ember.kernel.client.Syscalls;
import ember.kernel.state.JournalReplay;
import ember.kernel.state.KernelLimits;
import ember.kernel.state.KernelState;
import ember.kernel.testing.TempDirs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replay equivalence: a live kernel driven by a random syscall sequence over many processes and
 * users must have, at every cut point, exactly the digest that replaying its journal up to the
 * same index gives; and reopening the directory must recover the final digest.
 */
class ReplayEquivalenceTest
{
    static final int OPERATIONS = 12_000;
    static final int CUT_EVERY = 1_500;
    private static final long[] SIGNALS = {1, 2, 3, 6, 9, 10, 12, 13, 15, 18, 19, 21, 22, 30, -4};
    private static final String[] USERS = {"root", "alice", "bob", "carol"};
    private static final String[] NAMES = {"a", "b", "ping", "job", "x"};

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1L, 42L, 20261123L})
    void liveDigestEqualsReplayDigestAtEveryCut(final long seed)
    {
        final Path dir = TempDirs.create("ember-replay-eq");
        try
        {
            final List<String> cuts = new ArrayList<>();
            final String finalDigest;
            final KernelConfig config = KernelConfig.of(dir).withBlockSize(1 << 20)
                .withLimits(new KernelLimits(64, 4096));
            try (Kernel kernel = Kernel.open(config); EmbeddedClient client = new EmbeddedClient(kernel))
            {
                final RandomLoad load = new RandomLoad(new Random(seed), client);
                for (int op = 1; op <= OPERATIONS; op++)
                {
                    load.step();
                    if (op % CUT_EVERY == 0)
                    {
                        cuts.add(kernel.digest());
                    }
                }
                finalDigest = kernel.digest();
                System.out.printf("replay equivalence seed=%d operations=%d successes=%d errors=%d records=%s cuts=%d%n",
                    seed, OPERATIONS, load.successes, load.errors, finalDigest.substring(0, finalDigest.indexOf(':')),
                    cuts.size() + 1);
                assertTrue(load.errors > 100 && load.successes > 1000,
                    "seed " + seed + ": the load should mix successes and errors: " + load.successes + "/" + load.errors);
            }

            for (final String cut : cuts)
            {
                final long index = Long.parseLong(cut.substring(0, cut.indexOf(':')));
                final KernelState replayed = JournalReplay.replay(dir, index);
                assertEquals(cut, replayed.lastIndex() + ":" + replayed.digest(),
                    "seed " + seed + ": replay digest differs from the live digest at index " + index);
            }
            final long finalIndex = Long.parseLong(finalDigest.substring(0, finalDigest.indexOf(':')));
            final KernelState replayed = JournalReplay.replay(dir, finalIndex);
            assertEquals(finalDigest, replayed.lastIndex() + ":" + replayed.digest(), "seed " + seed + ": final digest");

            // Reopening replays the whole journal (including the detach at close) then journals kernelOpen.
            final KernelState atClose = JournalReplay.replay(dir, Long.MAX_VALUE);
            try (Kernel reopened = Kernel.open(config))
            {
                final String after = reopened.digest();
                final long index = Long.parseLong(after.substring(0, after.indexOf(':')));
                // kernelOpen comes next, then the expiries of timers that fell due while closed.
                assertTrue(index > atClose.lastIndex(), "seed " + seed + ": recovery continues the index");
                final KernelState opened = JournalReplay.replay(dir, atClose.lastIndex() + 1);
                assertEquals(atClose.lastIndex() + 1, opened.lastIndex());
                assertEquals(after, index + ":" + JournalReplay.replay(dir, index).digest(),
                    "seed " + seed + ": recovered digest");
            }
        }
        finally
        {
            TempDirs.delete(dir);
        }
    }

    /** Random syscalls from random live processes; errors are part of the load. */
    static final class RandomLoad
    {
        private final Random random;
        private final EmbeddedClient client;
        private final List<Long> pids = new ArrayList<>(List.of(1L));
        private final List<Long> timerIds = new ArrayList<>();
        private final Map<Long, AtomicLong> handled = new HashMap<>();
        private int steps;
        int successes;
        int errors;

        RandomLoad(final Random random, final EmbeddedClient client)
        {
            this.random = random;
            this.client = client;
        }

        void step()
        {
            if (++steps % 10 == 0)
            {
                pids.clear(); // forget processes that ended (getplist is journaled like any syscall)
                for (final long live : client.as(1).getplist())
                {
                    pids.add(live);
                }
            }
            final long pid = pick();
            final Syscalls sys = client.as(pid);
            try
            {
                run(sys);
                successes++;
            }
            catch (final EmberException ex)
            {
                errors++;
            }
        }

        private long pick()
        {
            // Mostly live processes, sometimes one that may have ended, sometimes one never born.
            final int r = random.nextInt(100);
            if (r < 3)
            {
                return 1000 + random.nextInt(10);
            }
            return pids.get(random.nextInt(pids.size()));
        }

        private void run(final Syscalls sys)
        {
            switch (random.nextInt(20))
            {
                case 0, 1, 19 ->
                {
                    if (pids.size() < 40)
                    {
                        pids.add(sys.spawn(random.nextBoolean() ? null : NAMES[random.nextInt(NAMES.length)]));
                    }
                    else
                    {
                        sys.getpid();
                    }
                }
                case 2 -> sys.exit(random.nextInt(5));
                case 3 -> sys.setuser(USERS[random.nextInt(USERS.length)]);
                case 4, 5 -> sys.kill(pick(), SIGNALS[random.nextInt(SIGNALS.length)]);
                case 6 ->
                {
                    final long signal = SIGNALS[random.nextInt(SIGNALS.length)];
                    if (random.nextBoolean())
                    {
                        final AtomicLong counter = handled.computeIfAbsent(sys.pid(), p -> new AtomicLong());
                        sys.signal(signal, s -> counter.incrementAndGet());
                    }
                    else
                    {
                        sys.signal(signal, null);
                    }
                }
                case 7, 8 -> sys.queueEvent(NAMES[random.nextInt(NAMES.length)], params());
                case 9 -> sys.peekEvent();
                case 10, 11 -> sys.pullEvent(0, random.nextBoolean() ? new String[0] :
                    new String[] {NAMES[random.nextInt(NAMES.length)], "signal", "timer"});
                case 12, 13 -> sys.sendEvent(pick(), NAMES[random.nextInt(NAMES.length)],
                    random.nextBoolean() ? params() : (Object)random.nextLong());
                case 14 -> timerIds.add(sys.timer(random.nextInt(4) == 0 ? 0 : random.nextDouble() * 0.01));
                case 15 -> timerIds.add(sys.alarm(random.nextDouble() * 24));
                case 16 -> sys.cancel(timerIds.isEmpty() ? 7 : timerIds.get(random.nextInt(timerIds.size())));
                case 17 -> sys.register(NAMES[random.nextInt(NAMES.length)]);
                case 18 -> sys.getpinfo(pick());
                default -> sys.lookup(NAMES[random.nextInt(NAMES.length)]);

            }
        }

        private Map<String, Object> params()
        {
            final Map<String, Object> params = new HashMap<>();
            params.put("n", random.nextInt(1000));
            if (random.nextBoolean())
            {
                params.put("f", random.nextDouble());
                params.put("s", "v" + random.nextInt(10));
                params.put("l", List.of(1, "two", random.nextBoolean()));
            }
            return params;
        }
    }
}
