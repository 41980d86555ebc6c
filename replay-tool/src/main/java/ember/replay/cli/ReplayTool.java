package ember.replay.cli;

import ember.journal.CorruptRecordException;
import ember.replay.ToolException;
import picocli.CommandLine.Command;
import picocli.CommandLine;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/**
 * {@code replay-tool}: reads an Ember kernel's journal, read-only (also while the kernel writes
 * it), for debugging and audit. Every outcome it shows comes from replaying the records through
 * the kernel's own {@code KernelState.apply}.
 */
@Command(name = "replay-tool", mixinStandardHelpOptions = true, version = "replay-tool 0.1.0",
    description = {
        "Read an Ember kernel's journal (DIR/journal), read-only, also while the",
        "kernel writes it. Outcomes come from replaying the records through the",
        "kernel's own apply function. 'replay-tool COMMAND --help' for each command.",
        "",
        "Points (--from, --to, --at, diff A B) are a record index (1234, 1234-1,",
        "last, last-10) or a time: ISO-8601 (2025-06-01T12:00:00.123456Z), HH:MM[:SS]",
        "today, today, yesterday (midnight), now, recent (10 minutes ago) or a time",
        "ago (30s, 10m, 2h, 1d). Times without a zone are UTC unless --zone ZONE says",
        "otherwise; output is always UTC. A time stands for the last record at or",
        "before it (--from: the first record at or after it).",
        "",
        "Exit codes: 0 ok; 1 damaged journal, failed verification, unreadable",
        "directory, or nothing matched the filters of log, report or timeline",
        "('<no matches>' on stderr);",
        "2 usage error.",
        ""
    },
    subcommands = {
        LogCommand.class, StateCommand.class, DiffCommand.class, TraceCommand.class, VerifyCommand.class,
        ReportCommand.class, TimelineCommand.class, DebugCommand.class, WhenCommand.class, BenchCommand.class,
        PubkeyCommand.class, HeadCommand.class, ProveCommand.class, CheckProofCommand.class,
        CommandLine.HelpCommand.class
    })
public final class ReplayTool implements Callable<Integer>
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** @return true when Chronicle itself threw {@code ex} while opening or reading a queue file. */
    private static boolean fromChronicle(final Exception ex)
    {
        final StackTraceElement[] trace = ex.getStackTrace();
        return trace.length > 0 && trace[0].getClassName().startsWith("net.openhft.");
    }

    /** Entry point of {@code bin/replay-tool}. */
    public static void main(final String[] args)
    {
        final PrintWriter out = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out),
            StandardCharsets.UTF_8), false);
        final PrintWriter err = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.err),
            StandardCharsets.UTF_8), true);
        final int code = execute(args, out, err);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /**
     * Run the tool in this JVM (tests, embedding).
     *
     * @param args the command line.
     * @param out  standard output.
     * @param err  standard error.
     * @return the exit code.
     */
    public static int execute(final String[] args, final PrintWriter out, final PrintWriter err)
    {
        final CommandLine commandLine = new CommandLine(new ReplayTool());
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setParameterExceptionHandler((ex, badArgs) ->
        {
            // One line and a hint: the full help buried the error under 60 lines.
            final CommandLine cl = ex.getCommandLine();
            cl.getErr().println("replay-tool: " + ex.getMessage());
            cl.getErr().println("try '" + cl.getCommandSpec().qualifiedName() + " --help'");
            return cl.getCommandSpec().exitCodeOnInvalidInput();
        });
        commandLine.setExecutionExceptionHandler((ex, cl, parseResult) ->
        {
            cl.getOut().flush(); // what was printed before the failure is true; show it first
            if (ex instanceof ToolException tool)
            {
                cl.getErr().println("replay-tool: " + tool.getMessage());
                return tool.exitCode();
            }
            if (ex instanceof CorruptRecordException corrupt)
            {
                cl.getErr().println("replay-tool: journal damaged: " + corrupt.getMessage());
                return ToolException.FAILURE;
            }
            if (fromChronicle(ex))
            {
                // Chronicle's own framing (a file header, the metadata) is not what it wrote:
                // garbage or a foreign file in DIR/journal. Damage, not a bug of the tool.
                cl.getErr().println("replay-tool: journal damaged: a journal file is not a readable Chronicle queue file (" +
                    ex.getClass().getSimpleName() + ": " + ex.getMessage() + ")");
                return ToolException.FAILURE;
            }
            cl.getErr().println("replay-tool: internal error: " + ex);
            ex.printStackTrace(cl.getErr());
            return ToolException.FAILURE;
        });
        final int code = commandLine.execute(args);
        out.flush();
        err.flush();
        return code;
    }
}
