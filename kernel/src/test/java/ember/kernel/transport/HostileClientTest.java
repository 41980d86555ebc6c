package ember.kernel.transport;

import ember.journal.JournalReader;
import ember.journal.PayloadCodec;
import ember.journal.SyscallRecord;
import ember.journal.SyscallType;
import ember.kernel.client.EmberException;
import ember.kernel.client.IpcClient;
import ember.kernel.client.Syscalls;
import ember.kernel.testing.RawChannel;
import ember.kernel.testing.ServiceProcess;
import ember.kernel.testing.ShellSession;
import ember.kernel.testing.TempDirs;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Broken and hostile clients against one real service: each gets a clear error or is detached,
 * nothing invalid reaches the journal as a syscall, and a well-behaved client keeps being served.
 */
class HostileClientTest
{
    private static Path dir;
    private static ServiceProcess service;
    private static IpcClient good;
    private static Syscalls init;

    @BeforeAll
    static void start() throws Exception
    {
        dir = TempDirs.create("ember-hostile");
        service = ServiceProcess.start(dir);
        good = IpcClient.connect(dir, 5000);
        init = good.as(1);
    }

    @AfterAll
    static void stop() throws Exception
    {
        good.close();
        service.stop();
        TempDirs.delete(dir);
    }

    private static void assertGoodClientServed()
    {
        assertEquals(1, init.getpid());
        init.queueEvent("still-here", Map.of("ok", true));
        assertEquals("still-here", init.pullEvent(0, "still-here").name());
    }

    /** @return how many syscall records the journal holds from {@code client}. */
    private static int syscallsJournaledFrom(final int client)
    {
        int count = 0;
        try (JournalReader reader = new JournalReader(dir, true))
        {
            final SyscallRecord record = new SyscallRecord();
            while (reader.next(record))
            {
                if (record.client == client && record.type.isClientCall())
                {
                    count++;
                }
            }
        }
        return count;
    }

    private static SyscallRecord getpid()
    {
        final SyscallRecord record = new SyscallRecord().reset(SyscallType.GETPID, 1);
        record.index = 1;
        return record;
    }

    @Test
    void garbageBytesDetachTheSender() throws Exception
    {
        final Random random = new Random(11);
        for (int round = 0; round < 5; round++)
        {
            try (RawChannel raw = new RawChannel(dir))
            {
                final byte[] junk = new byte[1 + random.nextInt(200)];
                random.nextBytes(junk);
                raw.write(1, junk);
                final String reason = raw.awaitDetached(5000);
                assertNotNull(reason, "seed 11 round " + round);
                assertTrue(reason.startsWith("malformed request"), reason);
                assertEquals(0, syscallsJournaledFrom(raw.clientId));
                assertGoodClientServed();
            }
        }
    }

    @Test
    void truncatedFrameAndUnknownMessageTypeDetach() throws Exception
    {
        try (RawChannel raw = new RawChannel(dir))
        {
            final byte[] frame = raw.frame(getpid());
            raw.write(1, java.util.Arrays.copyOf(frame, frame.length - 3));
            assertTrue(raw.awaitDetached(5000).startsWith("malformed request"));
        }
        try (RawChannel raw = new RawChannel(dir))
        {
            raw.write(77, new byte[] {1, 2, 3});
            assertEquals("unknown message type 77", raw.awaitDetached(5000));
        }
        assertGoodClientServed();
    }

    @Test
    void corruptRingHeaderClaimingAHugeMessageDetaches() throws Exception
    {
        try (RawChannel raw = new RawChannel(dir))
        {
            // A record header claiming a message far larger than the ring, written by hand.
            raw.requestRegion.putInt(RecordDescriptor.typeOffset(0), 1);
            raw.requestRegion.putIntOrdered(RecordDescriptor.lengthOffset(0), Integer.MAX_VALUE - 7);
            raw.requestRegion.putLongOrdered(raw.requests.capacity() + org.agrona.concurrent.ringbuffer.RingBufferDescriptor.TAIL_POSITION_OFFSET, 64);
            final String reason = raw.awaitDetached(5000);
            assertNotNull(reason);
        }
        assertGoodClientServed();
    }

    @Test
    void payloadWithAnUnregisteredKryoClassIsRefusedAndNotJournaled() throws Exception
    {
        try (RawChannel raw = new RawChannel(dir))
        {
            final SyscallRecord queue = new SyscallRecord().reset(SyscallType.QUEUE_EVENT, 1);
            queue.index = 5;
            queue.text = "evil";
            queue.payload = new byte[] {99, 1, 2, 3}; // class id 99 is not registered
            raw.write(queue);
            final SyscallRecord send = new SyscallRecord().reset(SyscallType.SEND_EVENT, 1);
            send.index = 6;
            send.arg0 = 1;
            send.text = "evil";
            final byte[] valid = new PayloadCodec().encode(Map.of("a", 1L));
            send.payload = java.util.Arrays.copyOf(valid, valid.length - 1); // truncated
            raw.write(send);
            final SyscallRecord list = new SyscallRecord().reset(SyscallType.QUEUE_EVENT, 1);
            list.index = 7;
            list.text = "list";
            list.payload = new PayloadCodec().encode(java.util.List.of(1L));
            raw.write(list);
            final long deadline = System.currentTimeMillis() + 5000;
            while (raw.results.size() < 3 && System.currentTimeMillis() < deadline)
            {
                raw.poll();
                Thread.sleep(1);
            }
            assertEquals(java.util.List.of(5L, 6L, 7L), raw.results);
            assertTrue(raw.refusals.get(0).startsWith("bad argument #2 to 'queueEvent' (malformed payload"), raw.refusals.toString());
            assertTrue(raw.refusals.get(1).startsWith("bad argument #3 to 'sendEvent' (malformed payload"),
                raw.refusals.toString());
            assertEquals("bad argument #2 to 'queueEvent' (expected table, got array)", raw.refusals.get(2));
            assertEquals(0, syscallsJournaledFrom(raw.clientId), "nothing invalid is journaled");
            assertEquals(null, raw.detached, "a refused syscall does not detach");
        }
        assertGoodClientServed();
    }

    @Test
    void aClientThatNeverReadsItsRepliesIsDetached() throws Exception
    {
        try (RawChannel raw = new RawChannel(dir))
        {
            final SyscallRecord record = getpid();
            final long deadline = System.currentTimeMillis() + 30_000;
            int sent = 0;
            while (System.currentTimeMillis() < deadline)
            {
                if (raw.write(record))
                {
                    sent++;
                }
                else if (!Files.exists(raw.file))
                {
                    break;
                }
            }
            // Its reply ring is full, so it may not even read why: the service drops its channel.
            final long gone = System.currentTimeMillis() + 10_000;
            while (Files.exists(raw.file) && System.currentTimeMillis() < gone)
            {
                Thread.sleep(10);
            }
            assertTrue(!Files.exists(raw.file), "detached after " + sent + " unread replies");
        }
        assertGoodClientServed();
    }

    @Test
    void thousandsOfAttachesAreServedAndCleanedUp() throws Exception
    {
        for (int i = 0; i < 1000; i++)
        {
            try (IpcClient client = IpcClient.connect(dir, 5000))
            {
                if (i % 100 == 0)
                {
                    assertEquals(1, client.as(1).getpid());
                }
            }
        }
        long deadline = System.currentTimeMillis() + 5000;
        while (countChannels() > 1 && System.currentTimeMillis() < deadline)
        {
            Thread.sleep(10);
        }
        assertEquals(1, countChannels(), "only the good client's channel is left");
        assertGoodClientServed();
    }

    private static long countChannels() throws Exception
    {
        try (var files = Files.list(IpcLayout.channelsDir(dir)))
        {
            return files.filter(p -> p.toString().endsWith(IpcLayout.CHANNEL_SUFFIX)).count();
        }
    }

    @Test
    void aClientThatDiesIsDetachedAndItsHandlersFallBackToQueuedSignals() throws Exception
    {
        final long pid = init.spawn("victim");
        try (ShellSession shell = new ShellSession(dir))
        {
            assertEquals("ok", shell.call("as " + pid));
            assertEquals("ok", shell.call("signal 10 on"));
            shell.process().destroyForcibly(); // kill -9 of the client JVM
            shell.process().waitFor();
        }
        final long deadline = System.currentTimeMillis() + 15_000;
        while (countChannels() > 1 && System.currentTimeMillis() < deadline)
        {
            Thread.sleep(50);
        }
        assertEquals(1, countChannels(), "the dead client is detached once its connection ends");
        init.kill(pid, 10);
        final var event = good.as(pid).peekEvent();
        assertNotNull(event, "the signal is queued, not lost");
        assertEquals("signal", event.name());
        assertEquals(10L, event.params().get("signal"));
    }

    @Test
    void actingForAnotherUsersProcessIsDeniedAndJournaled() throws Exception
    {
        // SPEC §6: a Permission denied failure is journaled like any other syscall, and changes nothing.
        final Path own = TempDirs.create("ember-entitled");
        try (ember.kernel.core.Kernel kernel = ember.kernel.core.Kernel.open(
            ember.kernel.core.KernelConfig.of(own).withBlockSize(1 << 20));
            ember.kernel.client.EmbeddedClient root = new ember.kernel.client.EmbeddedClient(kernel);
            ember.kernel.client.EmbeddedClient alice = new ember.kernel.client.EmbeddedClient(kernel, "alice"))
        {
            final long alices = root.as(1).spawn("a");
            root.as(alices).setuser("alice");
            assertEquals(alices, alice.as(alices).getpid());
            final EmberException denied = org.junit.jupiter.api.Assertions.assertThrows(EmberException.class,
                () -> alice.as(1).spawn("x"));
            assertEquals("Permission denied", denied.getMessage());
            assertEquals(java.util.List.of(1L, alices), java.util.Arrays.stream(root.as(1).getplist()).boxed().toList(),
                "the denied spawn changed nothing");
            int deniedRecords = 0;
            final ember.kernel.state.KernelState replayed = new ember.kernel.state.KernelState();
            final ember.kernel.state.SyscallResult result = new ember.kernel.state.SyscallResult();
            try (JournalReader reader = new JournalReader(own, true))
            {
                final SyscallRecord record = new SyscallRecord();
                while (reader.next(record))
                {
                    replayed.apply(record, result, ember.kernel.state.KernelEffects.NONE);
                    if (record.client == alice.clientId() && record.pid == 1)
                    {
                        deniedRecords++;
                        assertEquals(SyscallType.SPAWN, record.type);
                        assertEquals(ember.kernel.state.KernelError.PERMISSION_DENIED, result.error,
                            "replay gives the same denial");
                    }
                }
            }
            assertEquals(1, deniedRecords, "the denied call is in the audit trail");
        }
        finally
        {
            TempDirs.delete(own);
        }
    }
}
