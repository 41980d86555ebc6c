package ember.kernel.core;

import ember.journal.Journal;
import ember.journal.JournalReader;
import ember.kernel.state.SnapshotCodec;
import net.openhft.chronicle.queue.impl.RollingResourcesCache;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Archives or deletes the journal files (one per roll cycle) that lie wholly before the newest
 * valid snapshot: recovery starts from that snapshot and never reads them. Runs only while no
 * kernel has the directory open. Afterwards the journal can no longer be replayed from its
 * first record: tools must start from a snapshot (the reader says so).
 * <p>
 * Which file holds which cycle is Chronicle's business: the snapshot's cycle comes from its
 * Chronicle index, the first cycle from the queue, and each cycle's file name from Chronicle's
 * name cache for the queue's roll cycle and epoch, so every roll cycle (minutely to weekly) is
 * named the way Chronicle writes it.
 * <p>
 * Archived files keep the journal's protection: they are made readable by the owner only
 * ({@code 0600}) before they move, into an archive directory that is created {@code 0700} and,
 * when it exists already, must not be writable by group or others.
 */
public final class JournalPruner
{
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");

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
     * @return the snapshot pruned to and the files moved or deleted, in cycle order.
     * @throws KernelOpenException with a one-line reason when a kernel has the directory open, no
     *     valid snapshot exists, the archive directory is unsafe, or a file cannot be moved;
     *     files are checked before any is moved.
     */
    public static Result prune(final Path kernelDir, final Path archive)
    {
        if (!Files.isDirectory(kernelDir))
        {
            throw new KernelOpenException("no kernel directory " + kernelDir);
        }
        KernelDirectory.secure(kernelDir); // the same ownership and link rules as a kernel's open
        try (FileChannel channel = KernelDirectory.openPrivateFile(kernelDir.resolve(Kernel.LOCK_FILE),
            StandardOpenOption.WRITE))
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
            final SnapshotStore.Loaded snapshot = newestValidSnapshot(kernelDir);
            final List<Path> moved = filesBefore(kernelDir, snapshot);
            if (archive != null)
            {
                prepareArchive(archive);
            }
            for (final Path file : moved)
            {
                if (archive != null)
                {
                    ownerOnly(file, OWNER_FILE);
                    Files.move(file, archive.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
                else
                {
                    Files.delete(file);
                }
            }
            if (!moved.isEmpty())
            {
                forgetPrunedCycles(kernelDir);
            }
            return new Result(snapshot.state().lastIndex(), moved, archive);
        }
        catch (final IOException ex)
        {
            throw new KernelOpenException("cannot prune the journal of " + kernelDir + ": " + ex);
        }
    }

    private static SnapshotStore.Loaded newestValidSnapshot(final Path kernelDir)
    {
        for (final Path file : new SnapshotStore(kernelDir).list())
        {
            try
            {
                final SnapshotStore.Loaded loaded = SnapshotStore.read(file);
                if (loaded.chain() != null)
                {
                    return loaded;
                }
                // Pruned history verifies from the snapshot's chain value: one without it is no base.
                System.err.println("ember: snapshot " + file + " carries no hash chain value: not pruned to");
            }
            catch (final SnapshotCodec.DamagedSnapshotException ex)
            {
                System.err.println("ember: damaged snapshot " + file + " skipped: " + ex.getMessage());
            }
        }
        throw new KernelOpenException("no valid snapshot in " + kernelDir + ": nothing can be pruned");
    }

    /** @return the existing files of the cycles before the snapshot's cycle, oldest first. */
    private static List<Path> filesBefore(final Path kernelDir, final SnapshotStore.Loaded snapshot)
    {
        final List<Path> files = new ArrayList<>();
        try (JournalReader reader = new JournalReader(kernelDir, true))
        {
            if (!reader.resumeAfter(snapshot.state().lastIndex(), snapshot.chronicleIndex()))
            {
                throw new KernelOpenException("the newest snapshot does not match the journal: nothing pruned");
            }
            final SingleChronicleQueue queue = (SingleChronicleQueue)reader.queue();
            final int keepFrom = queue.rollCycle().toCycle(snapshot.chronicleIndex());
            final File queueDir = Journal.queueDir(kernelDir).toFile();
            final RollingResourcesCache names = new RollingResourcesCache(queue.rollCycle(), queue.epoch(),
                name -> new File(queueDir, name + SingleChronicleQueue.SUFFIX),
                file -> file.getName().substring(0, file.getName().length() - SingleChronicleQueue.SUFFIX.length()));
            // Cycle → file name only (Chronicle's formatting, as it names the files it writes):
            // this Chronicle version cannot parse WEEKLY names back (listCyclesBetween throws
            // "Unsupported field: EpochDay"), so no file name is ever parsed.
            for (int cycle = queue.firstCycle(); cycle < keepFrom; cycle++)
            {
                final Path file = names.resourceFor(cycle).path.toPath();
                if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
                {
                    files.add(file);
                }
            }
        }
        return files;
    }

    /**
     * Chronicle keeps the queue's first and last cycle in its metadata file; a read-only reader
     * (the replay tool) trusts it and, pointed at a file that is gone, reads nothing at all.
     * Opening the queue for writing and refreshing its directory listing records the first kept
     * cycle (nothing is appended).
     */
    private static void forgetPrunedCycles(final Path kernelDir)
    {
        final net.openhft.chronicle.queue.RollCycle rollCycle;
        try (net.openhft.chronicle.queue.ChronicleQueue readOnly = Journal.openQueue(kernelDir, true, Journal.DEFAULT_BLOCK_SIZE))
        {
            rollCycle = readOnly.rollCycle(); // the journal's own: a writer opened with another rewrites the metadata
        }
        if (rollCycle.lengthInMillis() > 24 * 3600 * 1000)
        {
            return; // weekly: the refresh parses file names, which this Chronicle cannot for weekly ones
        }
        try (SingleChronicleQueue queue = (SingleChronicleQueue)Journal.openQueue(kernelDir, false, Journal.DEFAULT_BLOCK_SIZE,
            rollCycle))
        {
            queue.refreshDirectoryListing();
        }
    }

    private static void prepareArchive(final Path archive) throws IOException
    {
        if (!Files.exists(archive, LinkOption.NOFOLLOW_LINKS))
        {
            final Path parent = archive.toAbsolutePath().getParent();
            if (parent != null)
            {
                Files.createDirectories(parent);
            }
            Files.createDirectory(archive);
            ownerOnly(archive, OWNER_DIR); // set, not requested at creation: the umask cannot widen it then
            return;
        }
        if (!Files.isDirectory(archive, LinkOption.NOFOLLOW_LINKS))
        {
            throw new KernelOpenException("archive " + archive + " is not a directory: nothing pruned");
        }
        try
        {
            final Set<PosixFilePermission> mode = Files.getPosixFilePermissions(archive, LinkOption.NOFOLLOW_LINKS);
            if (mode.contains(PosixFilePermission.GROUP_WRITE) || mode.contains(PosixFilePermission.OTHERS_WRITE))
            {
                throw new KernelOpenException("archive directory " + archive + " is writable by group or others (" +
                    PosixFilePermissions.toString(mode) + "): nothing pruned; use a directory only its owner can write");
            }
        }
        catch (final UnsupportedOperationException ignored)
        {
            // not a POSIX file system: no modes to check
        }
    }

    private static void ownerOnly(final Path path, final Set<PosixFilePermission> mode) throws IOException
    {
        try
        {
            Files.setPosixFilePermissions(path, mode);
        }
        catch (final UnsupportedOperationException ignored)
        {
            // not a POSIX file system: nothing to set
        }
    }
}
