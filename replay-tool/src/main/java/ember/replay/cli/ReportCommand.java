package ember.replay.cli;

import ember.replay.audit.Report;
import ember.replay.render.ReportRender;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;


/** {@code replay-tool report}: an aureport-like summary. */
@Command(name = "report", mixinStandardHelpOptions = true,
    header = "An aureport-like summary.",
    description = {
        "Summarize the journal (or the records the filters keep), like aureport:",
        "counts per syscall, user and pid; errors and permission denials; signals by",
        "number, sender and outcome; events by name; process spawns and endings;",
        "timers; the busiest processes.",
        "No record matching prints '<no matches>' on stderr and exits 1 (as log).",
        ""
    })
final class ReportCommand extends PointsCommand
{
    @Mixin
    FilterOptions filters;

    @Option(names = "--top", paramLabel = "N", defaultValue = "10",
        description = "rows per table (default: ${DEFAULT-VALUE})")
    int top;

    @Option(names = "--denials", paramLabel = "N", defaultValue = "50",
        description = "permission denials listed one by one (default: ${DEFAULT-VALUE})")
    int denials;

    @Mixin
    FormatOption format;

    @Override
    public Integer call()
    {
        final Report report = Report.of(dir.earliest(spec), filters.filter(dir.journal(), zone), Math.max(0, denials));
        if (report.records == 0)
        {
            return NoMatches.report(spec); // nothing on stdout: an empty summary would read as "all quiet"
        }
        if (format.json())
        {
            ReportRender.json(report, Math.max(1, top), out());
        }
        else
        {
            ReportRender.text(report, Math.max(1, top), out());
        }
        return 0;
    }
}
