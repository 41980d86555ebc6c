package ember.kernel.core;

import ember.kernel.state.KernelState;
import ember.kernel.state.SnapshotCodec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.LinkOption;
import java.util.Set;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Snapshot files of a kernel directory, {@code DIR/snapshots/snapshot-INDEX.snap}: each is the
 * Chronicle index of the record it was taken after (8 bytes), the magic {@code EMCH} and the hash
 * chain value {@code h(INDEX)} (4 + 32 bytes), then a {@link SnapshotCodec} image (which carries
 * the index and digest). Files written before the chain existed have no {@code EMCH} part: they
 * still load, with a null {@link Loaded#chain()} (recovery skips them, see {@link Recovery}). Written atomically (temporary file, fsync, rename); the newest
 * {@value #KEEP} are kept. Temporary files start with a dot and end in {@code .tmp}.
 * <p>
 * Thread-safe as long as one thread writes at a time (the snapshot thread, then the core at close).
 */
public final class SnapshotStore
{
    public static final String DIR = "snapshots";
    public static final int KEEP = 3;
    /**
     * Test-only seam of the deterministic simulator (module sim): when set, a write of a snapshot
     * whose index it accepts fails as a full or broken disk would. Null in production.
     */
    static volatile java.util.function.LongPredicate writeFault;
    private static final String PREFIX = "snapshot-";
    private static final String SUFFIX = ".snap";
    private static final String TEMP_SUFFIX = ".tmp";

    private final Path dir;

    /** A snapshot read back: the state and where in the Chronicle queue its last record is. */
    public record Loaded(KernelState state, long chronicleIndex, Path file, byte[] chain)
    {
    }

    /** Marks the chain value after the Chronicle index ("EMCH"); an older file has SnapshotCodec's magic there. */
    private static final int CHAIN_MAGIC = 0x48434D45;
    private static final int HEADER_BYTES = 8 + 4 + ember.journal.HashChain.HASH_BYTES;

    public SnapshotStore(final Path kernelDir)
    {
        this.dir = kernelDir.resolve(DIR);
    }

    /** @return the snapshot directory. */
    public Path dir()
    {
        return dir;
    }

    /**
     * Write a snapshot atomically and drop the oldest beyond {@value #KEEP}.
     *
     * @param index          the state's last applied index.
     * @param chronicleIndex the Chronicle index of that record.
     * @param chain          {@code h(index)}, the hash chain value at that record (32 bytes).
     * @param image          {@link SnapshotCodec#encode} of the state.
     * @return the file written.
     */
    public Path write(final long index, final long chronicleIndex, final byte[] chain, final byte[] image)
    {
        final Path file = dir.resolve(String.format("%s%020d%s", PREFIX, index, SUFFIX));
        final Path temp = dir.resolve("." + file.getFileName() + TEMP_SUFFIX);
        try
        {
            final java.util.function.LongPredicate fault = writeFault;
            if (fault != null && fault.test(index))
            {
                throw new IOException("No space left on device (injected by the simulator)");
            }
            Files.createDirectories(dir);
            Files.deleteIfExists(temp); // a leftover of ours: created afresh below, 0600, never through a link
            try (FileChannel channel = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))))
            {
                final ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(chronicleIndex).putInt(CHAIN_MAGIC).put(chain).flip();
                while (header.hasRemaining())
                {
                    channel.write(header);
                }
                final ByteBuffer body = ByteBuffer.wrap(image);
                while (body.hasRemaining())
                {
                    channel.write(body);
                }
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            final List<Path> all = list();
            for (int i = KEEP; i < all.size(); i++)
            {
                Files.deleteIfExists(all.get(i));
            }
            return file;
        }
        catch (final IOException ex)
        {
            deleteQuietly(temp); // a failed snapshot leaves nothing behind to fill the disk
            throw new UncheckedIOException("cannot write snapshot " + file, ex);
        }
    }

    /**
     * Remove the temporary files a crash or a failed snapshot left in the snapshot directory.
     *
     * @return a description of each file removed, for the log.
     * @throws IOException when the directory cannot be listed or a file cannot be removed.
     */
    public List<String> removeLeftovers() throws IOException
    {
        final List<String> removed = new ArrayList<>();
        if (!Files.isDirectory(dir))
        {
            return removed;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, ".*" + TEMP_SUFFIX))
        {
            for (final Path file : stream)
            {
                final long size = Files.size(file);
                Files.delete(file);
                removed.add(file + " (" + size + " bytes)");
            }
        }
        return removed;
    }

    /**
     * Make sure snapshots can be written: create, sync and remove a probe file (checks what
     * permission bits cannot tell root: a read-only or full file system, an immutable directory).
     *
     * @throws IOException naming why not.
     */
    public void checkWritable() throws IOException
    {
        Files.createDirectories(dir);
        final Path probe = dir.resolve(".write-check" + TEMP_SUFFIX);
        try (FileChannel channel = FileChannel.open(probe, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING))
        {
            channel.write(ByteBuffer.allocate(8));
        }
        Files.delete(probe);
    }

    /**
     * Move snapshots out of the store, so recovery never uses them again (kept as evidence).
     *
     * @param files the snapshot files.
     * @param label names the directory they go to, {@code DIR/snapshots.LABEL-TIME}.
     * @return that directory.
     */
    public Path moveAside(final List<Path> files, final String label) throws IOException
    {
        final Path aside = dir.resolveSibling(DIR + "." + label + "-" + System.currentTimeMillis());
        Files.createDirectories(aside);
        for (final Path file : files)
        {
            Files.move(file, aside.resolve(file.getFileName()), StandardCopyOption.ATOMIC_MOVE);
        }
        return aside;
    }

    /**
     * @param file a snapshot file of this store.
     * @return the journal index in its name, or -1 when the name carries none.
     */
    public static long indexOf(final Path file)
    {
        final String name = file.getFileName().toString();
        try
        {
            return Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
        }
        catch (final RuntimeException ex)
        {
            return -1;
        }
    }

    private static void deleteQuietly(final Path file)
    {
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ignored)
        {
            // removed at the next open
        }
    }

    /** @return snapshot files, newest first. */
    public List<Path> list()
    {
        final List<Path> files = new ArrayList<>();
        if (!Files.isDirectory(dir))
        {
            return files;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX))
        {
            for (final Path file : stream)
            {
                files.add(file);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        files.sort(Comparator.comparing(Path::toString).reversed());
        return files;
    }

    /**
     * Read one snapshot file.
     *
     * @throws SnapshotCodec.DamagedSnapshotException when it cannot be trusted.
     */
    public static Loaded read(final Path file) throws SnapshotCodec.DamagedSnapshotException
    {
        final byte[] bytes;
        try
        {
            bytes = Files.readAllBytes(file);
        }
        catch (final IOException ex)
        {
            throw new SnapshotCodec.DamagedSnapshotException("cannot read " + file + ": " + ex.getMessage());
        }
        if (bytes.length < 8)
        {
            throw new SnapshotCodec.DamagedSnapshotException("snapshot file too short: " + file);
        }
        final ByteBuffer header = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        final long chronicleIndex = header.getLong(0);
        byte[] chain = null;
        int image = 8;
        if (bytes.length >= HEADER_BYTES && header.getInt(8) == CHAIN_MAGIC)
        {
            chain = java.util.Arrays.copyOfRange(bytes, 12, HEADER_BYTES);
            image = HEADER_BYTES;
        }
        final KernelState state = SnapshotCodec.decode(java.util.Arrays.copyOfRange(bytes, image, bytes.length));
        return new Loaded(state, chronicleIndex, file, chain);
    }
}
