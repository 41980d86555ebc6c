package ember.replay.cli;

import ember.replay.audit.RecordFilter;
import ember.replay.audit.Timeline;
import ember.replay.engine.JournalDir;
import ember.replay.engine.PointSpec;
import ember.replay.render.HtmlTimeline;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/** {@code replay-tool timeline --html FILE}: processes as lanes over time, in one HTML file. */
@Command(name = "timeline", mixinStandardHelpOptions = true,
    header = "Processes as lanes over time, in one self-contained HTML file.",
    description = {
        "Write one self-contained HTML file (it fetches nothing) that draws processes",
        "as lanes over time (or record index) with events, signals, timers, spawns,",
        "user changes, ends and refused calls as marks, stopped intervals on the",
        "lanes, arrows from sender to receiver, zoom (wheel, buttons), pan (drag) and",
        "a filter box. A click on a mark shows the state after its record, as",
        "'replay-tool state --at N' prints it (embedded: see --max-states).",
        "The time axis cuts out idle gaps (longer than 20 times the median gap and",
        "than 1 ms), each drawn as a broken-axis marker with its real length; the",
        "'x = record index' box (or #index in the URL) spaces records evenly.",
        "Nothing to draw (no mark in the range or on the --pid processes) prints",
        "'<no matches>' on stderr, writes no file and exits 1 (as log).",
        ""
    })
final class TimelineCommand extends PointsCommand
{
    @Option(names = {"--html", "--out"}, paramLabel = "FILE", required = true, description = "the HTML file to write")
    Path html;

    @Option(names = "--pid", paramLabel = "PID", split = ",",
        description = "only marks on or from these processes (repeatable)")
    List<Long> pids = new ArrayList<>();

    @Option(names = "--from", paramLabel = "POINT", converter = PointConverter.class,
        description = "first record: " + PointConverter.FORMS)
    PointSpec from;

    @Option(names = "--to", paramLabel = "POINT", converter = PointConverter.class,
        description = "last record: an index or a time as for --from")
    PointSpec to;

    @Option(names = "--max-marks", paramLabel = "N", defaultValue = "20000",
        description = "stop adding marks after N, to keep the page fast (default: ${DEFAULT-VALUE})")
    int maxMarks;

    @Option(names = "--max-states", paramLabel = "K", defaultValue = "256",
        description = "embed the state after at most K marked records, shown when a mark is clicked; beyond K an " +
            "even sample (every 2nd, 4th, ... marked record; the page says so) (default: ${DEFAULT-VALUE})")
    int maxStates;

    @Override
    public Integer call()
    {
        final JournalDir journal = dir.journal();
        final RecordFilter filter = RecordFilter.range(new LinkedHashSet<>(pids), zone.resolve(from, journal),
            zone.resolve(to, journal));
        final Map<String, Object> data = Timeline.of(dir.earliest(spec), filter, Math.max(1, maxMarks), maxStates);
        if (((List<?>)data.get("marks")).isEmpty())
        {
            return NoMatches.report(spec); // no page: an empty chart would read as "nothing happened"
        }
        HtmlTimeline.write(data, html);
        out().println("wrote " + html + ": " + ((List<?>)data.get("lanes")).size() +
            " processes, " + ((List<?>)data.get("marks")).size() + " marks, records " + data.get("firstIndex") + ".." +
            data.get("lastIndex"));
        return 0;
    }
}
