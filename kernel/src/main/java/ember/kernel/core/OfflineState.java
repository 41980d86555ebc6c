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
    /** The newest snapshot file: its journal index and when it was written (epoch ms). */
    public record SnapshotMark(long index, long timeMs)
    {
    }

    private OfflineState()
    {
    }

    /**
     * The newest snapshot file by its name, not checked (reading a large snapshot to check it
     * would cost what {@code status} must not): recovery may still skip it if it is damaged.
     *
     * @return its index and modification time, or null when there is none.
     */
    public static SnapshotMark newestSnapshot(final Path dir)
    {
        try
        {
            for (final Path file : new SnapshotStore(dir).list())
            {
                final long index = SnapshotStore.indexOf(file);
                if (index >= 0)
                {
                    return new SnapshotMark(index, Files.getLastModifiedTime(file).toMillis());
                }
            }
        }
        catch (final IOException | java.io.UncheckedIOException ex)
        {
            // unreadable: as if none
        }
        return null;
    }

    /**
     * @return the bytes the journal's files take on disk (their lengths; Chronicle backs them
     *     ahead of the writer, so this is the space used, not the bytes of records), 0 for none.
     */
    public static long journalBytesOnDisk(final Path dir)
    {
        final Path queue = ember.journal.Journal.queueDir(dir);
        if (!Files.isDirectory(queue))
        {
            return 0;
        }
        long total = 0;
        try (Stream<Path> files = Files.list(queue))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                try
                {
                    total += Files.size(file);
                }
                catch (final IOException ex)
                {
                    // rolled away meanwhile
                }
            }
        }
        catch (final IOException | java.io.UncheckedIOException ex)
        {
            return 0;
        }
        return total;
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
