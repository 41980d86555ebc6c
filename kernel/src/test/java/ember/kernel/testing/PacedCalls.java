package ember.kernel.testing;

import ember.kernel.client.EmberException;
import ember.kernel.client.IpcClient;

import java.nio.file.Path;

/**
 * A client in its own JVM that lets the service go idle between calls: attaches to the service on
 * {@code DIR}, then {@code N} times sleeps {@code PAUSE_MS} and calls {@code getpid} as pid 1.
 * Prints {@code OK N} when every call was answered with 1, else {@code FAILED reason}.
 * <pre>
 *   PacedCalls DIR N PAUSE_MS [socket]
 * </pre>
 */
public final class PacedCalls
{
    private PacedCalls()
    {
    }

    public static void main(final String[] args) throws InterruptedException
    {
        final Path dir = Path.of(args[0]);
        final int n = Integer.parseInt(args[1]);
        final long pauseMs = Long.parseLong(args[2]);
        final boolean socket = args.length > 3 && args[3].equals("socket");
        try (IpcClient client = socket ? IpcClient.connectOverSocket(dir, 30_000) : IpcClient.connect(dir, 30_000))
        {
            for (int i = 1; i <= n; i++)
            {
                Thread.sleep(pauseMs);
                final long pid = client.as(1).getpid();
                if (pid != 1)
                {
                    System.out.println("FAILED call " + i + " answered " + pid);
                    return;
                }
            }
            System.out.println("OK " + n);
        }
        catch (final EmberException ex)
        {
            System.out.println("FAILED " + ex.getMessage());
        }
        System.out.flush();
    }
}
