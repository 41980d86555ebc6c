package ember.kernel.bench;

import ember.journal.JournalWriter;
import ember.journal.PayloadCodec;
import ember.journal.SyscallRecord;
import ember.journal.SyscallType;
import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.Syscalls;
import ember.kernel.core.Kernel;
import ember.kernel.core.KernelConfig;
import ember.kernel.state.KernelLimits;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.BusySpinIdleStrategy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Embedded journaled syscall throughput against raw Chronicle Queue appends of the same bytes,
 * measured in the same run on the same disk.
 */
public final class EmbeddedBench
{
    private EmbeddedBench()
    {
    }

    /**
     * @param seconds how long each measured phase runs (after an equal warm-up).
     * @param out     receives {@code name=value} figures.
     */
    public static void run(final double seconds, final BiConsumer<String, String> out)
    {
        final Path base = tempDir();
        try
        {
            // The machine is noisy: alternate the measurements and compare medians.
            final int rounds = 5;
            final double phase = Math.max(0.5, seconds / 2);
            final double[] raw = new double[rounds];
            final double[] apply = new double[rounds];
            final double[] unchained = new double[rounds];
            final double[] chain = new double[rounds];
            for (int i = 0; i < rounds; i++)
            {
                chain[i] = chainNsPerRecord(phase / 4);
                raw[i] = rawChronicleAppends(base.resolve("raw" + i), phase);
                // Before/after of the chain itself: the same journaled apply with the writer's
                // chain (and the checkpoints that sign it) off, then on; which goes first alternates.
                if (i % 2 == 0)
                {
                    unchained[i] = pipelinedApply(base.resolve("unchained" + i), phase, false);
                    apply[i] = pipelinedApply(base.resolve("pipelined" + i), phase, true);
                }
                else
                {
                    apply[i] = pipelinedApply(base.resolve("pipelined" + i), phase, true);
                    unchained[i] = pipelinedApply(base.resolve("unchained" + i), phase, false);
                }
                delete(base.resolve("raw" + i));
                delete(base.resolve("pipelined" + i));
                delete(base.resolve("unchained" + i));
            }
            final double chronicle = median(raw);
            final double applied = median(apply);
            final Histogram latency = new Histogram(3_600_000_000L, 3);
            final double roundTrips = embeddedSyscalls(base.resolve("kernel"), seconds, latency);
            out.accept("apply_ops_per_s", String.format("%.0f", applied));
            out.accept("chronicle_append_ops_per_s", String.format("%.0f", chronicle));
            out.accept("apply_vs_chronicle_ratio", String.format("%.3f", applied / chronicle));
            // The chain's cost: measured (journaled apply with the chain on vs off, medians of the
            // alternating rounds), and its SHA-256 alone per record for comparison.
            final double withoutChain = median(unchained);
            final double applyNs = 1e9 / applied;
            final double unchainedNs = 1e9 / withoutChain;
            out.accept("apply_unchained_ops_per_s", String.format("%.0f", withoutChain));
            out.accept("journal_chain_apply_ns_per_record", String.format("%.1f", applyNs - unchainedNs));
            out.accept("journal_chain_slowdown_pct", String.format("%.1f", 100 * (applyNs - unchainedNs) / unchainedNs));
            out.accept("journal_chain_rounds_slowdown_pct", rounds(apply, unchained));
            out.accept("journal_chain_ns_per_record", String.format("%.1f", median(chain)));
            out.accept("sha256_intrinsic", sha256Intrinsic());
            out.accept("sha256_64_bytes_ns", String.format("%.1f", sha256NsOf64Bytes(phase / 4)));
            out.accept("embedded_roundtrip_ops_per_s", String.format("%.0f", roundTrips));
            out.accept("embedded_p50_us", String.format("%.2f", latency.getValueAtPercentile(50) / 1000.0));
            out.accept("embedded_p99_us", String.format("%.2f", latency.getValueAtPercentile(99) / 1000.0));
        }
        finally
        {
            delete(base);
        }
    }

    static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** Raw Chronicle appends of the frame a queueEvent syscall journals. */
    static double rawChronicleAppends(final Path dir, final double seconds)
    {
        final SyscallRecord record = sampleRecord();
        try (JournalWriter writer = new JournalWriter(dir, 64L << 20))
        {
            long n = 0;
            final long warm = System.nanoTime() + (long)(seconds * 1e9);
            while (System.nanoTime() < warm)
            {
                record.index = ++n;
                writer.append(record);
            }
            final long start = System.nanoTime();
            final long end = start + (long)(seconds * 1e9);
            long count = 0;
            long now;
            do
            {
                for (int i = 0; i < 1000; i++)
                {
                    record.index = ++n;
                    writer.append(record);
                }
                count += 1000;
                now = System.nanoTime();
            }
            while (now < end);
            return count / ((now - start) / 1e9);
        }
    }

    /** SHA-256 chaining of the sample record's frame alone, as JournalWriter.append does it per record. */
    private static double chainNsPerRecord(final double seconds)
    {
        final ember.journal.RecordCodec codec = new ember.journal.RecordCodec();
        final int length = codec.encode(sampleRecord());
        final byte[] frame = java.util.Arrays.copyOf(codec.frameArray(), length);
        final ember.journal.HashChain chain = new ember.journal.HashChain();
        final long warm = System.nanoTime() + (long)(seconds * 1e9);
        while (System.nanoTime() < warm)
        {
            chain.update(frame, 0, length);
        }
        final long start = System.nanoTime();
        final long end = start + (long)(seconds * 1e9);
        long count = 0;
        long now;
        do
        {
            for (int i = 0; i < 1000; i++)
            {
                chain.update(frame, 0, length);
            }
            count += 1000;
            now = System.nanoTime();
        }
        while (now < end);
        return (now - start) / (double)count;
    }

    /** @return each round's slowdown (chain on vs off), in percent, as a comma list. */
    private static String rounds(final double[] chained, final double[] unchained)
    {
        final StringBuilder out = new StringBuilder();
        for (int i = 0; i < chained.length; i++)
        {
            out.append(i == 0 ? "" : ",").append(String.format("%.1f", 100 * (unchained[i] / chained[i] - 1)));
        }
        return out.toString();
    }

    /**
     * @return the JVM's {@code UseSHA256Intrinsics} through the HotSpot management bean, else
     *     {@code UseSHA=…} (see the body), or {@code unknown} on a JVM without either.
     */
    private static String sha256Intrinsic()
    {
        final com.sun.management.HotSpotDiagnosticMXBean vm =
            java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
        try
        {
            return vm.getVMOption("UseSHA256Intrinsics").getValue();
        }
        catch (final RuntimeException hidden)
        {
            // A diagnostic flag: visible only with -XX:+UnlockDiagnosticVMOptions. UseSHA is the
            // product flag the JVM clears when the CPU has no SHA instructions (it then clears the
            // intrinsics too); the timing next to it says the rest.
            try
            {
                return "UseSHA=" + vm.getVMOption("UseSHA").getValue();
            }
            catch (final RuntimeException none)
            {
                return "unknown";
            }
        }
    }

    /**
     * SHA-256 of 64 bytes (two compression blocks with the padding), as the chain's per-record
     * floor: about 100-200 ns with the JIT's SHA-NI/AVX2 intrinsic on this class of CPU, several
     * times that in plain Java.
     */
    private static double sha256NsOf64Bytes(final double seconds)
    {
        final java.security.MessageDigest sha;
        try
        {
            sha = java.security.MessageDigest.getInstance("SHA-256");
        }
        catch (final java.security.NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
        final byte[] input = new byte[64];
        final byte[] output = new byte[32];
        final long warm = System.nanoTime() + (long)(seconds * 1e9);
        while (System.nanoTime() < warm)
        {
            digest(sha, input, output);
        }
        final long start = System.nanoTime();
        final long end = start + (long)(seconds * 1e9);
        long count = 0;
        long now;
        do
        {
            for (int i = 0; i < 1000; i++)
            {
                input[0] = (byte)i;
                digest(sha, input, output);
            }
            count += 1000;
            now = System.nanoTime();
        }
        while (now < end);
        return (now - start) / (double)count;
    }

    private static void digest(final java.security.MessageDigest sha, final byte[] input, final byte[] output)
    {
        sha.update(input, 0, input.length);
        try
        {
            sha.digest(output, 0, output.length);
        }
        catch (final java.security.DigestException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static SyscallRecord sampleRecord()
    {
        final SyscallRecord record = new SyscallRecord().reset(SyscallType.QUEUE_EVENT, 2);
        record.timestamp = System.currentTimeMillis() * 1_000_000L;
        record.client = 1;
        record.text = "tick";
        record.payload = new PayloadCodec().encode(Map.of("n", 1L));
        return record;
    }

    /**
     * The core's journaled apply rate ({@code chained}: with the hash chain, as always outside
     * this bench): one producer keeps up to {@code WINDOW} queueEvent /
     * pullEvent commands in flight (payload encoded once, as a client would have), and the core
     * journals and applies them; counts completions per second.
     */
    private static double pipelinedApply(final Path dir, final double seconds, final boolean chained)
    {
        final KernelConfig config = KernelConfig.of(dir).withIdle(BusySpinIdleStrategy::new).withBlockSize(64L << 20)
            .withSnapshots(0, 0, false);
        try (Kernel kernel = open(config, chained, null))
        {
            return pipelined(kernel, kernel.attach("root"), 1, seconds);
        }
    }

    /**
     * Open a kernel as configured or, with {@code chained} false, one whose writer neither chains
     * nor tags and that signs no checkpoint (bench only: the before of the chain's cost).
     *
     * @param coAgent the agent that shares the core's thread (the IPC server), or null.
     */
    static Kernel open(final KernelConfig config, final boolean chained,
        final java.util.function.Function<Kernel, org.agrona.concurrent.Agent> coAgent)
    {
        if (chained)
        {
            return coAgent == null ? Kernel.open(config) : Kernel.open(config, coAgent);
        }
        final KernelConfig unchained = config.withCheckpoints(new ember.kernel.core.CheckpointPolicy(0, 0, false, null));
        System.setProperty(JournalWriter.UNCHAINED_FOR_BENCH_PROPERTY, "true"); // the writer reads it as it opens
        try
        {
            return coAgent == null ? Kernel.open(unchained) : Kernel.open(unchained, coAgent);
        }
        finally
        {
            System.clearProperty(JournalWriter.UNCHAINED_FOR_BENCH_PROPERTY);
        }
    }

    /**
     * queueEvent / pullEvent (any name, no wait) alternating in process {@code pid}, up to 256 in
     * flight, through {@code kernel}'s core: a warm-up of {@code seconds}, then completions per
     * second over {@code seconds}.
     */
    static double pipelined(
        final Kernel kernel, final ember.kernel.core.ClientSession session, final long pid, final double seconds)
    {
        final int window = 256;
        final java.util.concurrent.atomic.AtomicLong completed = new java.util.concurrent.atomic.AtomicLong();
        final byte[] payload = new PayloadCodec().encode(Map.of("n", 1L));
        final String[] anyName = new String[0];
        final java.util.function.Consumer<ember.kernel.core.Command> done = c -> completed.lazySet(completed.get() + 1);
        // A ring of commands reused once completed: the producer allocates nothing per syscall.
        final ember.kernel.core.Command[] pool = new ember.kernel.core.Command[window];
        for (int i = 0; i < window; i++)
        {
            pool[i] = new ember.kernel.core.Command(done);
            pool[i].session = session;
        }
        long submitted = 0;
        final long phase = (long)(seconds * 1e9);
        long start = 0;
        long startCount = 0;
        final long warmEnd = System.nanoTime() + phase;
        long end = Long.MAX_VALUE;
        long seenCompleted = 0; // re-read only when the window looks full: less cache-line ping-pong with the core
        while (true)
        {
            if (submitted - seenCompleted >= window)
            {
                seenCompleted = completed.get();
            }
            if (submitted - seenCompleted < window)
            {
                // Completions come in submission order, so the slot's previous command is done.
                final ember.kernel.core.Command command = pool[(int)(submitted % window)];
                if (submitted >= window)
                {
                    command.reuse();
                }
                if ((submitted & 1) == 0)
                {
                    command.record.reset(SyscallType.QUEUE_EVENT, pid).text = "tick";
                    command.record.payload = payload;
                }
                else
                {
                    command.record.reset(SyscallType.PULL_EVENT, pid).names = anyName;
                }
                kernel.submit(command);
                submitted++;
                continue;
            }
            final long now = System.nanoTime();
            if (start == 0 && now >= warmEnd)
            {
                start = now;
                startCount = completed.get();
                end = start + phase;
            }
            else if (now >= end)
            {
                return (completed.get() - startCount) / ((now - start) / 1e9);
            }
            Thread.onSpinWait();
        }
    }

    /** queueEvent + pullEvent pairs through the embedded client (each a journaled round trip). */
    private static double embeddedSyscalls(final Path dir, final double seconds, final Histogram latency)
    {
        final KernelConfig config = KernelConfig.of(dir).withIdle(BusySpinIdleStrategy::new).withBlockSize(64L << 20)
            .withLimits(KernelLimits.DEFAULTS);
        try (Kernel kernel = Kernel.open(config); EmbeddedClient client = new EmbeddedClient(kernel))
        {
            final Syscalls sys = client.as(client.as(1).spawn("bench"));
            final Map<String, Object> params = Map.of("n", 1L);
            final long warm = System.nanoTime() + (long)(seconds * 1e9);
            while (System.nanoTime() < warm)
            {
                sys.queueEvent("tick", params);
                sys.pullEvent(0);
            }
            final long start = System.nanoTime();
            final long end = start + (long)(seconds * 1e9);
            long count = 0;
            long now = start;
            while (now < end)
            {
                sys.queueEvent("tick", params);
                final long mid = System.nanoTime();
                sys.pullEvent(0);
                final long after = System.nanoTime();
                latency.recordValue(mid - now);
                latency.recordValue(after - mid);
                count += 2;
                now = after;
            }
            return count / ((now - start) / 1e9);
        }
    }

    static Path tempDir()
    {
        try
        {
            return Files.createTempDirectory("ember-bench");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static void delete(final Path dir)
    {
        org.agrona.IoUtil.delete(dir.toFile(), true); // best effort: a benchmark's scratch directory
    }
}
