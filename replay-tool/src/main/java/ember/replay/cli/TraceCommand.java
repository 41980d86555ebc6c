package ember.replay.cli;

import ember.kernel.json.Json;
import ember.replay.audit.Trace;
import ember.replay.engine.PointSpec;
import ember.replay.render.TraceText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;


/** {@code replay-tool trace PID}: the life of one process. */
@Command(name = "trace", mixinStandardHelpOptions = true,
    header = "The life of one process.",
    description = {
        "Show the life of one process: who spawned it, each event it received and",
        "from whom, each signal sent to it and by whom (refused ones too) and what it",
        "did, its timers and alarms, user, dispositions, services and children, and",
        "how it ended (with what its queue held at that moment).",
        ""
    })
final class TraceCommand extends PointsCommand
{
    @Parameters(index = "0", paramLabel = "PID", description = "the process")
    long pid;

    @Option(names = "--calls", description = "also list the syscalls the process made itself")
    boolean calls;

    @Option(names = "--to", paramLabel = "POINT", converter = PointConverter.class,
        description = "stop after this record (default: the end of the journal): " + PointConverter.FORMS)
    PointSpec to;

    @Mixin
    FormatOption format;

    @Override
    public Integer call()
    {
        final Trace trace = Trace.of(dir.earliest(spec), pid, zone.resolve(to, dir.journal()), calls);
        if (format.json())
        {
            out().println(Json.write(trace.toJson()));
        }
        else
        {
            TraceText.write(trace, out());
        }
        return 0;
    }
}
