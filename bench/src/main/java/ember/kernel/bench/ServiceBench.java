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
    /** System property: the CPU list ({@code taskset -c} syntax) the bench's client JVMs are pinned to. */
    static final String CLIENT_CPUS_PROPERTY = "ember.bench.clientCpus";

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

    /** The pauses of the paced figures: a core that spins through them, one that parks in them. */
    static final long[] PACED_PAUSES_US = {50, 500, 2_000};

    /**
     * The round trip after the service had time to go idle: one client JVM calls {@code getpid}
     * after each pause ({@link #PACED_PAUSES_US}), so a core that parks when idle is asleep when
     * the call comes and must be woken ({@code DoorbellIdleStrategy}); also the service JVM's CPU
     * while no client calls, in percent of one core.
     */
    public static void paced(
        final double seconds, final java.util.function.Supplier<org.agrona.concurrent.IdleStrategy> idle,
        final BiConsumer<String, String> out)
    {
        final Path dir = tempDir();
        final KernelConfig config = KernelConfig.of(dir).withIdle(idle).withBlockSize(64L << 20);
        try (Kernel kernel = Kernel.open(config, k -> new IpcServer(k, dir)))
        {
            kernel.digest();
            for (final long pauseUs : PACED_PAUSES_US)
            {
                final Figures paced = collect(List.of(client("paced", seconds, dir.toString(), Long.toString(pauseUs))));
                out.accept("paced_" + pauseUs + "us_p50_us", format(paced.us(50)));
                out.accept("paced_" + pauseUs + "us_p99_us", format(paced.us(99)));
            }
            final com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean)java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            final long cpu0 = os.getProcessCpuTime();
            final long wall0 = System.nanoTime();
            java.util.concurrent.locks.LockSupport.parkNanos((long)(seconds * 1e9));
            final double cpuPct = 100.0 * (os.getProcessCpuTime() - cpu0) / (System.nanoTime() - wall0);
            out.accept("idle_service_cpu_pct", String.format("%.1f", cpuPct));
        }
        finally
        {
            EmbeddedBench.delete(dir);
        }
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
            allocation(kernel, dir, out);
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

    /** Rounds of the chain-cost comparison (chained and unchained kernels alternate). */
    private static final int CHAIN_ROUNDS = 3;

    /**
     * What the hash chain costs a journaled syscall as a client sees it: the round trip (getpid,
     * from another JVM, one at a time) through a kernel that chains, tags and signs checkpoints
     * (the defaults) and through one that does none of it (the bench-only unchained writer),
     * alternating {@value #CHAIN_ROUNDS} times each on the same machine; medians.
     */
    public static void chainCost(
        final double seconds, final java.util.function.Supplier<org.agrona.concurrent.IdleStrategy> idle,
        final BiConsumer<String, String> out)
    {
        final double[] chained = new double[CHAIN_ROUNDS];
        final double[] unchained = new double[CHAIN_ROUNDS];
        for (int round = 0; round < CHAIN_ROUNDS; round++)
        {
            chained[round] = rttP50(seconds, idle, true);
            unchained[round] = rttP50(seconds, idle, false);
        }
        final double on = EmbeddedBench.median(chained);
        final double off = EmbeddedBench.median(unchained);
        out.accept("rtt_chained_p50_us", format(on));
        out.accept("rtt_unchained_p50_us", format(off));
        out.accept("rtt_chain_slowdown_pct", String.format("%.1f", 100 * (on - off) / off));
    }

    private static double rttP50(
        final double seconds, final java.util.function.Supplier<org.agrona.concurrent.IdleStrategy> idle,
        final boolean chained)
    {
        final Path dir = tempDir();
        final KernelConfig config = KernelConfig.of(dir).withIdle(idle).withBlockSize(64L << 20);
        try (Kernel kernel = EmbeddedBench.open(config, chained, k -> new IpcServer(k, dir)))
        {
            kernel.digest(); // answered after the IPC server has started
            return clients(1, "rtt", seconds, dir.toString()).us(50);
        }
        finally
        {
            EmbeddedBench.delete(dir);
        }
    }

    /** Syscalls per allocation figure (after as many again, at least 200,000, of warm-up). */
    public static final long ALLOC_SYSCALLS = 1_000_000;

    /**
     * Only the allocation figures, on a kernel of their own.
     *
     * @param out receives {@code name=value} figures.
     */
    public static void allocation(final BiConsumer<String, String> out)
    {
        final Path dir = tempDir();
        try (Kernel kernel = Kernel.open(KernelConfig.of(dir).withBlockSize(64L << 20), k -> new IpcServer(k, dir)))
        {
            kernel.digest();
            allocation(kernel, dir, out);
        }
        finally
        {
            EmbeddedBench.delete(dir);
        }
    }

    /**
     * Bytes allocated per syscall in steady state through the real service path, on the core
     * thread of {@code kernel} and on the calling thread of a client JVM: getpid, and a
     * queueEvent + pullEvent pair (whose core figure includes the event the state stores, printed
     * beside it as {@code queue_pull_event_bytes}).
     */
    private static void allocation(final Kernel kernel, final Path dir, final BiConsumer<String, String> out)
    {
        final long[] getpid = allocation(kernel, dir, "getpid", ALLOC_SYSCALLS);
        out.accept("core_alloc_bytes_per_getpid", format((double)getpid[0] / ALLOC_SYSCALLS));
        out.accept("client_alloc_bytes_per_getpid", format((double)getpid[1] / ALLOC_SYSCALLS));
        final long[] pairs = allocation(kernel, dir, "pairs", ALLOC_SYSCALLS / 2);
        out.accept("core_alloc_bytes_per_queue_pull", format((double)pairs[0] / (ALLOC_SYSCALLS / 2)));
        out.accept("client_alloc_bytes_per_queue_pull", format((double)pairs[1] / (ALLOC_SYSCALLS / 2)));
        out.accept("queue_pull_event_bytes", Long.toString(storedEventBytes()));
    }

    /** @return {core bytes, client bytes} allocated over {@code count} operations of one client JVM in {@code kind}. */
    public static long[] allocation(final Kernel kernel, final Path dir, final String kind, final long count)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        final long core = kernel.coreThreadId();
        final Process process = jvm(BenchClient.class, "alloc", dir.toString(), Long.toString(count), kind);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            java.io.Writer go = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8))
        {
            String line;
            while ((line = in.readLine()) != null && !line.equals("WARM"))
            {
                // nothing else is printed before WARM
            }
            final long before = threads.getThreadAllocatedBytes(core);
            go.write("GO\n");
            go.flush();
            long clientBytes = -1;
            while ((line = in.readLine()) != null)
            {
                if (line.startsWith("ALLOC "))
                {
                    clientBytes = Long.parseLong(line.split(" ")[2]);
                    break;
                }
            }
            final long coreBytes = threads.getThreadAllocatedBytes(core) - before;
            if (process.waitFor() != 0 || clientBytes < 0)
            {
                throw new IllegalStateException("allocation bench client failed with exit code " + process.exitValue());
            }
            return new long[] {coreBytes, clientBytes};
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /**
     * @return the bytes one stored event of the pairs figure takes (its payload copy and the
     *     event; its name is the one String the journal decoder keeps for a repeated name), measured
     *     by allocating such events on this thread.
     */
    private static long storedEventBytes()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        final String name = "tick";
        final byte[] payload = new ember.journal.PayloadCodec().encode(java.util.Map.of("n", 1L));
        final int n = 10_000;
        final Object[] keep = new Object[n];
        for (int i = 0; i < n; i++) // warm-up: the measurement below sees compiled code
        {
            keep[i] = ember.kernel.state.Event.plain(name, payload.clone());
        }
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < n; i++)
        {
            keep[i] = ember.kernel.state.Event.plain(name, payload.clone());
        }
        return Math.round((threads.getCurrentThreadAllocatedBytes() - before) / (double)n);
    }

    /** Run {@code count} client JVMs in {@code mode} at once and merge their figures. */
    public static Figures clients(final int count, final String mode, final double seconds, final String... args)
    {
        final List<Process> processes = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            final String[] all = new String[args.length + (mode.startsWith("redis") ? 1 : 0)];
            System.arraycopy(args, 0, all, 0, args.length);
            if (mode.startsWith("redis"))
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
        return jvm(clientPlacement(), BenchClient.class, all.toArray(new String[0]));
    }

    /**
     * The bench's client JVMs run under {@code taskset -c CPUS} when {@value #CLIENT_CPUS_PROPERTY}
     * names CPUs ({@code bench/redis-compare.sh … split}: the server on a CPU of its own, its
     * clients on the others, for Ember and Redis alike); otherwise wherever the scheduler puts them.
     */
    private static List<String> clientPlacement()
    {
        final String cpus = System.getProperty(CLIENT_CPUS_PROPERTY, "");
        return cpus.isEmpty() ? List.of() : List.of("taskset", "-c", cpus);
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
