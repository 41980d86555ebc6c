package ember.kernel.state;

import ember.journal.SyscallType;
import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.EmberException;
import ember.kernel.client.ReceivedEvent;
import ember.kernel.client.Syscalls;
import ember.kernel.core.Kernel;
import ember.kernel.core.KernelConfig;
import ember.kernel.core.KernelLog;
import ember.kernel.testing.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * An exception escaping {@link KernelState#apply} on the live kernel (injected once through
 * {@link KernelState#applyFault}, for one journaled record) is the defined fail-stop: the kernel log
 * names that record's index, the syscall's caller and a pull parked on another thread get errors
 * (neither hangs), the directory lock is released without {@code close()}, and reopening recovers
 * the state a replay of the journal gives, the failed record included.
 */
final class ApplyFailureTest
{
    private final Path dir = TempDirs.create("ember-apply-fault");

    @AfterEach
    void cleanup()
    {
        KernelState.applyFault = null;
        TempDirs.delete(dir);
    }

    @Test
    void aFaultInApplyStopsTheKernelAnswersEveryCallerAndRecoversByReplay() throws Exception
    {
        // No snapshots: only the core applies records in this JVM, so only it meets the fault.
        final KernelConfig config = KernelConfig.of(dir).withBlockSize(1 << 20).withSnapshots(0, 0, false);
        final Kernel kernel = Kernel.open(config);
        final EmbeddedClient client = new EmbeddedClient(kernel);
        final Syscalls init = client.as(1);
        final long waiter = init.spawn("waiter");
        init.queueEvent("before", Map.of("n", 1L));

        final long pullRecord = lastIndex(kernel) + 1;
        final Thread puller = new Thread(() ->
        {
            try
            {
                pulled = client.as(waiter).pullEvent(60, "never");
            }
            catch (final Throwable ex)
            {
                pullError = ex;
            }
        }, "parked-pull");
        puller.setDaemon(true);
        puller.start();
        awaitParked(kernel, puller, pullRecord);

        final AtomicLong failedIndex = new AtomicLong();
        KernelState.applyFault = record ->
        {
            if (record.type == SyscallType.QUEUE_EVENT && "boom".equals(record.text) && failedIndex.compareAndSet(0, record.index))
            {
                throw new IllegalStateException("injected apply fault");
            }
        };
        final EmberException refused = assertThrows(EmberException.class, () -> init.queueEvent("boom", Map.of("n", 2L)),
            "the syscall whose apply failed is answered with an error");
        KernelState.applyFault = null;
        final long index = failedIndex.get();
        assertEquals(pullRecord + 1, index, "the fault hit the boom record");
        assertTrue(refused.getMessage().contains("core failed after index " + index), refused.getMessage());

        puller.join(TimeUnit.SECONDS.toMillis(30)); // a hang guard, not a measurement
        assertTrue(!puller.isAlive(), "the parked pull was left waiting");
        assertInstanceOf(EmberException.class, pullError, "the parked pull is answered with an error, got " + pulled);

        final String failure = kernel.failure();
        assertNotNull(failure, "the kernel reports its failure");
        final String log = Files.readString(dir.resolve(KernelLog.FILE));
        assertTrue(log.contains("core failed after index " + index + ": java.lang.IllegalStateException: injected apply fault;" +
            " the kernel stops (fail-stop)"), log);
        assertThrows(EmberException.class, () -> init.getpid(), "a stopped kernel answers later syscalls with an error");

        // The lock is released without close(): the directory reopens while the dead kernel object lingers.
        assertEquals(-1, Kernel.lockHolder(dir), "nobody holds the directory lock");
        try (Kernel reopened = Kernel.open(config); EmbeddedClient again = new EmbeddedClient(reopened))
        {
            final String digest = reopened.digest();
            final long recovered = Long.parseLong(digest.substring(0, digest.indexOf(':')));
            assertTrue(recovered > index, "the failed record is in the journal: recovered to " + recovered);
            assertEquals(digest, recovered + ":" + JournalReplay.replay(dir, recovered).digest(),
                "the recovered state is the journal's replay");
            final Syscalls reInit = again.as(1);
            final ReceivedEvent first = reInit.pullEvent(0);
            final ReceivedEvent second = reInit.pullEvent(0);
            assertEquals(1L, first.params().get("n"));
            assertEquals("boom", second.name(), "replay applied the record whose live apply failed");
        }
        kernel.close(); // harmless afterwards
        client.close();
    }

    private volatile ReceivedEvent pulled;
    private volatile Throwable pullError;

    private static long lastIndex(final Kernel kernel)
    {
        final String digest = kernel.digest();
        return Long.parseLong(digest.substring(0, digest.indexOf(':')));
    }

    /** Wait until the pull's waiting record is applied and its thread waits for the answer. */
    private static void awaitParked(final Kernel kernel, final Thread puller, final long index) throws InterruptedException
    {
        final long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // a hang guard, not a measurement
        while (lastIndex(kernel) < index || !(puller.getState() == Thread.State.WAITING || puller.getState() == Thread.State.TIMED_WAITING))
        {
            if (!puller.isAlive() || System.nanoTime() > giveUp)
            {
                fail("the pull did not park: caller " + puller.getState());
            }
            Thread.sleep(1);
        }
    }
}
