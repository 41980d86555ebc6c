package ember.kernel.core;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;

/**
 * The kernel's side of a {@link SnapshotFollower}: starts it (at nice 19, one GC thread, the JVM
 * flags Chronicle needs), asks it for snapshots and forwards its log lines to the kernel log. A
 * follower that died (crash, out of memory, killed) is reported with its exit code and started
 * again by the next snapshot, which it builds from the newest snapshot and the journal.
 * <p>
 * Threads: {@link #start} and {@link #make} on the snapshot thread; {@link #close} on any thread
 * (it kills the follower, which unblocks {@link #make}).
 */
final class FollowerProcess implements SnapshotMaker
{
    private static final String NICE = "/usr/bin/nice";

    private final Path dir;
    private final KernelLog log;
    private volatile boolean closing;
    private volatile Process process;
    private OutputStream requests;
    private BufferedReader answers;

    FollowerProcess(final Path dir, final KernelLog log)
    {
        this.dir = dir;
        this.log = log;
    }

    /** Start the follower now, so that it has caught up by the first snapshot. Failures are logged; {@link #make} retries. */
    void start()
    {
        try
        {
            ensureRunning();
        }
        catch (final RuntimeException ex)
        {
            log.error("snapshot follower could not start: " + SnapshotTaker.describe(ex), ex);
        }
    }

    @Override
    public Path make(final long index, final long chronicleIndex)
    {
        ensureRunning();
        try
        {
            requests.write(("snapshot " + index + " " + chronicleIndex + "\n").getBytes(StandardCharsets.UTF_8));
            requests.flush();
            String line;
            while ((line = answers.readLine()) != null)
            {
                if (line.startsWith("log "))
                {
                    log.log(line.substring(4));
                    continue;
                }
                return parse(line, index);
            }
        }
        catch (final IOException ex)
        {
            // the follower is gone: said below
        }
        if (closing)
        {
            throw new CancellationException("kernel closing");
        }
        throw new IllegalStateException("snapshot follower exited" + exitCode() + "; it is started again for the next snapshot");
    }

    private Path parse(final String line, final long index)
    {
        final String[] words = line.split(" ", 4);
        if (words.length == 4 && words[0].equals("written"))
        {
            return Path.of(words[3]);
        }
        if (words.length >= 3 && words[0].equals("failed"))
        {
            throw new IllegalStateException(line.substring(words[0].length() + words[1].length() + 2));
        }
        throw new IllegalStateException("snapshot follower answered '" + line + "' to the request for index " + index);
    }

    private String exitCode()
    {
        final Process gone = process;
        try
        {
            if (gone != null && gone.waitFor(5, TimeUnit.SECONDS))
            {
                stopped();
                return " with code " + gone.exitValue();
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        stopped();
        return "";
    }

    private void ensureRunning()
    {
        if (closing)
        {
            throw new CancellationException("kernel closing");
        }
        final Process previous = process;
        if (previous != null && previous.isAlive())
        {
            return;
        }
        if (previous != null)
        {
            log.log("snapshot follower exited" + exitCode() + " between snapshots; starting it again");
        }
        stopped();
        try
        {
            final Process started = new ProcessBuilder(command())
                .redirectError(ProcessBuilder.Redirect.DISCARD) // it reports through its answers
                .start();
            requests = started.getOutputStream();
            answers = new BufferedReader(new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8));
            process = started;
            log.log("snapshot follower started: pid " + started.pid());
            if (closing)
            {
                close();
            }
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot start the snapshot follower: " + SnapshotTaker.describe(ex), ex);
        }
    }

    private void stopped()
    {
        final Process gone = process;
        process = null;
        requests = null;
        answers = null;
        if (gone != null)
        {
            gone.destroyForcibly();
        }
    }

    /** The follower's command line: this JVM's java, class path and module flags. */
    private List<String> command()
    {
        final List<String> command = new ArrayList<>();
        if (Files.isExecutable(Path.of(NICE)))
        {
            command.add(NICE);
            command.add("-n");
            command.add("19");
        }
        command.addAll(JvmCommand.of(
            flag -> flag.startsWith("--add-opens=") || flag.startsWith("--add-exports=") ||
                flag.startsWith("-Dchronicle.") || flag.startsWith("-Xmx"),
            List.of(
                "-Dchronicle.analytics.disable=true",
                "-XX:+UseSerialGC", // one GC thread: the other core stays the core's and the clients'
                "-XX:+ExitOnOutOfMemoryError"),
            SnapshotFollower.class, dir.toAbsolutePath().toString()));
        return command;
    }

    /** Kill the follower (a snapshot in progress is abandoned: atomic writes leave at most a temporary file). */
    @Override
    public void close()
    {
        closing = true;
        final Process running = process;
        if (running != null)
        {
            running.destroyForcibly();
            try
            {
                running.waitFor(10, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
