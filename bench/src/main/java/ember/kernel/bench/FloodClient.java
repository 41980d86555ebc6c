package ember.kernel.bench;

import ember.kernel.client.EmberException;
import ember.kernel.client.IpcClient;
import ember.kernel.client.Syscalls;
import ember.kernel.transport.IpcLayout;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A hostile account's flood, run in its own JVM by {@link FloodBench}: for {@code SECONDS} it
 * holds as many socket clients as the service lets one account have, each with a pullEvent parked
 * on a name that never comes, and round after round opens connections that never finish their
 * handshake, sends bad handshakes and frames that claim 2 GB, and re-attaches one of its clients.
 * Prints {@code FLOOD held=N rounds=N refused=N} when done.
 * <pre>
 *   FloodClient DIR SECONDS PID [MAX_HELD]      PID: a process of the flooding account
 * </pre>
 */
public final class FloodClient
{
    private FloodClient()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Path dir = Path.of(args[0]);
        final long end = System.nanoTime() + (long)(Double.parseDouble(args[1]) * 1e9);
        final long pid = Long.parseLong(args[2]);
        final int maxHeld = args.length > 3 ? Integer.parseInt(args[3]) : Integer.MAX_VALUE;
        final List<IpcClient> held = new ArrayList<>();
        final List<Thread> parked = new ArrayList<>();
        long refused = 0;
        while (System.nanoTime() < end && held.size() < maxHeld)
        {
            try
            {
                final IpcClient client = IpcClient.connectOverSocket(dir, 5_000);
                held.add(client);
                final Syscalls own = client.as(client.as(pid).spawn("flood"));
                final Thread pull = new Thread(() ->
                {
                    try
                    {
                        own.pullEvent(1e9, "never");
                    }
                    catch (final EmberException ignored)
                    {
                        // detached at the end
                    }
                });
                pull.setDaemon(true);
                pull.start();
                parked.add(pull);
            }
            catch (final EmberException ex)
            {
                refused++;
                break; // the cap: the rest is churn
            }
        }
        long rounds = 0;
        while (System.nanoTime() < end)
        {
            rounds++;
            try (SocketChannel silent = connect(dir); SocketChannel bad = connect(dir); SocketChannel huge = connect(dir))
            {
                final ByteBuffer hello = ByteBuffer.allocate(IpcLayout.HELLO_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
                hello.putInt(0xBAD).flip();
                bad.write(hello);
                final ByteBuffer frame = ByteBuffer.allocate(IpcLayout.HELLO_LENGTH + 8).order(ByteOrder.LITTLE_ENDIAN);
                frame.putInt(IpcLayout.MAGIC).putInt(IpcLayout.VERSION).putInt(IpcLayout.MODE_SOCKET).putInt(0).putLong(0)
                    .putInt(Integer.MAX_VALUE).putInt(IpcLayout.MSG_SYSCALL).flip();
                huge.write(frame);
            }
            catch (final java.io.IOException ex)
            {
                refused++;
            }
            if (!held.isEmpty() && rounds % 10 == 0)
            {
                held.remove(held.size() - 1).close(); // detach and attach again: journaled churn
                try
                {
                    held.add(IpcClient.connectOverSocket(dir, 5_000));
                }
                catch (final EmberException ex)
                {
                    refused++;
                }
            }
        }
        System.out.println("FLOOD held=" + held.size() + " parked=" + parked.size() + " rounds=" + rounds + " refused=" + refused);
        System.out.flush();
        held.forEach(IpcClient::close);
    }

    private static SocketChannel connect(final Path dir) throws java.io.IOException
    {
        final SocketChannel socket = SocketChannel.open(StandardProtocolFamily.UNIX);
        socket.connect(UnixDomainSocketAddress.of(IpcLayout.socketFile(dir)));
        return socket;
    }
}
