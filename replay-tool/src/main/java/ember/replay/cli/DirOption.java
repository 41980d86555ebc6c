package ember.replay.cli;

import ember.replay.engine.JournalDir;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The {@code --dir DIR} option every command takes. */
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
}
