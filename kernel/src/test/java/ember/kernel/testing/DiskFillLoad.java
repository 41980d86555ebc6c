package ember.kernel.testing;

import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.EmberException;
import ember.kernel.client.Syscalls;
import ember.kernel.core.Kernel;
import ember.kernel.core.KernelConfig;
import ember.kernel.state.KernelLimits;

import java.nio.file.Path;
import java.util.Map;

/**
 * A syscall load for full-disk tests, run in its own JVM: queues events numbered 1, 2, 3, … to
 * init and prints {@code ACK n} once syscall n returned. A refusal for a full disk is retried
 * (same n) and printed as {@code FULL}; if the kernel stops it prints {@code STOPPED message}
 * and exits 3. Paced (about 10,000 syscalls/s) so the journal itself does not fill the disk.
 */
public final class DiskFillLoad
{
    private DiskFillLoad()
    {
    }

    public static void main(final String[] args) throws InterruptedException
    {
        final Path dir = Path.of(args[0]);
        final Kernel kernel = Kernel.open(KernelConfig.of(dir).withBlockSize(1 << 20).withSnapshots(0, 0, false)
            .withLimits(new KernelLimits(10_000_000, 4096)));
        final Syscalls init = new EmbeddedClient(kernel).as(1);
        System.out.println("READY");
        System.out.flush();
        for (long n = 1; ; )
        {
            try
            {
                init.queueEvent("seq", Map.of("n", n));
                System.out.println("ACK " + n);
                n++;
                if (n % 16 == 0)
                {
                    Thread.sleep(1);
                }
            }
            catch (final EmberException ex)
            {
                if (ex.getMessage().startsWith("journal write failed: disk full"))
                {
                    System.out.println("FULL");
                    Thread.sleep(1);
                    continue;
                }
                System.out.println("STOPPED " + ex.getMessage() + " | " + kernel.failure());
                System.out.flush();
                System.exit(3);
            }
            System.out.flush();
        }
    }
}
