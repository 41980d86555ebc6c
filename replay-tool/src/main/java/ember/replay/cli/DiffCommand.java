package ember.replay.cli;

import ember.replay.audit.Diff;
import ember.replay.engine.JournalDir;
import ember.replay.engine.PointSpec;
import ember.replay.render.DiffRender;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;


/** {@code replay-tool diff A B}: what changed between two points. */
@Command(name = "diff", mixinStandardHelpOptions = true,
    header = "What changed between two points.",
    description = {
        "Show what changed between the state after A and the state after B (A <= B;",
        "0 = the empty state): processes born and ended, signals delivered, events",
        "queued (and whether each is still queued, consumed or dropped at B) and",
        "consumed, timers and alarms set, fired and cancelled, users, dispositions,",
        "services, clients; then each queue's length at A and at B.",
        ""
    })
final class DiffCommand extends PointsCommand
{
    @Parameters(index = "0", paramLabel = "A", converter = PointConverter.class,
        description = PointConverter.FORMS)
    PointSpec a;

    @Parameters(index = "1", paramLabel = "B", converter = PointConverter.class, description = "as A")
    PointSpec b;

    @Option(names = "--summary", description = "only count each kind of change")
    boolean summary;

    @Mixin
    FormatOption format;

    @Override
    public Integer call()
    {
        final JournalDir journal = dir.journal();
        final long from = zone.resolve(a, journal).resolve(journal);
        final long to = zone.resolve(b, journal).resolve(journal);
        final Diff diff = Diff.compute(dir.atOrBefore(spec, journal, Math.min(from, to)), from, to);
        if (format.json())
        {
            DiffRender.json(diff, out());
        }
        else
        {
            DiffRender.text(diff, summary, out());
        }
        return 0;
    }
}
