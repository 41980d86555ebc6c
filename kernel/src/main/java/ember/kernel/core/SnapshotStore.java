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
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Snapshot files of a kernel directory, {@code DIR/snapshots/snapshot-INDEX.snap}: each is the
 * Chronicle index of the record it was taken after, then a {@link SnapshotCodec} image (which
 * carries the index and digest). Written atomically (temporary file, fsync, rename); the newest
 * {@value #KEEP} are kept.
 */
public final class SnapshotStore
{
    public static final String DIR = "snapshots";
    public static final int KEEP = 3;
    private static final String PREFIX = "snapshot-";
    private static final String SUFFIX = ".snap";

    private final Path dir;

    /** A snapshot read back: the state and where in the Chronicle queue its last record is. */
    public record Loaded(KernelState state, long chronicleIndex, Path file)
    {
    }

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
     * @param image          {@link SnapshotCodec#encode} of the state.
     * @return the file written.
     */
    public Path write(final long index, final long chronicleIndex, final byte[] image)
    {
        try
        {
            Files.createDirectories(dir);
            final Path file = dir.resolve(String.format("%s%020d%s", PREFIX, index, SUFFIX));
            final Path temp = dir.resolve("." + file.getFileName() + ".tmp");
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING))
            {
                final ByteBuffer header = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, chronicleIndex);
                channel.write(header);
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
            throw new UncheckedIOException("cannot write snapshot in " + dir, ex);
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
        final long chronicleIndex = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        final KernelState state = SnapshotCodec.decode(java.util.Arrays.copyOfRange(bytes, 8, bytes.length));
        return new Loaded(state, chronicleIndex, file);
    }
}
