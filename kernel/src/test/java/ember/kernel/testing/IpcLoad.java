package ember.kernel.testing;

import ember.kernel.client.EmberException;
import ember.kernel.client.IpcClient;

import java.nio.file.Path;
import java.util.Map;

/**
 * An IPC client load for service crash tests, run in its own JVM: queues numbered events to
 * pid 1 through the service and prints {@code ACK n} after each acknowledged syscall. When the
 * service goes away it prints {@code GONE}, waits for a service to come back, re-attaches
 * ({@code REATTACHED}) and goes on.
 */
public final class IpcLoad
{
    private IpcLoad()
    {
    }

    public static void main(final String[] args) throws InterruptedException
    {
        final Path dir = Path.of(args[0]);
        IpcClient client = connect(dir);
        System.out.println("READY");
        System.out.flush();
        long n = 1;
        while (true)
        {
            try
            {
                client.as(1).queueEvent("seq", Map.of("n", n));
                System.out.println("ACK " + n);
                System.out.flush();
                n++;
            }
            catch (final EmberException ex)
            {
                System.out.println("GONE " + ex.getMessage());
                System.out.flush();
                client = connect(dir);
                System.out.println("REATTACHED");
                System.out.flush();
            }
        }
    }

    private static IpcClient connect(final Path dir) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + 60_000;
        while (true)
        {
            try
            {
                return IpcClient.connect(dir, 5_000);
            }
            catch (final EmberException ex)
            {
                if (System.currentTimeMillis() > deadline)
                {
                    throw ex;
                }
                Thread.sleep(50);
            }
        }
    }
}
