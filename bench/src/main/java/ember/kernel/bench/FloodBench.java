package ember.kernel.bench;

import ember.kernel.core.Kernel;
import ember.kernel.core.KernelConfig;
import ember.kernel.transport.IpcServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * One account's flood against another's latency: the getpid round trip of a client JVM through
 * the service, quiet and then while a {@link FloodClient} JVM floods the service, measured in the
 * same run. The flooder uses the socket transport (what any account but the kernel's gets). Run
 * as root, the flood comes from the OS account {@code nobody} (a real other account, with its own
 * cap); otherwise from this account, holding all but two of its places.
 */
public final class FloodBench
{
    private FloodBench()
    {
    }

    /**
     * @param seconds measured seconds per phase.
     * @param out     receives {@code name=value} figures.
     */
    public static void run(
        final double seconds, final java.util.function.Supplier<org.agrona.concurrent.IdleStrategy> idle,
        final BiConsumer<String, String> out)
    {
        final Path dir;
        try
        {
            dir = Files.createTempDirectory("ember-flood-bench");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final boolean otherAccount = "root".equals(System.getProperty("user.name"));
        final KernelConfig config = KernelConfig.of(dir).withIdle(idle).withBlockSize(64L << 20);
        try (Kernel kernel = Kernel.open(config, k -> new IpcServer(k, dir)))
        {
            kernel.digest();
            final ServiceBench.Figures quiet = ServiceBench.clients(1, "rtt", seconds, dir.toString());
            if (otherAccount)
            {
                try
                {
                    // The flooder must reach DIR/ipc/ember.sock (and read the class path).
                    Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            }
            final long flooder;
            try (ember.kernel.client.EmbeddedClient admin = new ember.kernel.client.EmbeddedClient(kernel))
            {
                flooder = admin.as(1).spawn("flooder"); // the flooding account's own process
                admin.as(flooder).setuser(otherAccount ? "nobody" : "root");
            }
            final ServiceBench.Figures hogged = whileHogged(dir, seconds, otherAccount);
            final Process flood = start(dir, 3 * seconds + 2, otherAccount, flooder);
            try
            {
                Thread.sleep(1_000); // the flood holds its clients and parked pulls before the measuring starts
                final ServiceBench.Figures flooded = ServiceBench.clients(1, "rtt", seconds, dir.toString());
                out.accept("quiet_rtt_p50_us", ServiceBench.format(quiet.us(50)));
                out.accept("quiet_rtt_p99_us", ServiceBench.format(quiet.us(99)));
                out.accept("flood_rtt_p50_us", ServiceBench.format(flooded.us(50)));
                out.accept("flood_rtt_p99_us", ServiceBench.format(flooded.us(99)));
                out.accept("flood_vs_quiet_p99_ratio", String.format("%.2f", flooded.us(99) / quiet.us(99)));
                out.accept("hog_rtt_p50_us", ServiceBench.format(hogged.us(50)));
                out.accept("hog_rtt_p99_us", ServiceBench.format(hogged.us(99)));
                out.accept("hog_vs_quiet_p99_ratio", String.format("%.2f", hogged.us(99) / quiet.us(99)));
                out.accept("flood_vs_hog_p99_ratio", String.format("%.2f", flooded.us(99) / hogged.us(99)));
                final String summary = new String(flood.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                flood.waitFor();
                out.accept("flood", summary.replace("FLOOD ", "").replace(' ', ','));
                out.accept("flood_account", otherAccount ? "nobody" : "same");
            }
            catch (final InterruptedException | IOException ex)
            {
                throw new IllegalStateException(ex);
            }
            finally
            {
                flood.destroy();
            }
        }
        finally
        {
            EmbeddedBench.delete(dir);
        }
    }

    /** @return how to run a process as the flooding account: {@code nobody} when root, else this one. */
    private static List<String> flooderPrefix(final boolean otherAccount)
    {
        return otherAccount ? List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--") : List.of();
    }

    /**
     * The same measurement while a process of the flooding account only burns a CPU (no kernel
     * contact): what the machine's scheduler alone costs the caller.
     */
    private static ServiceBench.Figures whileHogged(final Path dir, final double seconds, final boolean otherAccount)
    {
        final Process hog = ServiceBench.jvm(flooderPrefix(otherAccount), CpuHog.class, Double.toString(seconds + 3));
        try
        {
            Thread.sleep(1_000); // the hog's JVM started and spinning
            return ServiceBench.clients(1, "rtt", seconds, dir.toString());
        }
        catch (final InterruptedException ex)
        {
            throw new IllegalStateException(ex);
        }
        finally
        {
            hog.destroy();
        }
    }

    private static Process start(final Path dir, final double seconds, final boolean otherAccount, final long pid)
    {
        return ServiceBench.jvm(flooderPrefix(otherAccount), FloodClient.class, dir.toString(), Double.toString(seconds), Long.toString(pid),
            Integer.toString(otherAccount ? Integer.MAX_VALUE : IpcServer.DEFAULT_MAX_CLIENTS_PER_ACCOUNT - 2));
    }
}
