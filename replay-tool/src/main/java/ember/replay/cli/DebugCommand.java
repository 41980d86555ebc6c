package ember.replay.cli;

import ember.replay.ToolException;
import ember.replay.debug.DebugConsole;
import ember.replay.debug.Session;
import ember.replay.engine.JournalDir;
import ember.replay.engine.PointSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/** {@code replay-tool debug}: a time-travel debugger over a journal. */
@Command(name = "debug", mixinStandardHelpOptions = true,
    header = "Time-travel debugger: move through a journal, break on conditions.",
    description = {
        "Open a debugging session on DIR's journal: go to any record, step forwards",
        "and backwards, continue to the next or previous stop of a breakpoint (a",
        "syscall, a caller, a user, an error, a signal, an event, a condition over",
        "the state, a watched queue, process, disposition or service), inspect the",
        "state and what each record did. Conditional stops are edge-triggered, in",
        "both directions. Moving back replays from a checkpoint kept in memory (one",
        "every --checkpoint-interval records passed), never from record 1.",
        "",
        "On a terminal: a prompt with the current index, line editing, history",
        "($HOME/.ember_debug_history), Tab completion, 'help'. From a pipe: one",
        "command per line, one answer block per command, no prompt. A failing",
        "command prints 'error: MESSAGE' and the session goes on; the exit code is",
        "1 when any did. The session starts before the first record (--at: after N).",
        "--marker prints a line after each answer, for scripts.",
        "",
        "Commands: where, goto N|TIME|start|end, step [K], back [K], continue,",
        "reverse-continue, break syscall NAME|pid P|user U|error [MESSAGE]|signal S|",
        "event NAME|when EXPR, watch queue P|process P|disposition P S|service NAME,",
        "delete [ID], info breaks, print process P|queue P [LIMIT]|timers [P]|",
        "services, ps, diff N, effects, when EXPR [--all], find EXPR, help, quit.",
        "EXPR as in 'replay-tool when --help'.",
        ""
    })
final class DebugCommand extends PointsCommand
{
    @Option(names = "--at", paramLabel = "POINT", converter = PointConverter.class,
        description = "start after this record: " + PointConverter.FORMS)
    PointSpec at;

    @Option(names = "--checkpoint-interval", paramLabel = "N", defaultValue = "65536",
        description = "records between two checkpoints kept in memory; a back step replays fewer (default: " +
            "${DEFAULT-VALUE})")
    long interval;

    @Option(names = "--marker", paramLabel = "LINE", arity = "0..1", fallbackValue = "<end>",
        description = "from a pipe: print LINE (default '<end>') on a line of its own after each command's answer, " +
            "for scripts that read answers as they come")
    String marker;

    @Override
    public Integer call() throws Exception
    {
        if (interval < 1)
        {
            throw new ToolException("--checkpoint-interval must be at least 1", ToolException.USAGE);
        }
        final JournalDir journal = dir.journal();
        final PrintWriter out = out();
        try (Session session = new Session(dir.earliest(spec), zone.zone, interval))
        {
            if (at != null)
            {
                final StringWriter discard = new StringWriter();
                final PrintWriter answer = new PrintWriter(discard);
                if (!session.execute("goto " + zone.resolve(at, journal).resolve(journal), answer))
                {
                    answer.flush();
                    throw new ToolException(discard.toString().strip().replaceFirst("^error: ", ""));
                }
            }
            if (DebugConsole.isInteractive())
            {
                try (DebugConsole console = DebugConsole.open(DebugConsole.historyFile()))
                {
                    return console.run(session);
                }
            }
            return session.run(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), out, marker);
        }
    }
}
