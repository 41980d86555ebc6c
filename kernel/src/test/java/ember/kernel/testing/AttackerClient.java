package ember.kernel.testing;

import ember.kernel.client.EmberException;
import ember.kernel.client.IpcClient;
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
 * What another OS account tries against a service (run as that account, in its own JVM). Prints
 * one {@code step: outcome} line per step given on the command line:
 * <pre>
 *   shm              ask for a shared-memory channel
 *   attach PID       attach (socket mode, as any other account gets) and act as PID: getuser
 *   steal PID        attach and act as another user's PID: spawn
 *   flood N          hold N connections at once: how many were attached, how many refused
 *   garbage          attach raw and send a frame claiming 2 GB
 * </pre>
 */
public final class AttackerClient
{
    private AttackerClient()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Path dir = Path.of(args[0]);
        for (int i = 1; i < args.length; i++)
        {
            final String step = args[i];
            String outcome;
            try
            {
                outcome = switch (step)
                {
                    case "shm" -> shm(dir);
                    case "attach" -> attach(dir, Long.parseLong(args[++i]));
                    case "steal" -> steal(dir, Long.parseLong(args[++i]));
                    case "flood" -> flood(dir, Integer.parseInt(args[++i]));
                    case "garbage" -> garbage(dir);
                    default -> "unknown step";
                };
            }
            catch (final EmberException ex)
            {
                outcome = "error " + ex.getMessage();
            }
            System.out.println(step + ": " + outcome);
            System.out.flush();
        }
    }

    private static SocketChannel raw(final Path dir) throws Exception
    {
        final SocketChannel socket = SocketChannel.open(StandardProtocolFamily.UNIX);
        socket.connect(UnixDomainSocketAddress.of(IpcLayout.socketFile(dir)));
        return socket;
    }

    private static String shm(final Path dir) throws Exception
    {
        try (SocketChannel socket = raw(dir))
        {
            socket.write(RawChannel.hello(IpcLayout.MODE_SHARED_MEMORY));
            return RawChannel.readAnswer(socket);
        }
    }

    private static String attach(final Path dir, final long pid)
    {
        try (IpcClient client = IpcClient.connect(dir, 5000))
        {
            return "shared=" + client.sharedMemory() + " user=" + client.user() + " getuser=" + client.as(pid).getuser();
        }
    }

    private static String steal(final Path dir, final long pid)
    {
        try (IpcClient client = IpcClient.connect(dir, 5000))
        {
            return "spawned " + client.as(pid).spawn("stolen");
        }
    }

    private static String flood(final Path dir, final int n)
    {
        try
        {
            Thread.sleep(300); // the service frees the places of the earlier steps' clients after they left
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        final List<IpcClient> held = new ArrayList<>();
        int refused = 0;
        String reason = "";
        try
        {
            for (int i = 0; i < n; i++)
            {
                try
                {
                    held.add(IpcClient.connect(dir, 5000));
                }
                catch (final EmberException ex)
                {
                    refused++;
                    reason = ex.getMessage();
                }
            }
            return "attached=" + held.size() + " refused=" + refused + " reason=" + reason;
        }
        finally
        {
            held.forEach(IpcClient::close);
        }
    }

    private static String garbage(final Path dir) throws Exception
    {
        try (SocketChannel socket = raw(dir))
        {
            socket.write(RawChannel.hello(IpcLayout.MODE_SOCKET));
            final String answer = RawChannel.readAnswer(socket);
            final ByteBuffer frame = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            frame.putInt(Integer.MAX_VALUE).putInt(IpcLayout.MSG_SYSCALL).flip();
            socket.write(frame);
            final ByteBuffer sink = ByteBuffer.allocate(4096);
            while (socket.read(sink) >= 0)
            {
                sink.clear();
            }
            return answer.trim() + ", then closed by the service";
        }
    }
}
