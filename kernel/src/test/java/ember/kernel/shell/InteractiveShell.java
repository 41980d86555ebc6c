package ember.kernel.shell;

import ember.kernel.testing.EmberProcess;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Drives {@code bin/ember shell --dir DIR} through a pipe one command at a time, reading each
 * result before writing the next command (SPEC §7: every line is flushed as soon as it is
 * printed). Used where a test needs the time a result arrived, or to act only after the shell
 * is up.
 */
final class InteractiveShell implements AutoCloseable
{
    /** One line of output and when (System.nanoTime / epoch ms) the test read it. */
    record Line(String text, long nanos, long epochMillis)
    {
    }

    private static final Line EOF = new Line(null, 0, 0);
    private static final long WAIT_SECONDS = 60;

    private final Path dir;
    private final Process process;
    private final OutputStream stdin;
    private final Path stderr;
    private final BlockingQueue<Line> lines = new LinkedBlockingQueue<>();
    private final StringBuilder transcript = new StringBuilder();

    InteractiveShell(final Path dir)
    {
        this.dir = dir;
        try
        {
            stderr = Files.createTempFile("ember-shell", ".err");
            process = EmberProcess.ember("shell", "--dir", dir.toString()).redirectError(stderr.toFile()).start();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        stdin = process.getOutputStream();
        final Thread reader = new Thread(this::readLines, "ember-shell-reader");
        reader.setDaemon(true);
        reader.start();
    }

    private void readLines()
    {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = out.readLine()) != null)
            {
                lines.add(new Line(line, System.nanoTime(), System.currentTimeMillis()));
            }
        }
        catch (final IOException ignored)
        {
            // the process went away; EOF below
        }
        lines.add(EOF);
    }

    /** Write one command line (without waiting for output). */
    void write(final String command)
    {
        transcript.append("> ").append(command).append('\n');
        try
        {
            stdin.write((command + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** @return the next output line, failing the test if none arrives within a minute. */
    Line next()
    {
        final Line line;
        try
        {
            line = lines.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
        if (line == null || line == EOF)
        {
            fail((line == null ? "no output within " + WAIT_SECONDS + " s" : "shell ended") +
                "; transcript so far:\n" + transcript());
        }
        transcript.append(line.text()).append('\n');
        return line;
    }

    /** Write {@code command} and return its (single-line) result. */
    Line send(final String command)
    {
        write(command);
        return next();
    }

    /** @return the commands and output so far, the shell's stderr and DIR/kernel.log, for failure messages. */
    String transcript()
    {
        return transcript + "stderr:\n" + stderrText() + "\nkernel.log:\n" + ShellTestSupport.kernelLog(dir);
    }

    private String stderrText()
    {
        try
        {
            return Files.readString(stderr);
        }
        catch (final IOException ex)
        {
            return "(unreadable: " + ex + ")";
        }
    }

    /** Close stdin and wait for the shell to finish. */
    @Override
    public void close()
    {
        try
        {
            stdin.close();
            if (!process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
            }
            Files.deleteIfExists(stderr);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
