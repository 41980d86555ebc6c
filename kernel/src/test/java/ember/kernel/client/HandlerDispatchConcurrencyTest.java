package ember.kernel.client;

import ember.kernel.core.Kernel;
import ember.kernel.core.KernelConfig;
import ember.kernel.testing.ServiceProcess;
import ember.kernel.testing.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One client ({@link EmbeddedClient}; {@link IpcClient} against a real service) used by several
 * threads at once, as its javadoc allows, while another client's {@code kill}s make the kernel send
 * it handler calls: every handler call runs exactly once,
 * in the order the kernel sent them for each process, and never two of one client at the same time.
 * Each seed fixes which process gets which signal in which order.
 */
final class HandlerDispatchConcurrencyTest
{
    private static final int PROCESSES = 4;
    private static final int FIRST_SIGNAL = 30;
    private static final int SIGNALS = 8;
    private static final int KILLS = 4_000;
    private static final int CALLER_THREADS = 4;

    private final Path dir = TempDirs.create("ember-handlers");

    @AfterEach
    void delete()
    {
        TempDirs.delete(dir);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void embeddedClient(final long seed) throws Exception
    {
        try (Kernel kernel = Kernel.open(KernelConfig.of(dir).withBlockSize(1 << 22));
            EmbeddedClient owner = new EmbeddedClient(kernel); EmbeddedClient killer = new EmbeddedClient(kernel))
        {
            everyHandlerCallRunsOnceInOrderPerProcess(owner, killer, seed);
        }
    }

    /** The same over IPC, against a real {@code ember serve}: handler calls arrive in reply messages. */
    @Test
    void ipcClient() throws Exception
    {
        try (ServiceProcess service = ServiceProcess.start(dir))
        {
            for (long seed = 1; seed <= 3; seed++)
            {
                try (IpcClient owner = IpcClient.connect(dir, 30_000); IpcClient killer = IpcClient.connect(dir, 30_000))
                {
                    everyHandlerCallRunsOnceInOrderPerProcess(owner, killer, seed);
                }
            }
        }
    }

    private static void everyHandlerCallRunsOnceInOrderPerProcess(final EmberClient owner, final EmberClient killer,
        final long seed) throws Exception
    {
        final Map<Long, List<Long>> ran = new ConcurrentHashMap<>();
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger overlaps = new AtomicInteger();
        final long[] pids = new long[PROCESSES];
        for (int p = 0; p < PROCESSES; p++)
        {
            pids[p] = owner.as(1).spawn("h" + p);
            final List<Long> log = new CopyOnWriteArrayList<>();
            ran.put(pids[p], log);
            for (int s = 0; s < SIGNALS; s++)
            {
                owner.as(pids[p]).signal(FIRST_SIGNAL + s, signal ->
                {
                    if (running.incrementAndGet() > 1)
                    {
                        overlaps.incrementAndGet();
                    }
                    Thread.yield(); // widen the window in which a second dispatcher would overlap or overtake
                    log.add(signal);
                    running.decrementAndGet();
                });
            }
        }

        final AtomicBoolean killing = new AtomicBoolean(true);
        final CountDownLatch start = new CountDownLatch(1);
        final List<Throwable> failures = new CopyOnWriteArrayList<>();
        final List<Thread> callers = new ArrayList<>();
        for (int t = 0; t < CALLER_THREADS; t++)
        {
            final long pid = pids[t % PROCESSES];
            final Thread caller = new Thread(() ->
            {
                try
                {
                    start.await();
                    final Syscalls syscalls = owner.as(pid);
                    while (killing.get())
                    {
                        syscalls.getpid(); // each syscall runs this client's pending handlers afterwards
                        owner.runHandlers();
                    }
                }
                catch (final Throwable ex)
                {
                    failures.add(ex);
                }
            }, "caller-" + t);
            caller.start();
            callers.add(caller);
        }

        final Map<Long, List<Long>> sent = new HashMap<>();
        for (final long pid : pids)
        {
            sent.put(pid, new ArrayList<>());
        }
        final SplittableRandom random = new SplittableRandom(seed);
        start.countDown();
        final Syscalls init = killer.as(1);
        for (int i = 0; i < KILLS; i++)
        {
            final long pid = pids[random.nextInt(PROCESSES)];
            final long signal = FIRST_SIGNAL + random.nextInt(SIGNALS);
            init.kill(pid, signal);
            sent.get(pid).add(signal);
        }
        killing.set(false);
        for (final Thread caller : callers)
        {
            caller.join(TimeUnit.SECONDS.toMillis(60));
            assertTrue(!caller.isAlive(), caller.getName() + " still running");
        }
        owner.as(1).getpid(); // the kills are all applied: this syscall's answer comes after their handler calls
        owner.runHandlers();

        assertEquals(List.of(), failures, "caller threads failed");
        int total = 0;
        for (final long pid : pids)
        {
            assertEquals(sent.get(pid), ran.get(pid), "handler calls of process " + pid + " (seed " + seed + ")");
            total += ran.get(pid).size();
        }
        assertEquals(KILLS, total);
        assertEquals(0, overlaps.get(), "two handlers of one client ran at the same time");
    }
}
