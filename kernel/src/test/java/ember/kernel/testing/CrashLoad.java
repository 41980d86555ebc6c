package ember.kernel.testing;

import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.Syscalls;
import ember.kernel.core.Kernel;
import ember.kernel.core.KernelConfig;
import ember.kernel.state.KernelLimits;

import java.nio.file.Path;
import java.util.Map;

/**
 * A syscall load for crash tests, run in its own JVM: queues numbered events to a few processes
 * and prints {@code ACK pid n} after each syscall returned, until it is killed.
 */
public final class CrashLoad
{
    private CrashLoad()
    {
    }

    public static void main(final String[] args)
    {
        final Path dir = Path.of(args[0]);
        final Kernel kernel = Kernel.open(KernelConfig.of(dir).withBlockSize(1 << 20)
            .withLimits(new KernelLimits(1_000_000, 4096)));
        final EmbeddedClient client = new EmbeddedClient(kernel);
        final Syscalls init = client.as(1);
        final long[] pids = new long[4];
        for (int i = 0; i < pids.length; i++)
        {
            pids[i] = init.spawn("load" + i);
        }
        System.out.println("READY");
        System.out.flush();
        for (long n = 1; ; n++)
        {
            final long pid = pids[(int)(n % pids.length)];
            client.as(pid).queueEvent("seq", Map.of("n", n));
            if (n % 64 == 0)
            {
                client.as(pid).timer(0.001);
            }
            System.out.println("ACK " + pid + " " + n);
            System.out.flush();
        }
    }
}
