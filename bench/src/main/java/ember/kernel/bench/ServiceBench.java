package ember.kernel.bench;

import ember.kernel.client.EmbeddedClient;
import ember.kernel.core.Kernel;
import ember.kernel.core.KernelConfig;
import ember.kernel.transport.IpcServer;
import org.HdrHistogram.Histogram;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * End-to-end figures through the service: the service runs in this JVM (busy-spin core),
 * each client is a separate JVM running {@link BenchClient}.
 */
public final class ServiceBench
{
    /** Outcome of one or more client JVMs: total ops/s and the merged latency histogram. */
    public record Figures(double opsPerSecond, Histogram histogram)
    {
        public double us(final double percentile)
        {
            return histogram.getValueAtPercentile(percentile) / 1000.0;
        }
    }

    private ServiceBench()
    {
    }

    /**
     * @param seconds measured seconds per phase (each client also warms up as long).
     * @param clients the N of the N-client throughput figure.
     * @param out     receives {@code name=value} figures.
     */
    public static void run(
        final double seconds, final int clients, final java.util.function.Supplier<org.agrona.concurrent.IdleStrategy> idle,
        final BiConsumer<String, String> out)
    {
        final Path dir = tempDir();
        final KernelConfig config = KernelConfig.of(dir).withIdle(idle).withBlockSize(64L << 20);
        try (Kernel kernel = Kernel.open(config, k -> new IpcServer(k, dir)))
        {
            kernel.digest(); // answered after the IPC server has started
            final Figures rtt = clients(1, "rtt", seconds, dir.toString());
            out.accept("rtt_p50_us", format(rtt.us(50)));
            out.accept("rtt_p99_us", format(rtt.us(99)));
            out.accept("rtt_p999_us", format(rtt.us(99.9)));
            out.accept("rtt_max_us", format(rtt.histogram().getMaxValue() / 1000.0));

            final long[] pids;
            try (EmbeddedClient admin = new EmbeddedClient(kernel))
            {
                pids = new long[] {admin.as(1).spawn("ping"), admin.as(1).spawn("pong")};
            }
            final Process pong = client("pong", seconds, dir.toString(), Long.toString(pids[1]));
            final Figures ping = collect(List.of(client("ping", seconds, dir.toString(), Long.toString(pids[0]),
                Long.toString(pids[1]))));
            final Figures pair = collect(List.of(pong));
            out.accept("pair_p50_us", format(pair.us(50)));
            out.accept("pair_p99_us", format(pair.us(99)));
            out.accept("pair_roundtrip_p50_us", format(ping.us(50)));

            final Figures one = clients(1, "pairs", seconds, dir.toString());
            final Figures many = clients(clients, "pairs", seconds, dir.toString());
            out.accept("throughput_1_ops_per_s", String.format("%.0f", 2 * one.opsPerSecond()));
            out.accept("throughput_n_ops_per_s", String.format("%.0f", 2 * many.opsPerSecond()));
            out.accept("clients_n", Integer.toString(clients));
            out.accept("pairs_p50_us", format(one.us(50)));
        }
        finally
        {
            EmbeddedBench.delete(dir);
        }
    }

    /** Run {@code count} client JVMs in {@code mode} at once and merge their figures. */
    public static Figures clients(final int count, final String mode, final double seconds, final String... args)
    {
        final List<Process> processes = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            final String[] all = new String[args.length + (mode.equals("redis") ? 1 : 0)];
            System.arraycopy(args, 0, all, 0, args.length);
            if (mode.equals("redis"))
            {
                all[args.length] = "bench:" + i;
            }
            processes.add(client(mode, seconds, all));
        }
        return collect(processes);
    }

    private static Process client(final String mode, final double seconds, final String... args)
    {
        final List<String> all = new ArrayList<>();
        all.add(mode);
        all.add(args[0]);
        all.add(Double.toString(seconds));
        all.addAll(List.of(args).subList(1, args.length));
        return jvm(BenchClient.class, all.toArray(new String[0]));
    }

    /** Start {@code main} in a separate JVM with this one's class path and flags (Chronicle's included). */
    static Process jvm(final Class<?> main, final String... args)
    {
        return jvm(List.of(), main, args);
    }

    /** The same, run under {@code prefix} (e.g. setpriv to run it as another OS account). */
    static Process jvm(final List<String> prefix, final Class<?> main, final String... args)
    {
        final List<String> command = new ArrayList<>(prefix);
        command.addAll(ember.kernel.core.JvmCommand.of(
            flag -> flag.startsWith("--add-") || flag.startsWith("-D"), List.of(), main, args));
        try
        {
            return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static Figures collect(final List<Process> processes)
    {
        final Histogram merged = new Histogram(60_000_000_000L, 3);
        double opsPerSecond = 0;
        for (final Process process : processes)
        {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = in.readLine()) != null)
                {
                    if (line.startsWith("OPS "))
                    {
                        final String[] parts = line.split(" ");
                        opsPerSecond += Long.parseLong(parts[1]) / (Long.parseLong(parts[2]) / 1e9);
                    }
                    else if (line.startsWith("HIST "))
                    {
                        merged.add(Histogram.decodeFromCompressedByteBuffer(
                            ByteBuffer.wrap(Base64.getDecoder().decode(line.substring(5))), 0));
                    }
                }
                if (process.waitFor() != 0)
                {
                    throw new IllegalStateException("bench client failed with exit code " + process.exitValue());
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            catch (final java.util.zip.DataFormatException ex)
            {
                throw new IllegalStateException("bad histogram from a bench client", ex);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
        }
        return new Figures(opsPerSecond, merged);
    }

    static String format(final double value)
    {
        return String.format("%.2f", value);
    }

    private static Path tempDir()
    {
        try
        {
            return Files.createTempDirectory("ember-service-bench");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
