package ember.kernel.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Lowers the Linux scheduling priority (nice value) of the calling thread alone. Java thread
 * priorities are ignored on Linux and the JDK cannot set a thread's nice value, so this runs
 * {@code renice} once on the thread's own id ({@code /proc/thread-self}). Best effort: where it
 * is not possible the thread keeps its priority, and {@code log} is told why.
 */
public final class ThreadNice
{
    private ThreadNice()
    {
    }

    /**
     * @param nice the nice value to take (1..19: higher yields more).
     * @param what names the thread in the message given to {@code log} on failure.
     * @param log  told, in one line, when the priority could not be lowered.
     * @return whether the thread now runs at {@code nice}.
     */
    public static boolean lowerCurrentThread(final int nice, final String what, final Consumer<String> log)
    {
        try
        {
            final Path self = Files.readSymbolicLink(Path.of("/proc/thread-self")); // PID/task/TID
            final String tid = self.getFileName().toString();
            final Process renice = new ProcessBuilder("renice", "-n", Integer.toString(nice), "-p", tid)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (renice.waitFor(10, TimeUnit.SECONDS) && renice.exitValue() == 0)
            {
                return true;
            }
            renice.destroyForcibly();
            log.accept(what + " keeps the normal priority: renice failed");
        }
        catch (final IOException | RuntimeException ex)
        {
            log.accept(what + " keeps the normal priority: " + SnapshotTaker.describe(ex));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        return false;
    }
}
