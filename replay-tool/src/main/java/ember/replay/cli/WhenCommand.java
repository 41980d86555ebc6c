package ember.replay.cli;

import ember.replay.ToolException;
import ember.replay.debug.Expr;
import ember.replay.debug.ExprException;
import ember.replay.debug.ExprParser;
import ember.replay.debug.WhenSearch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.List;

/** {@code replay-tool when EXPR}: the first record after which a condition over the state holds. */
@Command(name = "when", mixinStandardHelpOptions = true,
    header = "The first record after which a condition over the state holds.",
    description = {
        "Replay the journal and print the index of the first record after which EXPR",
        "holds (0: it holds before the first record); with --all, one index per line",
        "for each record where it starts to hold (it did not hold before that record).",
        "Nothing found: '<no matches>' on stderr, exit 1. The same as 'when' in debug.",
        "The journal is searched in segments in parallel, one from each snapshot in",
        "DIR/snapshots (one thread per processor); --threads 1: one replay from the start.",
        "",
        "EXPR: queued(P), timers(P), parent(P), index (numbers); exists(P),",
        "stopped(P), handler(P, S) (conditions; S a number or a name: TERM);",
        "user(P), name(P) (strings, nil for no process P); == != < <= > >=, && || !",
        "(also and, or, not), parentheses. Examples: 'queued(7) > 100',",
        "'stopped(3)', 'user(4) == \"alice\"', 'timers(2) >= 1 && !exists(5)'.",
        ""
    })
final class WhenCommand extends DirCommand
{
    @Option(names = "--all", description = "every record where EXPR starts to hold, not only the first")
    boolean all;

    @Option(names = "--threads", paramLabel = "N", description = "at most N threads (default: one per processor); " +
        "1: one sequential replay from the start, without the snapshots")
    Integer threads;

    @Parameters(arity = "1..*", paramLabel = "EXPR", description = "the condition (quote it for the shell)")
    List<String> words;

    @Override
    public Integer call()
    {
        final Expr expr;
        try
        {
            expr = ExprParser.parse(String.join(" ", words));
        }
        catch (final ExprException ex)
        {
            throw new ToolException(ex.getMessage(), ToolException.USAGE);
        }
        if (threads != null && threads < 1)
        {
            throw new ToolException("--threads must be at least 1, not " + threads, ToolException.USAGE);
        }
        final PrintWriter out = out();
        final long found = WhenSearch.search(dir.earliest(spec), expr, all, threads == null ? Integer.MAX_VALUE : threads,
            WhenSearch.MIN_SEGMENT, index ->
        {
            out.println(index);
            out.flush();
        }).found();
        return found == 0 ? NoMatches.report(spec) : 0;
    }
}
