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
import java.util.concurrent.Callable;

/**
 * {@code replay-tool log}: one line per record with its caller's user and its outcome from replay,
 * filtered, optionally following the journal as the kernel writes it (like {@code tail -f}).
 */
@Command(name = "log", mixinStandardHelpOptions = true,
    header = "One line per record, with its caller's user and its outcome; filters; --follow.",
    description = {
        "Print one line per record: index, time (UTC, microseconds), pid, user (the",
        "caller's user at that moment), syscall, arguments and outcome (result or",
        "error, from replay), then what the record changed, in [brackets].",
        "Filters combine (all must hold); a repeated filter matches any of its values.",
        "",
        "Examples:",
        "  who sent SIGTERM to pid 42, and when:",
        "    replay-tool log --syscall kill --signal 15 --target 42",
        "  every permission denial, as CSV:",
        "    replay-tool log --denied --format csv > denials.csv",
        "  watch process 7 live:",
        "    replay-tool log --follow --pid 7",
        ""
    })
final class LogCommand implements Callable<Integer>
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    DirOption dir;

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

    @Override
    public Integer call() throws InterruptedException
    {
        final JournalDir journal = dir.journal();
        final RecordFilter filter = filters.filter();
        final PrintWriter out = spec.commandLine().getOut();
        final LogWriter writer = LogWriter.of(format, out);
        writer.start();
        long printed = 0;
        boolean checkedEnd = false;
        final long lastBefore = lastBeforeStart(journal);
        try (Stepper stepper = new Stepper(lastBefore > 0 ? dir.atOrBefore(spec, journal, lastBefore) : dir.earliest(spec)))
        {
            skipTo(lastBefore, stepper);
            while (!Thread.currentThread().isInterrupted())
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
                        writer.write(LogEntry.of(step));
                        if (++printed == limit)
                        {
                            break;
                        }
                    }
                    if (filter.to() != null && !filter.to().isTime() && step.index() >= filter.to().index())
                    {
                        break; // --to INDEX reached: do not wait for the record after it
                    }
                    continue;
                }
                out.flush();
                if (!checkedEnd)
                {
                    stepper.checkReachedEnd();
                    checkedEnd = true;
                }
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
        out.flush();
        return 0;
    }

    /** @return the record before --from, 0 without it. */
    private long lastBeforeStart(final JournalDir journal)
    {
        if (filters.from == null)
        {
            return 0;
        }
        return filters.from.isTime() ?
            new Point(-1, filters.from.timeNs() - 1, filters.from.text()).resolve(journal) :
            filters.from.index() - 1;
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
