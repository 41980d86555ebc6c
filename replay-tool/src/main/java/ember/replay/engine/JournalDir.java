package ember.replay.engine;

import ember.journal.Journal;
import ember.journal.JournalReader;
import ember.replay.ToolException;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A kernel directory as the replay tool sees it: read-only, its journal in {@code DIR/journal}.
 * Opening never creates or modifies anything, so it is safe while a kernel writes the journal.
 */
public final class JournalDir
{
    private final Path dir;

    private JournalDir(final Path dir)
    {
        this.dir = dir;
    }

    /**
     * @param dir a kernel directory.
     * @return the directory, once checked to hold a journal.
     * @throws ToolException when there is no journal to read.
     */
    public static JournalDir of(final Path dir)
    {
        final Path queue = Journal.queueDir(dir);
        if (!Files.isDirectory(queue))
        {
            throw new ToolException("no journal in " + dir + " (expected the directory " + queue + ")");
        }
        return new JournalDir(dir);
    }

    /** @return the kernel directory. */
    public Path path()
    {
        return dir;
    }

    /** @return a new read-only reader positioned before the first record; the caller closes it. */
    public JournalReader openReader()
    {
        return new JournalReader(dir, true);
    }
}
