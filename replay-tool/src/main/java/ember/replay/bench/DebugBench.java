package ember.replay.bench;

import ember.replay.debug.ExprParser;
import ember.replay.debug.Session;
import ember.replay.debug.WhenSearch;
import ember.replay.engine.JournalDir;
import ember.replay.engine.Origin;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Locale;

/**
 * The debugger's benchmark (not a timed test), on a journal {@link ReplayBench} wrote:
 * {@code when} over the whole journal (a condition that never holds, so every record is
 * evaluated; goal at least 10 M records/s), in parallel from the journal's snapshots as the tool
 * searches and as one sequential replay ({@code when_sequential}, {@code --threads 1}), and
 * {@code back} from the end of the journal to its start in K steps, each of which replays at most one checkpoint interval of records (printed:
 * records replayed per step, and the time per step).
 */
public final class DebugBench
{
    private static final String NEVER = "queued(2) > 100";

    private final PrintWriter out;

    /** @param out where to print the results. */
    public DebugBench(final PrintWriter out)
    {
        this.out = out;
    }

    /** Run both cases. */
    public void run(final Path dir, final int runs, final int backSteps)
    {
        final JournalDir journal = JournalDir.of(dir);
        final double[] rates = new double[runs];
        final double[] sequentialRates = new double[runs];
        WhenSearch.Outcome parallel = null;
        for (int run = 0; run < runs; run++) // alternating, so a busy moment of the shared machine hits both
        {
            parallel = when(journal, Integer.MAX_VALUE, "when", run, rates);
            when(journal, 1, "when_sequential", run, sequentialRates);
        }
        summary("when", rates, String.format(Locale.ROOT, "goal 10,000,000; %d segments on %d threads",
            parallel.segments(), parallel.threads()));
        summary("when_sequential", sequentialRates, "one replay from the start, --threads 1");

        try (Session session = new Session(Origin.earliest(journal), ZoneOffset.UTC,
            Session.DEFAULT_CHECKPOINT_INTERVAL))
        {
            final PrintWriter discard = new PrintWriter(new StringWriter());
            long t = System.nanoTime();
            check(session.execute("goto end", discard), "goto end");
            final long end = session.index();
            out.printf(Locale.ROOT, "debug goto end: %,d records replayed in %.3f s (checkpoints kept on the way)%n",
                session.lastReplayed(), (System.nanoTime() - t) / 1e9);
            final long step = Math.max(1, (end + backSteps - 1) / backSteps);
            final double[] micros = new double[backSteps];
            long maxReplayed = 0;
            long totalReplayed = 0;
            int steps = 0;
            while (session.index() > 0 && steps < backSteps)
            {
                t = System.nanoTime();
                check(session.execute("back " + step, discard), "back " + step);
                micros[steps++] = (System.nanoTime() - t) / 1e3;
                maxReplayed = Math.max(maxReplayed, session.lastReplayed());
                totalReplayed += session.lastReplayed();
            }
            final double[] used = Arrays.copyOf(micros, steps);
            Arrays.sort(used);
            out.printf(Locale.ROOT, "debug back: from %,d to %,d in %d steps of %,d records: records replayed per step " +
                "max %,d (checkpoint interval %,d), mean %,.0f; time per step median %.0f us, max %.0f us%n",
                end, session.index(), steps, step, maxReplayed, Session.DEFAULT_CHECKPOINT_INTERVAL,
                (double)totalReplayed / steps, used[used.length / 2], used[used.length - 1]);
            out.flush();
        }
    }

    private WhenSearch.Outcome when(final JournalDir journal, final int threads, final String name, final int run,
        final double[] rates)
    {
        final long last = journal.lastIndex();
        final long cpuStart = processCpuNanos();
        final long start = System.nanoTime();
        final WhenSearch.Outcome outcome = WhenSearch.search(Origin.earliest(journal), ExprParser.parse(NEVER), true,
            threads, WhenSearch.MIN_SEGMENT, i -> { });
        final double seconds = (System.nanoTime() - start) / 1e9;
        final double cpuSeconds = (processCpuNanos() - cpuStart) / 1e9;
        rates[run] = last / seconds;
        // The process's CPU time as well: on a shared machine the threads may not get a core each,
        // and CPU time shows whether the parallel search does more work than one replay.
        out.printf(Locale.ROOT, "%s run %d: '%s' over %,d records in %.3f s = %,.0f records/s (%d found; %d segments on " +
            "%d threads; process CPU %.3f s)%n", name, run + 1, NEVER, last, seconds, rates[run], outcome.found(),
            outcome.segments(), outcome.threads(), cpuSeconds);
        out.flush();
        return outcome;
    }

    private static long processCpuNanos()
    {
        return ((com.sun.management.OperatingSystemMXBean)java.lang.management.ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime();
    }

    private void summary(final String name, final double[] rates, final String note)
    {
        final double[] sorted = rates.clone();
        Arrays.sort(sorted);
        out.printf(Locale.ROOT, "%s: best %,.0f records/s, median %,.0f records/s over %d runs (%s)%n", name,
            sorted[sorted.length - 1], sorted[sorted.length / 2], sorted.length, note);
        out.flush();
    }

    private static void check(final boolean ok, final String command)
    {
        if (!ok)
        {
            throw new IllegalStateException(command + " failed");
        }
    }
}
