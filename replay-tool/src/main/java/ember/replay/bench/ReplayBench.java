package ember.replay.bench;

import ember.journal.JournalReader;
import ember.journal.SyscallRecord;
import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.Syscalls;
import ember.kernel.core.Kernel;
import ember.kernel.core.KernelConfig;
import ember.kernel.state.JournalReplay;
import ember.kernel.state.KernelState;
import ember.replay.engine.JournalDir;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * The replay benchmark (not a timed test): writes a journal with the real kernel, then replays
 * it several times through {@link JournalReplay} into fresh states and reports records per second,
 * next to a read-only pass (the reader's floor) for comparison.
 */
public final class ReplayBench
{
    /** Records one iteration of {@link #write} produces. */
    public static final int RECORDS_PER_ROUND = 8;

    private final PrintWriter out;

    /** @param out where to print progress and results. */
    public ReplayBench(final PrintWriter out)
    {
        this.out = out;
    }

    /**
     * Write about {@code records} records with the real kernel, embedded: a steady mix of
     * queueEvent, pullEvent, sendEvent, timer, cancel and kill over two processes (queues stay short).
     *
     * @return the number of records in the journal afterwards.
     */
    public long write(final Path dir, final long records, final long blockSize)
    {
        final long start = System.nanoTime();
        // Busy-spin core: the client waits for each answer, so a parked core would dominate the run.
        try (Kernel kernel = Kernel.open(KernelConfig.of(dir).withBlockSize(blockSize)
            .withIdle(KernelConfig.idleStrategy("busy-spin")));
             EmbeddedClient client = new EmbeddedClient(kernel))
        {
            final Syscalls init = client.as(1);
            final long a = init.spawn("bench-a");
            final long b = init.spawn("bench-b");
            final Syscalls pa = client.as(a);
            final Syscalls pb = client.as(b);
            final Map<String, Long> params = Map.of("n", 1L);
            final long rounds = Math.max(1, records / RECORDS_PER_ROUND);
            for (long i = 1; i <= rounds; i++)
            {
                pa.queueEvent("tick", params);
                pa.pullEvent(0, "tick");
                pa.sendEvent(b, "ping", i);
                pb.pullEvent(0);
                pa.cancel(pa.timer(3600));
                pa.kill(b, 10);
                pb.pullEvent(0, "signal");
                if (i % 1_000_000 == 0)
                {
                    out.printf(Locale.ROOT, "  written %,d records%n", i * RECORDS_PER_ROUND);
                    out.flush();
                }
            }
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        final long written = JournalDir.of(dir).lastIndex();
        out.printf(Locale.ROOT, "wrote %,d records in %.1f s (%,.0f records/s through the embedded client)%n", written,
            seconds, written / seconds);
        out.flush();
        return written;
    }

    /**
     * Replay the journal {@code runs} times (plus one read-only pass per run) and print the rates.
     *
     * @return the best replay rate, records per second.
     */
    public double replay(final Path dir, final int runs)
    {
        final JournalDir journal = JournalDir.of(dir);
        final double[] rates = new double[runs];
        String digest = null;
        for (int run = 0; run < runs; run++)
        {
            final double readRate = readOnly(journal);
            final KernelState state = new KernelState();
            final long start = System.nanoTime();
            final long applied;
            try (JournalReader reader = journal.openReader().withoutChainChecks()) // a debugging replay: CRC, not the chain
            {
                applied = JournalReplay.replay(reader, state, Long.MAX_VALUE, null);
            }
            final double seconds = (System.nanoTime() - start) / 1e9;
            rates[run] = applied / seconds;
            final String d = state.digest();
            if (digest != null && !digest.equals(d))
            {
                throw new IllegalStateException("replay run " + (run + 1) + " gave another digest");
            }
            digest = d;
            out.printf(Locale.ROOT, "run %d: replayed %,d records in %.3f s = %,.0f records/s (read only: %,.0f records/s)%n",
                run + 1, applied, seconds, rates[run], readRate);
            out.flush();
        }
        final double[] sorted = rates.clone();
        Arrays.sort(sorted);
        out.printf(Locale.ROOT, "replay: best %,.0f records/s, median %,.0f records/s over %d runs; digest %s%n",
            sorted[sorted.length - 1], sorted[sorted.length / 2], runs, digest);
        out.flush();
        return sorted[sorted.length - 1];
    }

    private static double readOnly(final JournalDir journal)
    {
        final SyscallRecord record = new SyscallRecord();
        final long start = System.nanoTime();
        long n = 0;
        try (JournalReader reader = journal.openReader().withoutChainChecks()) // a debugging replay: CRC, not the chain
        {
            while (reader.next(record))
            {
                n++;
            }
        }
        return n / ((System.nanoTime() - start) / 1e9);
    }
}
