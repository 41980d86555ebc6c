package ember.kernel.transport;

import ember.kernel.client.EmberException;
import ember.kernel.client.IpcClient;
import ember.kernel.client.ReceivedEvent;
import ember.kernel.client.Syscalls;
import ember.kernel.core.Kernel;
import ember.kernel.core.KernelConfig;
import ember.kernel.core.KernelLog;
import ember.kernel.testing.RawChannel;
import ember.kernel.testing.TempDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The socket transport (what every account but the kernel's own gets), the handshake, broken and
 * hostile socket clients, the per-account cap, and results longer than one ring message — against
 * a service in this JVM with small caps.
 */
class SocketClientTest
{
    private static Path dir;
    private static Kernel kernel;
    private static IpcClient good;
    private static Syscalls init;

    @BeforeAll
    static void start()
    {
        dir = TempDirs.create("ember-socket");
        kernel = Kernel.open(KernelConfig.of(dir).withBlockSize(1 << 20), k -> new IpcServer(k, dir));
        good = IpcClient.connect(dir, 5000);
        init = good.as(1);
    }

    @AfterAll
    static void stop()
    {
        good.close();
        kernel.close();
        TempDirs.delete(dir);
    }

    private static void assertGoodClientServed()
    {
        assertTrue(good.sharedMemory(), "the kernel's own account gets shared memory");
        assertEquals(1, init.getpid());
        init.queueEvent("still-here", Map.of("ok", true));
        assertEquals("still-here", init.pullEvent(0, "still-here").name());
    }

    @Test
    void aSocketClientRunsEverySyscallKindLikeASharedMemoryOne() throws Exception
    {
        try (IpcClient client = IpcClient.connectOverSocket(dir, 5000))
        {
            assertFalse(client.sharedMemory());
            final Syscalls root = client.as(1);
            final long worker = root.spawn("worker");
            final List<Long> handled = new CopyOnWriteArrayList<>();
            client.as(worker).signal(10, handled::add);
            root.kill(worker, 10);
            assertEquals(List.of(10L), handled, "the handler ran before kill returned");
            assertTrue(root.sendEvent(worker, "job", Map.of("n", 1L)));
            final ReceivedEvent job = client.as(worker).pullEvent(5.0, "remote_event");
            assertEquals(Map.of("n", 1L), ((Map<?, ?>)job.params().get("data")));
            final long timer = client.as(worker).timer(0);
            final ReceivedEvent fired = client.as(worker).pullEvent(5.0, "timer");
            assertEquals(timer, fired.params().get("id"));
            final EmberException bad = assertThrows(EmberException.class, () -> root.kill(99_999, 15));
            assertEquals("No such process", bad.getMessage());
            assertNotNull(root.getpinfo(worker));
            client.as(worker).exit(0);
        }
        assertGoodClientServed();
    }

    @Test
    void aProcessListLongerThanOneRingMessageArrivesWholeInBothModes() throws Exception
    {
        // 20,000 pids = 160 KB of reply: more than one 128 KiB ring message.
        final Path big = TempDirs.create("ember-socket-big");
        try (Kernel k = Kernel.open(KernelConfig.of(big).withBlockSize(16 << 20), kk -> new IpcServer(kk, big));
            IpcClient shared = IpcClient.connect(big, 5000);
            IpcClient socket = IpcClient.connectOverSocket(big, 5000))
        {
            final Syscalls root = shared.as(1);
            final long[] expected = new long[20_001];
            expected[0] = 1;
            for (int i = 1; i < expected.length; i++)
            {
                expected[i] = root.spawn("p");
            }
            assertArrayEquals(expected, shared.as(1).getplist(), "shared memory");
            assertArrayEquals(expected, socket.as(1).getplist(), "socket");
        }
        finally
        {
            TempDirs.delete(big);
        }
    }

    private static SocketChannel connectRaw() throws Exception
    {
        final SocketChannel socket = SocketChannel.open(StandardProtocolFamily.UNIX);
        socket.connect(UnixDomainSocketAddress.of(IpcLayout.socketFile(dir)));
        return socket;
    }

    /** Read frames until the service closes the connection. @return the detach reason it sent, or null. */
    private static String readUntilClosed(final SocketChannel socket) throws Exception
    {
        String detached = null;
        final ByteBuffer head = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        while (true)
        {
            head.clear();
            if (!readFully(socket, head))
            {
                return detached;
            }
            final ByteBuffer body = ByteBuffer.allocate(head.getInt(0));
            if (!readFully(socket, body))
            {
                return detached;
            }
            if (head.getInt(4) == IpcLayout.MSG_DETACHED)
            {
                detached = new String(body.array(), 4, body.capacity() - 4, StandardCharsets.UTF_8); // after its length
            }
        }
    }

    private static boolean readFully(final SocketChannel socket, final ByteBuffer buffer) throws Exception
    {
        while (buffer.hasRemaining())
        {
            if (socket.read(buffer) < 0)
            {
                return false;
            }
        }
        return true;
    }

    private static void writeFrame(final SocketChannel socket, final int length, final int type, final byte[] body)
        throws Exception
    {
        final ByteBuffer frame = ByteBuffer.allocate(8 + body.length).order(ByteOrder.LITTLE_ENDIAN);
        frame.putInt(length).putInt(type).put(body).flip();
        while (frame.hasRemaining())
        {
            socket.write(frame);
        }
    }

    @Test
    void brokenSocketClientsAreDetachedAndOthersServed() throws Exception
    {
        final int[][] frames = {
            {Integer.MAX_VALUE, IpcLayout.MSG_SYSCALL}, // a length past any message
            {-5, IpcLayout.MSG_SYSCALL},
            {3, 77},                                   // an unknown message type
            {3, IpcLayout.MSG_SYSCALL},                // bytes that are no record
            {3, 0},                                    // a type the rings cannot carry
        };
        for (final int[] frame : frames)
        {
            try (SocketChannel socket = connectRaw())
            {
                socket.write(RawChannel.hello(IpcLayout.MODE_SOCKET));
                assertEquals("ok ", RawChannel.readAnswer(socket));
                writeFrame(socket, frame[0], frame[1], new byte[] {1, 2, 3});
                final String reason = readUntilClosed(socket);
                assertNotNull(reason, "frame " + frame[0] + "/" + frame[1] + " gets a reason before the close");
                assertTrue(reason.startsWith("malformed") || reason.startsWith("unknown message type"), reason);
            }
            assertGoodClientServed();
        }
    }

    @Test
    void badHandshakesAreRefusedOrTimedOut() throws Exception
    {
        try (SocketChannel socket = connectRaw())
        {
            final ByteBuffer hello = RawChannel.hello(IpcLayout.MODE_SOCKET);
            hello.putInt(0, 0xBAD);
            socket.write(hello);
            assertTrue(RawChannel.readAnswer(socket).startsWith("refused not an Ember client"));
        }
        try (SocketChannel socket = connectRaw())
        {
            socket.write(RawChannel.hello(9));
            assertEquals("refused unknown mode 9", RawChannel.readAnswer(socket));
        }
        try (SocketChannel socket = connectRaw())
        {
            socket.write(ByteBuffer.wrap(new byte[] {1, 2, 3})); // and never the rest
            assertEquals("closed", RawChannel.readAnswer(socket), "a connection without a handshake is closed");
        }
        assertGoodClientServed();
    }

    @Test
    void anAccountPastItsCapIsRefusedAndLoggedOnce() throws Exception
    {
        final Path capped = TempDirs.create("ember-socket-cap");
        final List<IpcClient> clients = new ArrayList<>();
        try (Kernel k = Kernel.open(KernelConfig.of(capped).withBlockSize(1 << 20), kk -> new IpcServer(kk, capped, 3, 100)))
        {
            clients.add(IpcClient.connect(capped, 5000));
            clients.add(IpcClient.connectOverSocket(capped, 5000));
            clients.add(IpcClient.connectOverSocket(capped, 5000));
            for (int i = 0; i < 5; i++)
            {
                final EmberException refused = assertThrows(EmberException.class, () -> IpcClient.connect(capped, 5000));
                assertTrue(refused.getMessage().contains("has 3 clients attached"), refused.getMessage());
            }
            assertEquals(1, clients.get(0).as(1).getpid(), "the attached clients are served");
            clients.remove(0).close();
            // Its place is free once the service saw the connection end.
            IpcClient again = null;
            for (int attempt = 0; again == null && attempt < 500; attempt++)
            {
                try
                {
                    again = IpcClient.connect(capped, 5000);
                }
                catch (final EmberException ex)
                {
                    Thread.sleep(10);
                }
            }
            assertNotNull(again, "a place freed by a client that left is taken again");
            clients.add(again);
            assertEquals(1, again.as(1).getpid());
            clients.forEach(IpcClient::close);
            clients.clear();
            final long lines = Files.readAllLines(capped.resolve(KernelLog.FILE)).stream()
                .filter(line -> line.contains("refusing clients of account")).count();
            assertEquals(1, lines, "refusals are logged once, not per attempt");
        }
        finally
        {
            clients.forEach(IpcClient::close);
            TempDirs.delete(capped);
        }
    }

    @Test
    void clientsCloseCleanlyWhileAHandlerPumpPolls() throws Exception
    {
        // The shell's handler pump polls replies from its own thread while close() unmaps the ring.
        for (int i = 0; i < 200; i++)
        {
            final IpcClient client = i % 2 == 0 ? IpcClient.connect(dir, 5000) : IpcClient.connectOverSocket(dir, 5000);
            final Thread pump = new Thread(() ->
            {
                while (!Thread.currentThread().isInterrupted())
                {
                    client.runHandlers();
                }
            });
            pump.start();
            assertEquals(1, client.as(1).getpid());
            client.close();
            pump.interrupt();
            pump.join();
        }
        assertGoodClientServed();
    }
}
