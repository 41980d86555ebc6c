package ember.kernel.bench;

import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.Syscalls;
import ember.kernel.core.Kernel;
import ember.kernel.core.KernelConfig;
import ember.kernel.core.SnapshotStore;
import ember.kernel.core.SyncMode;
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
 * Durability figures: the cost of each sync mode per syscall, recovery time from journals of
 * growing length with and without a snapshot, and the pause periodic snapshots cost callers.
 */
public final class DurabilityBench
{
    private DurabilityBench()
    {
    }

    /** Per-syscall cost of each sync mode (queueEvent + pullEvent through the embedded client). */
    public static void syncModes(final double seconds, final BiConsumer<String, String> out)
    {
        for (final SyncMode mode : SyncMode.values())
        {
            final Path dir = tempDir();
            try (Kernel kernel = Kernel.open(KernelConfig.of(dir).withIdle(BusySpinIdleStrategy::new)
                .withBlockSize(64L << 20).withSync(mode));
                EmbeddedClient client = new EmbeddedClient(kernel))
            {
                final Syscalls sys = client.as(1);
                final Map<String, Object> params = Map.of("n", 1L);
                final long end = System.nanoTime() + (long)(seconds * 1e9);
                long count = 0;
                final long start = System.nanoTime();
                long now = start;
                while (now < end)
                {
                    sys.queueEvent("tick", params);
                    sys.pullEvent(0);
                    count += 2;
                    now = System.nanoTime();
                }
                out.accept("sync_" + mode.name().toLowerCase() + "_ns_per_syscall",
                    String.format("%.0f", (now - start) / (double)count));
            }
            finally
            {
                EmbeddedBench.delete(dir);
            }
        }
    }

    /**
     * Recovery time of journals of {@code sizes} records, from a snapshot at the end and from
     * the journal alone.
     */
    public static void recovery(final long[] sizes, final BiConsumer<String, String> out)
    {
        for (final long size : sizes)
        {
            final Path dir = tempDir();
            try
            {
                final KernelConfig config = KernelConfig.of(dir).withIdle(BusySpinIdleStrategy::new)
                    .withBlockSize(256L << 20).withLimits(new KernelLimits(1_000, 4096))
                    .withSnapshots(0, 0, true);
                final long written = write(config, size);
                final String label = size >= 1_000_000 ? (size / 1_000_000) + "m" : Long.toString(size);
                out.accept("recovery_" + label + "_records", Long.toString(written));
                out.accept("recovery_" + label + "_with_snapshot_ms", String.format("%.0f", openMs(config)));
                for (final Path file : new SnapshotStore(dir).list())
                {
                    Files.delete(file);
                }
                final double full = openMs(config.withSnapshots(0, 0, false));
                out.accept("recovery_" + label + "_full_replay_ms", String.format("%.0f", full));
                out.accept("recovery_" + label + "_replay_records_per_s", String.format("%.0f", written / (full / 1000)));
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            finally
            {
                EmbeddedBench.delete(dir);
            }
        }
    }

    /** Between two timed calls of the snapshot bench (see {@link #getpidLatencies}). */
    private static final long PACE_NS = 20_000;

    /**
     * The pause periodic snapshots impose on callers: the longest getpid round trip (embedded
     * client, busy-spinning core) while periodic snapshots of a state with {@code timers} pending
     * timers are taken, against the same measurement with snapshots off. Also the time encoding
     * that state takes: the pause a snapshot encoded on the core thread would cost.
     *
     * @param timers  pending timers in the state (spread over four processes).
     * @param seconds measured seconds of each phase (the snapshot phase runs on until at least two
     *                periodic snapshots were written, at most two minutes).
     */
    public static void snapshotPause(final long timers, final double seconds, final BiConsumer<String, String> out)
    {
        final Path dir = tempDir();
        try
        {
            final KernelConfig config = KernelConfig.of(dir).withIdle(BusySpinIdleStrategy::new)
                .withBlockSize(256L << 20).withSnapshots(0, 0, false);
            try (Kernel kernel = Kernel.open(config); EmbeddedClient client = new EmbeddedClient(kernel))
            {
                final Syscalls init = client.as(1);
                // Spread over enough processes to stay within the per-process timer limit.
                final long perProcess = KernelLimits.DEFAULTS.maxTimersPerProcess();
                final long[] pids = new long[(int)Math.max(4, (timers + perProcess - 1) / perProcess)];
                for (int i = 0; i < pids.length; i++)
                {
                    pids[i] = init.spawn("timers" + i);
                }
                for (long n = 0; n < timers; n++)
                {
                    client.as(pids[(int)(n % pids.length)]).timer(1e7); // far in the future: they stay pending
                }
                out.accept("snapshot_timers", Long.toString(timers));
                final Histogram without = getpidLatencies(init, seconds, null);
                out.accept("no_snapshot_getpid_p99_us", String.format("%.2f", without.getValueAtPercentile(99) / 1e3));
                out.accept("no_snapshot_pause_max_us", String.format("%.0f", without.getMaxValue() / 1e3));
            }
            encodeOnCore(dir, out);

            // A snapshot every second while records are added: kept busy all along. Twice: by a
            // thread of this JVM, then by a follower JVM (what serve does).
            // The follower first: the thread's shadow, garbage once its phase ends, would be
            // collected during the next phase and charged to it.
            snapshotPhase(config.withSnapshots(0, 1_000, false).withSnapshotInFollower(true), "follower", dir, seconds, out);
            snapshotPhase(config.withSnapshots(0, 1_000, false), "thread", dir, seconds, out);
        }
        finally
        {
            EmbeddedBench.delete(dir);
        }
    }

    /** The time encoding the journal's state takes: what a snapshot encoded on the core would stop it for. */
    private static void encodeOnCore(final Path dir, final BiConsumer<String, String> out)
    {
        final ember.kernel.state.KernelState state = ember.kernel.state.JournalReplay.replay(dir, Long.MAX_VALUE);
        final long encodeStart = System.nanoTime();
        final int imageBytes = ember.kernel.state.SnapshotCodec.encode(state).length;
        out.accept("snapshot_encode_on_core_would_pause_ms", String.format("%.0f", (System.nanoTime() - encodeStart) / 1e6));
        out.accept("snapshot_image_bytes", Integer.toString(imageBytes));
    }

    /** getpid latencies while periodic snapshots run, until two were written (at most two minutes). */
    private static void snapshotPhase(
        final KernelConfig config, final String label, final Path dir, final double seconds, final BiConsumer<String, String> out)
    {
        try (Kernel kernel = Kernel.open(config); EmbeddedClient client = new EmbeddedClient(kernel))
        {
            // Measured from a collected heap: neither an earlier phase's garbage nor the promotion
            // of the state this open recovered (a one-time cost of any open) is charged to snapshots.
            System.gc();
            final SnapshotStore store = new SnapshotStore(dir);
            final long[] written = new long[2]; // {newest index seen, snapshots seen}
            final long start = System.nanoTime();
            final Histogram with = getpidLatencies(client.as(1), seconds, () ->
            {
                final java.util.List<Path> files = store.list();
                final long newest = files.isEmpty() ? 0 : SnapshotStore.indexOf(files.get(0));
                if (newest > written[0])
                {
                    written[0] = newest;
                    written[1]++;
                }
                return written[1] >= 2;
            });
            out.accept(label + "_snapshots_taken", written[1] + " in " + (System.nanoTime() - start) / 1_000_000_000L + " s");
            out.accept(label + "_snapshot_getpid_p99_us", String.format("%.2f", with.getValueAtPercentile(99) / 1e3));
            out.accept(label + "_snapshot_pause_max_us", String.format("%.0f", with.getMaxValue() / 1e3));
        }
    }

    /**
     * getpid round trips for {@code seconds}, then on until {@code done} says true (checked
     * between timed calls, at most two minutes). Paced (a short park after each call) rather than
     * back to back: a caller that never lets go of the second core would starve the snapshot
     * follower on a two-core machine, which no real client load does.
     */
    private static Histogram getpidLatencies(
        final Syscalls sys, final double seconds, final java.util.function.BooleanSupplier done)
    {
        final Histogram latency = new Histogram(3_600_000_000_000L, 3);
        final long start = System.nanoTime();
        final long end = start + (long)(seconds * 1e9);
        final long cap = start + 120_000_000_000L;
        long now = start;
        while (now < cap && (now < end || (done != null && !done.getAsBoolean())))
        {
            for (int i = 0; i < 1_000; i++)
            {
                final long t0 = System.nanoTime();
                sys.getpid();
                final long t1 = System.nanoTime();
                latency.recordValue(t1 - t0);
                java.util.concurrent.locks.LockSupport.parkNanos(PACE_NS);
            }
            now = System.nanoTime();
        }
        return latency;
    }

    /** Write about {@code records} journal records with a mixed load (queues stay bounded). */
    private static long write(final KernelConfig config, final long records)
    {
        try (Kernel kernel = Kernel.open(config); EmbeddedClient client = new EmbeddedClient(kernel))
        {
            final Syscalls init = client.as(1);
            final long[] pids = new long[8];
            for (int i = 0; i < pids.length; i++)
            {
                pids[i] = init.spawn("p" + i);
            }
            final Map<String, Object> params = Map.of("n", 1L, "s", "payload");
            long n = 0;
            while (n < records)
            {
                final Syscalls sys = client.as(pids[(int)(n & 7)]);
                sys.queueEvent("e", params);
                sys.sendEvent(pids[(int)((n + 1) & 7)], "x", 7L);
                sys.pullEvent(0);
                sys.pullEvent(0);
                n += 4;
            }
            final String digest = kernel.digest();
            return Long.parseLong(digest.substring(0, digest.indexOf(':')));
        }
    }

    private static double openMs(final KernelConfig config)
    {
        final long start = System.nanoTime();
        try (Kernel kernel = Kernel.open(config.withSnapshots(0, 0, false)))
        {
            kernel.digest();
            return (System.nanoTime() - start) / 1e6;
        }
    }

    private static Path tempDir()
    {
        try
        {
            return Files.createTempDirectory("ember-durability-bench");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
