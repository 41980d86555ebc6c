package ember.kernel.core;

import ember.journal.Journal;
import ember.journal.JournalReader;
import ember.kernel.state.SnapshotCodec;
import net.openhft.chronicle.queue.RollCycle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Archives or deletes the journal files (one per roll cycle) that lie wholly before the newest
 * valid snapshot: recovery starts from that snapshot and never reads them. Runs only while no
 * kernel has the directory open. Afterwards the journal can no longer be replayed from its
 * first record: tools must start from a snapshot (the reader says so).
 */
public final class JournalPruner
{
    /** What a prune did. */
    public record Result(long snapshotIndex, List<Path> moved, Path archive)
    {
    }

    private JournalPruner()
    {
    }

    /**
     * @param kernelDir the kernel directory.
     * @param archive   directory to move the pruned files to, or null to delete them.
     * @throws KernelOpenException when a kernel has the directory open or no valid snapshot exists.
     */
    public static Result prune(final Path kernelDir, final Path archive)
    {
        try (FileChannel channel = FileChannel.open(kernelDir.resolve(Kernel.LOCK_FILE),
            StandardOpenOption.CREATE, StandardOpenOption.WRITE))
        {
            FileLock lock;
            try
            {
                lock = channel.tryLock();
            }
            catch (final java.nio.channels.OverlappingFileLockException ex)
            {
                lock = null; // held by a kernel in this very JVM
            }
            if (lock == null)
            {
                throw new KernelOpenException("kernel directory " + kernelDir + " is in use: stop the kernel first");
            }
            SnapshotStore.Loaded snapshot = null;
            for (final Path file : new SnapshotStore(kernelDir).list())
            {
                try
                {
                    snapshot = SnapshotStore.read(file);
                    break;
                }
                catch (final SnapshotCodec.DamagedSnapshotException ex)
                {
                    System.err.println("ember: damaged snapshot " + file + " skipped: " + ex.getMessage());
                }
            }
            if (snapshot == null)
            {
                throw new KernelOpenException("no valid snapshot in " + kernelDir + ": nothing can be pruned");
            }
            final List<Path> moved = new ArrayList<>();
            try (JournalReader reader = new JournalReader(kernelDir, true))
            {
                if (!reader.resumeAfter(snapshot.state().lastIndex(), snapshot.chronicleIndex()))
                {
                    throw new KernelOpenException("the newest snapshot does not match the journal: nothing pruned");
                }
                final RollCycle cycle = reader.queue().rollCycle();
                final int keepFrom = cycle.toCycle(snapshot.chronicleIndex());
                final DateTimeFormatter format = DateTimeFormatter.ofPattern(cycle.format()).withZone(ZoneOffset.UTC);
                if (archive != null)
                {
                    Files.createDirectories(archive);
                }
                try (DirectoryStream<Path> files = Files.newDirectoryStream(Journal.queueDir(kernelDir), "*.cq4"))
                {
                    for (final Path file : files)
                    {
                        final String name = file.getFileName().toString();
                        final long startMs = LocalDateTime.parse(name.substring(0, name.length() - 4), format)
                            .toInstant(ZoneOffset.UTC).toEpochMilli();
                        final int fileCycle = (int)(startMs / cycle.lengthInMillis());
                        if (fileCycle < keepFrom)
                        {
                            moved.add(file);
                        }
                    }
                }
            }
            for (final Path file : moved)
            {
                if (archive != null)
                {
                    Files.move(file, archive.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
                else
                {
                    Files.delete(file);
                }
            }
            moved.sort(null);
            return new Result(snapshot.state().lastIndex(), moved, archive);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot prune the journal of " + kernelDir, ex);
        }
    }
}
