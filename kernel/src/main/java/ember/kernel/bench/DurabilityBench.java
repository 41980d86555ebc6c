package ember.kernel.bench;

import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.Syscalls;
import ember.kernel.core.Kernel;
import ember.kernel.core.KernelConfig;
import ember.kernel.core.SnapshotStore;
import ember.kernel.core.SyncMode;
import ember.kernel.state.KernelLimits;
import org.agrona.concurrent.BusySpinIdleStrategy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Durability figures: the cost of each sync mode per syscall, and recovery time from journals of
 * growing length with and without a snapshot.
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
