package ember.kernel.core;

import ember.journal.JournalReader;
import ember.kernel.state.KernelState;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The state of a kernel directory as its files say, read without opening the kernel: the newest
 * valid snapshot plus the journal after it, through the one {@link Recovery} path, read-only.
 * Safe while a kernel runs on the directory (Chronicle readers never write, and no lock is taken),
 * so {@code ember status} uses it to report a live kernel without asking its core anything.
 */
public final class OfflineState
{
    private OfflineState()
    {
    }

    /**
     * @return true when {@code dir} holds a journal (not just its empty folder).
     * @throws KernelOpenException when the journal folder cannot be listed.
     */
    public static boolean hasJournal(final Path dir)
    {
        final Path queue = ember.journal.Journal.queueDir(dir);
        if (!Files.isDirectory(queue))
        {
            return false;
        }
        try (Stream<Path> files = Files.list(queue))
        {
            return files.findAny().isPresent();
        }
        catch (final IOException ex)
        {
            throw new KernelOpenException("cannot read " + queue + ": " + KernelDirectory.describe(ex));
        }
    }

    /**
     * @param dir a kernel directory with a journal.
     * @return the state after the journal's last complete record.
     * @throws KernelOpenException with a one-line reason when the journal is damaged or unreadable.
     */
    public static KernelState read(final Path dir)
    {
        try (JournalReader reader = new JournalReader(dir, true))
        {
            final Recovery.Result result = Recovery.recover(reader, new SnapshotStore(dir), Long.MAX_VALUE, notice -> { },
                () -> false);
            if (result.damage() != null)
            {
                throw new KernelOpenException("the journal of " + dir + " is damaged: " + result.damage().getMessage());
            }
            return result.state();
        }
        catch (final RuntimeException ex)
        {
            if (ex instanceof KernelOpenException)
            {
                throw ex;
            }
            throw new KernelOpenException("cannot read the journal of " + dir + ": " + ex.getMessage());
        }
    }
}
