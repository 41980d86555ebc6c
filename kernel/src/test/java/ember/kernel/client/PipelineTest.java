package ember.kernel.client;

import ember.journal.JournalReader;
import ember.journal.SyscallRecord;
import ember.journal.SyscallType;
import ember.kernel.core.Kernel;
import ember.kernel.core.KernelConfig;
import ember.kernel.testing.JavaProcess;
import ember.kernel.testing.PipelineVanisher;
import ember.kernel.testing.TempDirs;
import ember.kernel.transport.IpcServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pipelined syscalls, embedded and over IPC (shared memory and socket): answered in the order
 * issued, journaled in that order, each error on its own call, handlers run before sync returns,
 * pullEvent never waits, and a client that vanishes mid-pipeline leaves a consistent kernel.
 */
class PipelineTest
{
    private Path dir;
    private Kernel kernel;
    private EmberClient client;

    private EmberClient open(final String mode)
    {
        dir = TempDirs.create("ember-pipeline");
        final KernelConfig config = KernelConfig.of(dir).withBlockSize(1 << 20);
        switch (mode)
        {
            case "embedded" ->
            {
                kernel = Kernel.open(config);
                client = new EmbeddedClient(kernel);
            }
            case "shm" ->
            {
                kernel = Kernel.open(config, k -> new IpcServer(k, dir));
                client = IpcClient.connect(dir, 10_000);
            }
            default ->
            {
                kernel = Kernel.open(config, k -> new IpcServer(k, dir));
                client = IpcClient.connectOverSocket(dir, 10_000);
            }
        }
        return client;
    }

    @AfterEach
    void close()
    {
        if (client != null)
        {
            client.close();
        }
        if (kernel != null)
        {
            kernel.close();
        }
        TempDirs.delete(dir);
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "shm", "socket"})
    void callsAreAnsweredAndJournaledInTheOrderIssued(final String mode)
    {
        open(mode);
        final int n = 3_000; // beyond one flush batch and beyond the in-flight capacity
        final List<PipelinedCall<Void>> queued = new ArrayList<>();
        final List<PipelinedCall<ReceivedEvent>> pulled = new ArrayList<>();
        final List<PipelinedCall<Long>> timers = new ArrayList<>();
        try (Pipeline p = client.pipeline(1))
        {
            for (int i = 0; i < n; i++)
            {
                queued.add(p.queueEvent("e", Map.of("i", i)));
                timers.add(p.timer(1_000 + i));
            }
            for (int i = 0; i < n; i++)
            {
                pulled.add(p.pullEvent("e"));
            }
            assertFalse(pulled.get(n - 1).isDone(), "nothing waits before sync or get");
            p.sync();
            assertEquals(0, p.pending());
        }
        for (int i = 0; i < n; i++)
        {
            assertNull(queued.get(i).get());
            assertEquals((long)i, pulled.get(i).get().params().get("i"), "pull " + i + " took event " + i);
            if (i > 0)
            {
                assertTrue(timers.get(i).get() > timers.get(i - 1).get(), "timer ids in issue order");
            }
        }
        // The journal holds them in the order issued.
        final List<SyscallType> types = new ArrayList<>();
        try (JournalReader reader = new JournalReader(dir, true))
        {
            final SyscallRecord record = new SyscallRecord();
            while (reader.next(record))
            {
                if (record.type.isClientCall())
                {
                    types.add(record.type);
                }
            }
        }
        assertEquals(3 * n, types.size());
        for (int i = 0; i < n; i++)
        {
            assertEquals(SyscallType.QUEUE_EVENT, types.get(2 * i));
            assertEquals(SyscallType.TIMER, types.get(2 * i + 1));
            assertEquals(SyscallType.PULL_EVENT, types.get(2 * n + i));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "shm", "socket"})
    void errorsAreReportedPerCallAndTheCallsAfterThemRun(final String mode)
    {
        open(mode);
        final Pipeline p = client.pipeline(1);
        final PipelinedCall<Long> child = p.spawn("child");
        final PipelinedCall<Void> noSuchProcess = p.kill(999_999, 9);
        final PipelinedCall<Void> badTable = p.queueEvent("bad", Map.of("x", new Object()));
        final PipelinedCall<Boolean> registered = p.register("svc");
        final PipelinedCall<Boolean> again = p.register("svc");
        final PipelinedCall<Long> lookup = p.lookup("svc");
        final PipelinedCall<String> user = p.getuser();
        assertTrue(badTable.isDone(), "refused by the client before anything is sent");
        assertTrue(badTable.error().startsWith("bad argument #2 to 'queueEvent'"), badTable.error());
        assertEquals("No such process", noSuchProcess.error(), "waits for its own answer");
        assertEquals(EmberException.class, assertThrows(EmberException.class, noSuchProcess::get).getClass());
        p.close();
        assertEquals(2L, child.get());
        assertTrue(registered.get());
        assertFalse(again.get());
        assertEquals(1L, lookup.get());
        assertEquals("root", user.get());
        assertNull(client.as(1).peekEvent(), "the refused queueEvent queued nothing");
        assertArrayEquals(new long[] {1, 2}, client.as(1).getplist(), "a lone syscall after the pipeline");
        assertThrows(EmberException.class, () -> p.getpid(), "a closed pipeline takes no calls");
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "shm", "socket"})
    void handlersCausedByPipelinedCallsRunBeforeSyncReturns(final String mode)
    {
        open(mode);
        final long worker = client.as(1).spawn("worker");
        final AtomicInteger ran = new AtomicInteger();
        final List<Integer> seenAtSync = new ArrayList<>();
        try (Pipeline w = client.pipeline(worker); Pipeline init = client.pipeline(1))
        {
            final PipelinedCall<Void> installed = w.signal(10, sig -> ran.incrementAndGet());
            w.sync();
            assertNull(installed.get());
            for (int i = 0; i < 100; i++)
            {
                init.kill(worker, 10);
                init.getpid();
            }
            final PipelinedCall<Void> unknown = w.signal(12, sig -> ran.addAndGet(1_000));
            init.sync();
            seenAtSync.add(ran.get());
            w.sync();
            assertNull(unknown.get());
        }
        try (Pipeline ghost = client.pipeline(999_999))
        {
            final PipelinedCall<Void> refused = ghost.signal(10, sig -> ran.addAndGet(1_000_000));
            ghost.sync();
            assertEquals("No such process", refused.error(), "a refused signal fails its own call");
        }
        assertEquals(100, seenAtSync.get(0), "every handler call ran before sync returned, exactly once");
        client.as(1).kill(worker, 9);
        assertEquals(100, ran.get(), "no other handler ran");
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "shm"})
    void pullEventInAPipelineNeverWaits(final String mode)
    {
        open(mode);
        try (Pipeline p = client.pipeline(1))
        {
            final PipelinedCall<ReceivedEvent> none = p.pullEvent();
            final PipelinedCall<Void> queued = p.queueEvent("late", Map.of());
            final PipelinedCall<ReceivedEvent> late = p.pullEvent("late");
            assertNull(none.get(), "nil: nothing was queued when the core reached it");
            assertNull(queued.get());
            assertEquals("late", late.get().name());
        }
    }

    @Test
    void aClientThatVanishesMidPipelineLeavesAConsistentKernel() throws Exception
    {
        open("shm");
        final int count = 8_000; // under the 10,000 events a queue may hold
        final Process child = JavaProcess.start(PipelineVanisher.class, dir.toString(), Integer.toString(count));
        final String line;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)))
        {
            line = out.readLine();
        }
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child halted");
        assertNotNull(line, "the child flushed its pipeline");
        assertTrue(line.startsWith("FLUSHED "), line);
        final int vanished = Integer.parseInt(line.substring(8));
        final long deadline = System.currentTimeMillis() + 30_000;
        while (!detachJournaled(vanished) && System.currentTimeMillis() < deadline)
        {
            Thread.sleep(10);
        }
        assertTrue(detachJournaled(vanished), "the vanished client is detached");
        // Every journaled request of it took effect, once, in order; none half.
        long journaled = 0;
        try (JournalReader reader = new JournalReader(dir, true))
        {
            final SyscallRecord record = new SyscallRecord();
            while (reader.next(record))
            {
                if (record.client == vanished && record.type == SyscallType.QUEUE_EVENT)
                {
                    journaled++;
                }
            }
        }
        assertTrue(journaled <= count, journaled + " of " + count);
        long taken = 0;
        try (Pipeline p = client.pipeline(1))
        {
            ReceivedEvent event;
            while ((event = p.pullEvent("vanish").get()) != null)
            {
                assertEquals(taken, event.params().get("i"), "in the order sent");
                taken++;
            }
        }
        assertEquals(journaled, taken, "as many events queued as queueEvent records journaled");
        assertEquals(1L, client.as(1).getpid(), "the service serves on");
    }

    private boolean detachJournaled(final int clientId)
    {
        try (JournalReader reader = new JournalReader(dir, true))
        {
            final SyscallRecord record = new SyscallRecord();
            while (reader.next(record))
            {
                if (record.type == SyscallType.CLIENT_DETACH && record.arg0 == clientId)
                {
                    return true;
                }
            }
        }
        return false;
    }
}
