package ember.sim;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs of its own for one seed's kernel directory, which a filler file can make full (so
 * that the kernel meets a full disk at its next append) and then free again. Mounting needs root:
 * {@link #mount} says so by returning null, and the seed runs on the shared scratch directory
 * without disk-full faults.
 * <p>
 * Not thread-safe: the simulator thread.
 */
final class SimDisk implements AutoCloseable
{
    /** Room for a seed's journal blocks, snapshots and counters (its corrupted copies go elsewhere). */
    static final String SIZE = "32m";

    private final Path mountPoint;
    private final Path filler;

    private SimDisk(final Path mountPoint)
    {
        this.mountPoint = mountPoint;
        this.filler = mountPoint.resolve("filler");
    }

    /** @return a new tmpfs mounted at {@code mountPoint} (created), or null when it cannot be mounted (not root). */
    static SimDisk mount(final Path mountPoint)
    {
        try
        {
            Files.createDirectories(mountPoint);
            if (run("mount", "-t", "tmpfs", "-o", "size=" + SIZE, "tmpfs", mountPoint.toString()))
            {
                return new SimDisk(mountPoint);
            }
            Files.deleteIfExists(mountPoint);
        }
        catch (final IOException ex)
        {
            // no tmpfs of our own: the caller runs without disk-full faults
        }
        return null;
    }

    /** @return where the kernel directory goes (inside the tmpfs). */
    Path dir()
    {
        return mountPoint.resolve("kernel");
    }

    /**
     * Fill the tmpfs with a filler file until {@code leaveFree} bytes or fewer are free (tmpfs backs
     * each written page: the space is really gone).
     */
    void fill(final long leaveFree) throws IOException
    {
        final ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
        try (FileChannel channel = FileChannel.open(filler, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.APPEND))
        {
            long free;
            while ((free = Files.getFileStore(mountPoint).getUsableSpace()) > leaveFree)
            {
                chunk.clear().limit((int)Math.min(chunk.capacity(), free - leaveFree));
                try
                {
                    channel.write(chunk);
                }
                catch (final IOException ex)
                {
                    return; // nothing left at all: full enough
                }
            }
        }
    }

    /** Give the filler's space back. */
    void release() throws IOException
    {
        Files.deleteIfExists(filler);
    }

    /** Unmount (lazily: Chronicle may unmap its files later) and remove the mount point. Best effort. */
    @Override
    public void close()
    {
        run("umount", "-l", mountPoint.toString());
        try
        {
            Files.deleteIfExists(mountPoint);
        }
        catch (final IOException ignored)
        {
            // best effort: an empty directory left in the scratch directory
        }
    }

    private static boolean run(final String... command)
    {
        try
        {
            final Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        }
        catch (final IOException ex)
        {
            return false;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
