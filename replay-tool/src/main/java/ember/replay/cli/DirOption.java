package ember.replay.cli;

import ember.replay.engine.JournalDir;
import ember.replay.engine.Origin;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The {@code --dir DIR} option every command takes, and where its replay starts. */
final class DirOption
{
    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "ember-data",
        description = "kernel directory; the journal is DIR/journal (default: ${DEFAULT-VALUE})")
    Path dir;

    /** @return the journal of DIR, checked to exist. */
    JournalDir journal()
    {
        return JournalDir.of(dir);
    }

    /**
     * @param spec the command, whose stderr is told when the journal's first records were pruned.
     * @return the earliest start of DIR's journal ({@link Origin#earliest}).
     */
    Origin earliest(final CommandLine.Model.CommandSpec spec)
    {
        return told(spec, Origin.earliest(journal()));
    }

    /**
     * @param spec    the command, whose stderr is told when the journal's first records were pruned.
     * @param journal DIR's journal.
     * @param index   the record the command needs the state after.
     * @return the latest start at or before it ({@link Origin#atOrBefore}).
     */
    Origin atOrBefore(final CommandLine.Model.CommandSpec spec, final JournalDir journal, final long index)
    {
        return told(spec, Origin.atOrBefore(journal, index));
    }

    private static Origin told(final CommandLine.Model.CommandSpec spec, final Origin origin)
    {
        if (origin.note() != null)
        {
            spec.commandLine().getErr().println("replay-tool: " + origin.note());
        }
        return origin;
    }
}
