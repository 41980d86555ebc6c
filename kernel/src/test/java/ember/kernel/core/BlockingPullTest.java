package ember.kernel.core;

import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.EmberException;
import ember.kernel.client.ReceivedEvent;
import ember.kernel.client.Syscalls;
import ember.kernel.testing.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * pullEvent that waits: woken by an arrival, by its timeout, or by its process ending.
 * <p>
 * "Still waiting" is proven by conditions, never by sleeping: a pull is parked once the journal
 * holds its waiting record (the kernel's last applied index has advanced past it, and apply parks
 * the pull in the same step) and its caller's thread waits; it has stayed parked through a later
 * syscall when that syscall added exactly its own record (a woken pull is journaled again) and the
 * caller has not returned.
 */
class BlockingPullTest
{
    private final Path dir = TempDirs.create("ember-pull");
    private Kernel kernel;
    private EmbeddedClient client;
    private Syscalls init;

    @BeforeEach
    void open()
    {
        kernel = Kernel.open(KernelConfig.of(dir).withBlockSize(1 << 20));
        client = new EmbeddedClient(kernel);
        init = client.as(1);
    }

    @AfterEach
    void close()
    {
        client.close();
        kernel.close();
        TempDirs.delete(dir);
    }

    @Test
    void aWaitingPullReturnsTheFirstMatchingEventWhenItArrives() throws Exception
    {
        final long worker = init.spawn("w");
        final long pulledRecord = lastIndex() + 1; // read before the pull starts: it may be journaled at once
        final Pull pulled = Pull.start(client.as(worker), 10, "remote_event");
        awaitParked(pulled, pulledRecord);
        final long beforeKill = lastIndex();
        init.kill(worker, 30); // queued as `signal`: not a match
        assertEquals(beforeKill + 1, lastIndex(), "only the kill was journaled: the pull was not completed");
        assertStillWaiting(pulled, "a non-matching event does not wake a filtered pull");
        init.queueEvent("x", Map.of());
        assertTrue(init.sendEvent(worker, "job", Map.of("n", 7L)));
        final ReceivedEvent event = pulled.event();
        assertEquals("remote_event", event.name());
        assertEquals("job", event.params().get("type"));
        assertEquals("signal", client.as(worker).peekEvent().name(), "the non-matching event stays queued");
    }

    @Test
    void aPullTimesOutWithNilAndTakesNothingThatArrivesLater() throws Exception
    {
        final long worker = init.spawn("w");
        final long before = lastIndex();
        assertNull(client.as(worker).pullEvent(0.2, "late"));
        assertEquals(before + 1, lastIndex(), "the waiting record only: a timeout completes no record");
        init.queueEvent("x", Map.of());
        client.as(worker).queueEvent("late", Map.of("n", 1L));
        final ReceivedEvent queued = client.as(worker).peekEvent();
        assertEquals("late", queued.name(), "the expired pull took nothing");
        assertEquals(1L, queued.params().get("n"));
    }

    @Test
    void waitersOfOneProcessAreServedInOrderAndFailWhenItEnds() throws Exception
    {
        final long worker = init.spawn("w");
        final long firstRecord = lastIndex() + 1; // read before the pull starts: it may be journaled at once
        final Pull first = Pull.start(client.as(worker), 10);
        awaitParked(first, firstRecord);
        final long secondRecord = lastIndex() + 1; // read before the pull starts: it may be journaled at once
        final Pull second = Pull.start(client.as(worker), 10);
        awaitParked(second, secondRecord);
        init.sendEvent(worker, "one", 1L);
        assertEquals(1L, first.event().params().get("data"));
        assertStillWaiting(second, "one event wakes one waiter, the first");
        init.kill(worker, 9);
        final Throwable ended = second.error();
        assertInstanceOf(EmberException.class, ended);
        assertEquals("No such process", ended.getMessage());
    }

    @Test
    void aStoppedProcessPullsNothingUntilContinued() throws Exception
    {
        final long worker = init.spawn("w");
        init.kill(worker, 19);
        init.sendEvent(worker, "held", 1L);
        final long pulledRecord = lastIndex() + 1; // read before the pull starts: it may be journaled at once
        final Pull pulled = Pull.start(client.as(worker), 10);
        awaitParked(pulled, pulledRecord);
        assertStillWaiting(pulled, "delivery is held while stopped");
        init.kill(worker, 18);
        assertEquals("remote_event", pulled.event().name());
    }

    /** @return the index of the last record the kernel applied (a question to the core, not journaled). */
    private long lastIndex()
    {
        final String digest = kernel.digest();
        return Long.parseLong(digest.substring(0, digest.indexOf(':')));
    }

    /**
     * Wait until {@code pull}'s waiting record is applied ({@code index} reached) and its caller's
     * thread waits for the answer.
     */
    private void awaitParked(final Pull pull, final long index) throws InterruptedException
    {
        final long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // a hang guard, not a measurement
        while (lastIndex() < index || !pull.isWaiting())
        {
            if (pull.done || System.nanoTime() > giveUp)
            {
                fail("the pull did not park (journal at " + lastIndex() + ", expected " + index + "; caller " +
                    pull.thread.getState() + ", answered: " + pull.done + ")");
            }
            Thread.sleep(1);
        }
    }

    private static void assertStillWaiting(final Pull pull, final String why)
    {
        assertFalse(pull.done, why + ": the pull was answered");
        assertTrue(pull.thread.isAlive(), why + ": the caller is gone");
    }

    /** A pullEvent on a thread of its own, whose state the test can see. */
    private static final class Pull
    {
        final Thread thread;
        volatile boolean done;
        volatile ReceivedEvent event;
        volatile Throwable error;

        private Pull(final Syscalls syscalls, final double timeout, final String... names)
        {
            thread = new Thread(() ->
            {
                try
                {
                    event = syscalls.pullEvent(timeout, names);
                }
                catch (final Throwable ex)
                {
                    error = ex;
                }
                finally
                {
                    done = true;
                }
            }, "pull-" + syscalls.pid());
            thread.setDaemon(true);
        }

        static Pull start(final Syscalls syscalls, final double timeout, final String... names)
        {
            final Pull pull = new Pull(syscalls, timeout, names);
            pull.thread.start();
            return pull;
        }

        /** The caller waits for its answer (the embedded client wakes every 100 ms to check the kernel: then RUNNABLE). */
        boolean isWaiting()
        {
            final Thread.State state = thread.getState();
            return !done && (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING);
        }

        ReceivedEvent event() throws InterruptedException
        {
            join();
            if (error != null)
            {
                throw new AssertionError("the pull failed: " + error, error);
            }
            return event;
        }

        Throwable error() throws InterruptedException
        {
            join();
            assertTrue(error != null, "the pull returned " + event + " instead of failing");
            return error;
        }

        private void join() throws InterruptedException
        {
            thread.join(TimeUnit.SECONDS.toMillis(30)); // a hang guard, not a measurement
            assertTrue(done, "the pull was not answered");
        }
    }
}
