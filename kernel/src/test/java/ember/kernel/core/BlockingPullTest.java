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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** pullEvent that waits: woken by an arrival, by its timeout, or by its process ending. */
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
        final CompletableFuture<ReceivedEvent> pulled =
            CompletableFuture.supplyAsync(() -> client.as(worker).pullEvent(10, "remote_event"));
        Thread.sleep(100);
        init.kill(worker, 30); // queued as `signal`: not a match
        Thread.sleep(50);
        assertTrue(!pulled.isDone(), "a non-matching event does not wake a filtered pull");
        init.queueEvent("x", Map.of());
        assertTrue(init.sendEvent(worker, "job", Map.of("n", 7L)));
        final ReceivedEvent event = pulled.get(10, TimeUnit.SECONDS);
        assertEquals("remote_event", event.name());
        assertEquals("job", event.params().get("type"));
        assertEquals("signal", client.as(worker).peekEvent().name(), "the non-matching event stays queued");
    }

    @Test
    void aPullTimesOutWithNilAfterItsTimeout()
    {
        final long start = System.nanoTime();
        assertNull(init.pullEvent(0.2, "never"));
        final long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(elapsedMs >= 200 && elapsedMs < 5_000, "waited " + elapsedMs + " ms");
    }

    @Test
    void waitersOfOneProcessAreServedInOrderAndFailWhenItEnds() throws Exception
    {
        final long worker = init.spawn("w");
        final CompletableFuture<ReceivedEvent> first = CompletableFuture.supplyAsync(() -> client.as(worker).pullEvent(10));
        Thread.sleep(100);
        final CompletableFuture<ReceivedEvent> second = CompletableFuture.supplyAsync(() -> client.as(worker).pullEvent(10));
        Thread.sleep(100);
        init.sendEvent(worker, "one", 1L);
        assertEquals(1L, first.get(10, TimeUnit.SECONDS).params().get("data"));
        init.kill(worker, 9);
        final Throwable ended = second.handle((event, error) -> error).get(10, TimeUnit.SECONDS);
        assertTrue(ended != null && ended.getCause() instanceof EmberException, String.valueOf(ended));
        assertEquals("No such process", ended.getCause().getMessage());
    }

    @Test
    void aStoppedProcessPullsNothingUntilContinued() throws Exception
    {
        final long worker = init.spawn("w");
        init.kill(worker, 19);
        init.sendEvent(worker, "held", 1L);
        final CompletableFuture<ReceivedEvent> pulled = CompletableFuture.supplyAsync(() -> client.as(worker).pullEvent(10));
        Thread.sleep(150);
        assertTrue(!pulled.isDone(), "delivery is held while stopped");
        init.kill(worker, 18);
        assertEquals("remote_event", pulled.get(10, TimeUnit.SECONDS).name());
    }
}
