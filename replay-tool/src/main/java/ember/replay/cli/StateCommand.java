package ember.replay.cli;

import ember.kernel.json.Json;
import ember.kernel.state.KernelState;
import ember.replay.ToolException;
import ember.replay.engine.JournalDir;
import ember.replay.engine.Origin;
import ember.replay.engine.Point;
import ember.replay.engine.PointSpec;
import ember.replay.engine.Replays;
import ember.replay.render.StateJson;
import ember.replay.render.StateText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/** {@code replay-tool state --at POINT}: the whole kernel state after a record. */
@Command(name = "state", mixinStandardHelpOptions = true,
    header = "The whole kernel state after a record.",
    description = {
        "Print the whole kernel state after a record: process table, each queue's",
        "events in order, signal dispositions and handler owners, held handler calls,",
        "pending timers and alarms with their deadlines, services, attached clients",
        "and the state digest. Without --at: after the last record; --at 0 is the",
        "state before the first record.",
        "",
        "What did every queue hold just before process 42 died? 'replay-tool trace 42'",
        "names the record that ended it, N: then 'replay-tool state --at N-1' (e.g.",
        "--at 1234-1). The state after the newest record: --at last; ten before: last-10.",
        ""
    })
final class StateCommand extends PointsCommand
{
    @Option(names = "--at", paramLabel = "POINT", converter = PointConverter.class,
        description = "after this record, or after the last record at or before this time: " + PointConverter.FORMS)
    PointSpec atText;

    @Mixin
    FormatOption format;

    @Override
    public Integer call()
    {
        final JournalDir journal = dir.journal();
        final Point at = zone.resolve(atText, journal);
        final long index = at == null ? Long.MAX_VALUE : at.resolve(journal);
        // With --at, the newest snapshot at or before it saves replaying from record 1 (same
        // state); without, every record is replayed so that damage anywhere is reported.
        final Origin origin = at == null ? dir.earliest(spec) : dir.atOrBefore(spec, journal, index);
        final KernelState state = Replays.stateAt(origin, index, "replay");
        if (at != null && !at.isTime() && state.lastIndex() < index)
        {
            throw new ToolException("the journal ends at record " + state.lastIndex() + "; there is no record " + index);
        }
        final PrintWriter out = out();
        if (format.json())
        {
            out.println(Json.write(StateJson.of(state)));
        }
        else
        {
            StateText.write(state, out);
        }
        return 0;
    }
}
