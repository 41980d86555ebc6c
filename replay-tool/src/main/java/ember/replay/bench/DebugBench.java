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
 * evaluated; goal at least 10 M records/s), and {@code back} from the end of the journal to its
 * start in K steps, each of which replays at most one checkpoint interval of records (printed:
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
        for (int run = 0; run < runs; run++)
        {
            final long last = journal.lastIndex();
            final long start = System.nanoTime();
            final long found = WhenSearch.search(Origin.earliest(journal), ExprParser.parse(NEVER), true, i -> { });
            final double seconds = (System.nanoTime() - start) / 1e9;
            rates[run] = last / seconds;
            out.printf(Locale.ROOT, "when run %d: '%s' over %,d records in %.3f s = %,.0f records/s (%d found)%n",
                run + 1, NEVER, last, seconds, rates[run], found);
            out.flush();
        }
        final double[] sorted = rates.clone();
        Arrays.sort(sorted);
        out.printf(Locale.ROOT, "when: best %,.0f records/s, median %,.0f records/s over %d runs (goal 10,000,000)%n",
            sorted[sorted.length - 1], sorted[sorted.length / 2], runs);

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

    private static void check(final boolean ok, final String command)
    {
        if (!ok)
        {
            throw new IllegalStateException(command + " failed");
        }
    }
}
