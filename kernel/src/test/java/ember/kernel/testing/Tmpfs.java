package ember.kernel.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted for one test, so that a full disk is a real full file system (needs root),
 * and the commands such tests run as root (mount, umount, setpriv).
 */
public final class Tmpfs
{
    private static final long COMMAND_TIMEOUT_S = 60;

    private Tmpfs()
    {
    }

    /** Run {@code command} to its end, its output discarded: true when it exits 0 within a minute. */
    public static boolean run(final String... command) throws Exception
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        return process.waitFor(COMMAND_TIMEOUT_S, TimeUnit.SECONDS) && process.exitValue() == 0;
    }

    /**
     * Mount a tmpfs with {@code options} (e.g. {@code size=12m}) on a new temporary directory.
     *
     * @return the mount point, or null when this process cannot mount (not root): nothing is left behind.
     */
    public static Path mount(final String prefix, final String options) throws Exception
    {
        final Path mount = Files.createTempDirectory(prefix);
        if (run("mount", "-t", "tmpfs", "-o", options, "tmpfs", mount.toString()))
        {
            return mount;
        }
        Files.deleteIfExists(mount);
        return null;
    }

    /** Unmount lazily (Chronicle, or a killed JVM, may still map files there a moment) and remove the mount point. */
    public static void unmount(final Path mount)
    {
        try
        {
            run("umount", "-l", mount.toString());
            Files.deleteIfExists(mount);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("cannot unmount " + mount, ex);
        }
    }
}
