package ember.replay.cli;

import ember.replay.audit.LogEntry;
import ember.replay.audit.RecordFilter;
import ember.replay.engine.JournalDir;
import ember.replay.engine.Point;
import ember.replay.engine.Progress;
import ember.replay.engine.Step;
import ember.replay.engine.Stepper;
import ember.replay.render.LogWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * {@code replay-tool log}: one line per record with its caller's user and its outcome from replay,
 * filtered, optionally following the journal as the kernel writes it (like {@code tail -f}).
 * Exits 1 with {@code <no matches>} on stderr when no record passed the filters, as ausearch does.
 */
@Command(name = "log", mixinStandardHelpOptions = true,
    header = "One line per record, with its caller's user and its outcome; filters; --follow.",
    description = {
        "Print one line per record: index, time (UTC, microseconds), pid, user (the",
        "caller's user at that moment), syscall, arguments and outcome (result or",
        "error, from replay), then what the record changed, in [brackets].",
        "Filters combine (all must hold); a repeated filter matches any of its values.",
        "No record matching prints '<no matches>' on stderr and exits 1.",
        "",
        "Examples:",
        "  who sent SIGTERM to pid 42, and when:",
        "    replay-tool log --syscall kill --signal TERM --target 42",
        "  every permission denial of the last 2 hours, as CSV:",
        "    replay-tool log --denied --from 2h --format csv > denials.csv",
        "  the 20 newest records, newest first, without client attach/detach:",
        "    replay-tool log --last 20 --reverse --exclude-syscall clientAttach,clientDetach",
        "  every record since 09:30 today (UTC) whose arguments mention order-17:",
        "    replay-tool log --from 09:30 --grep 'order-17'",
        "  watch process 7 live, starting with its last 5 records:",
        "    replay-tool log --follow --pid 7 --last 5",
        ""
    })
final class LogCommand extends PointsCommand
{
    @Mixin
    FilterOptions filters;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
        description = "text, json (one object per line: index, time, pid, user, syscall, args, result, error, " +
            "client, effects) or csv (default: ${DEFAULT-VALUE})")
    LogWriter.Format format;

    @Option(names = {"-f", "--follow"},
        description = "at the end of the journal, wait for new records and print them (until --to INDEX or --limit, " +
            "else until interrupted)")
    boolean follow;

    @Option(names = "--poll-ms", paramLabel = "MS", defaultValue = "100",
        description = "with --follow, how often to look for new records (default: ${DEFAULT-VALUE})")
    long pollMs;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "0",
        description = "stop after printing N records (0: no limit)")
    long limit;

    @Option(names = "--last", paramLabel = "N", defaultValue = "0",
        description = "only the last N matching records (with --follow: the last N so far, then new ones)")
    int last;

    @Option(names = "--reverse", description = "newest first (not with --follow; holds the matches in memory " +
        "until the end: combine with --last N on long journals)")
    boolean reverse;

    /** Matches held back until the end of the journal (--last, --reverse); null when printed at once. */
    private ArrayDeque<LogEntry> held;
    private long printed;

    @Override
    public Integer call() throws InterruptedException
    {
        if (reverse && follow)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--reverse cannot be combined with --follow");
        }
        if (last < 0 || limit < 0)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--last and --limit take a count >= 0");
        }
        final JournalDir journal = dir.journal();
        final RecordFilter filter = filters.filter(journal, zone);
        final PrintWriter out = out();
        final LogWriter writer = LogWriter.of(format, out);
        writer.start();
        held = last > 0 || reverse ? new ArrayDeque<>() : null;
        long matched = 0;
        boolean checkedEnd = false;
        final long lastBefore = lastBeforeStart(journal, filter.from());
        try (Stepper stepper = new Stepper(lastBefore > 0 ? dir.atOrBefore(spec, journal, lastBefore) : dir.earliest(spec)))
        {
            skipTo(lastBefore, stepper);
            while (!Thread.currentThread().isInterrupted() && !limitReached())
            {
                if (stepper.hasNext())
                {
                    if (!filter.beforeEnd(stepper.nextIndex(), stepper.nextTimestamp()))
                    {
                        break;
                    }
                    final Step step = stepper.step();
                    if (filter.test(step))
                    {
                        matched++;
                        offer(LogEntry.of(step), writer);
                    }
                    if (filter.to() != null && !filter.to().isTime() && step.index() >= filter.to().index())
                    {
                        break; // --to INDEX reached: do not wait for the record after it
                    }
                    continue;
                }
                if (!checkedEnd)
                {
                    stepper.checkReachedEnd();
                    checkedEnd = true;
                    release(writer); // the journal's end so far: --last and --reverse know their records now
                }
                out.flush();
                if (!follow || out.checkError())
                {
                    break;
                }
                Thread.sleep(Math.max(1, pollMs));
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt(); // --follow stopped from outside: a normal end
        }
        release(writer);
        out.flush();
        return matched == 0 ? NoMatches.report(spec) : 0;
    }

    private boolean limitReached()
    {
        return limit > 0 && printed >= limit;
    }

    /** Print a match now, or hold it for --last / --reverse (keeping only the last N). */
    private void offer(final LogEntry entry, final LogWriter writer)
    {
        if (held == null)
        {
            writer.write(entry);
            printed++;
            return;
        }
        held.addLast(entry);
        if (last > 0 && held.size() > last)
        {
            held.removeFirst();
        }
    }

    /** Print what was held, in the order asked for; later matches are printed as they come. */
    private void release(final LogWriter writer)
    {
        if (held == null)
        {
            return;
        }
        final Iterator<LogEntry> entries = reverse ? held.descendingIterator() : held.iterator();
        while (entries.hasNext() && !limitReached())
        {
            writer.write(entries.next());
            printed++;
        }
        held = null;
    }

    /** @return the record before --from, 0 without it. */
    private static long lastBeforeStart(final JournalDir journal, final Point from)
    {
        if (from == null)
        {
            return 0;
        }
        return from.isTime() ? new Point(-1, from.timeNs() - 1, from.text()).resolve(journal) : from.index() - 1;
    }

    /** Records before --from are replayed (their state matters) but not looked at. */
    private static void skipTo(final long lastBefore, final Stepper stepper)
    {
        if (lastBefore > stepper.state().lastIndex())
        {
            try (Progress progress = Progress.onTerminal("replay", lastBefore))
            {
                stepper.skipTo(lastBefore, progress);
            }
        }
    }
}
