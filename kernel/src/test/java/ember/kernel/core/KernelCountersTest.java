package ember.kernel.core;

import ember.journal.SyscallType;
import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.Syscalls;
import ember.kernel.testing.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The core's live counters as {@link KernelCountersReader} reads them from the mapped file while a
 * real kernel runs (a reader of its own, as {@code status} in another JVM has): syscalls by type,
 * the event queue high-water, the parked pulls now, the inbox backlog and the duty-cycle maxima.
 * The service seen from another JVM is {@code OperatorViewTest}'s.
 */
class KernelCountersTest
{
    private final Path dir = TempDirs.create("ember-counters");

    @AfterEach
    void delete()
    {
        TempDirs.delete(dir);
    }

    /** Wait (bounded) for what the core publishes at the end of a duty cycle. */
    private static void eventually(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadline, what);
            Thread.sleep(5);
        }
    }

    @Test
    void syscallsByTypeQueueDepthParkedPullsAndDutyCyclesAreReadFromTheLiveFile() throws Exception
    {
        try (Kernel kernel = Kernel.open(KernelConfig.of(dir).withBlockSize(1 << 20));
             EmbeddedClient client = new EmbeddedClient(kernel);
             KernelCountersReader counters = KernelCountersReader.open(dir))
        {
            assertNotNull(counters, "the kernel publishes its counters");
            final Syscalls init = client.as(1);
            final long worker = init.spawn("w");
            final Syscalls work = client.as(worker);
            for (int i = 0; i < 3; i++)
            {
                assertEquals(worker, work.getpid());
            }
            for (int i = 0; i < 5; i++)
            {
                work.queueEvent("job", Map.of("n", i));
            }
            for (int i = 0; i < 2; i++)
            {
                assertNotNull(work.pullEvent(0, "job"));
            }
            // Counted before the caller is answered: exact at once.
            assertEquals(1, counters.syscalls(SyscallType.SPAWN));
            assertEquals(3, counters.syscalls(SyscallType.GETPID));
            assertEquals(5, counters.syscalls(SyscallType.QUEUE_EVENT));
            assertEquals(2, counters.syscalls(SyscallType.PULL_EVENT));
            assertEquals(0, counters.syscalls(SyscallType.KILL));
            assertEquals(0, counters.syscalls(SyscallType.TIMER_FIRED), "kernel actions are not client syscalls");
            assertEquals(List.of(SyscallType.SPAWN, SyscallType.GETPID, SyscallType.QUEUE_EVENT, SyscallType.PULL_EVENT),
                List.copyOf(counters.syscallsByType().keySet()));
            assertEquals(counters.value(CountersLayout.SYSCALLS_OK) + counters.value(CountersLayout.SYSCALLS_ERROR),
                counters.syscallsByType().values().stream().mapToLong(Long::longValue).sum(),
                "every answered syscall is counted under its type");
            assertEquals(5, counters.value(CountersLayout.EVENT_QUEUE_MAX), "the deepest queue: five jobs");
            work.queueEvent("job", Map.of());
            assertEquals(5, counters.value(CountersLayout.EVENT_QUEUE_MAX), "a high-water mark: 4 queued now");

            assertEquals(0, counters.value(CountersLayout.PARKED_PULLS));
            final ClientSession session = kernel.attach("root");
            final Command pull = new Command(c -> { });
            pull.session = session;
            pull.record.reset(SyscallType.PULL_EVENT, worker).names = new String[]{"wake"};
            pull.record.number = 60;
            kernel.submit(pull);
            eventually(() -> counters.value(CountersLayout.PARKED_PULLS) == 1, "one pull parked");
            assertFalse(pull.isDone());
            work.queueEvent("wake", Map.of());
            eventually(pull::isDone, "the parked pull took the event");
            eventually(() -> counters.value(CountersLayout.PARKED_PULLS) == 0, "no pull parked any more");

            assertTrue(counters.value(CountersLayout.INBOX_MAX) >= 1, "a cycle took at least one command");
            // The recent maximum first: the maximum since open only grows, so it bounds what was read before it.
            final long recent = counters.value(CountersLayout.DUTY_CYCLE_RECENT_MAX_NS);
            final long max = counters.value(CountersLayout.DUTY_CYCLE_MAX_NS);
            assertTrue(max > 0, "duty cycles were measured");
            assertTrue(recent > 0 && recent <= max, "the recent maximum " + recent + " is within the maximum " + max);
        }
        assertFalse(Files.exists(CountersLayout.file(dir)), "a closed kernel has no live counters");
    }
}
