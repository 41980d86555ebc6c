package ember.kernel.shell;

import ember.kernel.testing.EmberProcess;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code bin/ember shell} on a real pseudo-terminal: util-linux {@code script} runs it with a pty
 * as its stdin and stdout (80x24 would do; {@code stty} sets a size because a pty made by
 * {@code script} under a pipe has none), keys are written to the pty as a user types them, and
 * everything the shell draws is read back. {@link #await} compares the drawn text with ANSI
 * escapes and carriage returns removed, from where the previous {@code await} stopped.
 * <p>
 * {@code HOME} is the test's own directory (history goes to {@code HOME/.ember_history}), TERM is
 * {@code xterm}.
 */
final class PtyShell implements AutoCloseable
{
    private static final long WAIT_SECONDS = 60;
    private static final Pattern ESCAPES = Pattern.compile("\u001B\\[[0-9;?]*[ -/]*[@-~]|\u001B[=>]|\u001B[()][A-Za-z0-9]|[\r\u0007]");

    private final Process process;
    private final OutputStream keys;
    private final ByteArrayOutputStream drawn = new ByteArrayOutputStream();
    private int cursor;
    private boolean ended;

    /** @return true when util-linux {@code script} is installed. */
    static boolean available()
    {
        return Files.isExecutable(Path.of("/usr/bin/script"));
    }

    PtyShell(final Path home, final String... shellArgs)
    {
        final StringBuilder command = new StringBuilder("stty cols 200 rows 50; exec ")
            .append(EmberProcess.repoRoot().resolve("bin/ember")).append(" shell");
        for (final String arg : shellArgs)
        {
            command.append(' ').append(arg);
        }
        final ProcessBuilder builder = new ProcessBuilder("/usr/bin/script", "-qefc", command.toString(), "/dev/null")
            .redirectErrorStream(true);
        builder.environment().put("EMBER_CLASSPATH", System.getProperty("java.class.path"));
        builder.environment().put("HOME", home.toString());
        builder.environment().put("TERM", "xterm");
        try
        {
            process = builder.start();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        keys = process.getOutputStream();
        final Thread reader = new Thread(this::readDrawn, "pty-shell-reader");
        reader.setDaemon(true);
        reader.start();
    }

    private void readDrawn()
    {
        final byte[] buffer = new byte[4096];
        try (InputStream in = process.getInputStream())
        {
            int n;
            while ((n = in.read(buffer)) > 0)
            {
                synchronized (drawn)
                {
                    drawn.write(buffer, 0, n);
                    drawn.notifyAll();
                }
            }
        }
        catch (final IOException ignored)
        {
            // the process went away
        }
        synchronized (drawn)
        {
            ended = true;
            drawn.notifyAll();
        }
    }

    /** @return everything drawn so far, escapes and carriage returns removed. */
    String text()
    {
        synchronized (drawn)
        {
            return ESCAPES.matcher(drawn.toString(StandardCharsets.UTF_8)).replaceAll("");
        }
    }

    /** Wait until {@code expected} is drawn after what the previous call matched; fail after a minute. */
    void await(final String expected)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        synchronized (drawn)
        {
            while (true)
            {
                final String text = text();
                final int at = text.indexOf(expected, cursor);
                if (at >= 0)
                {
                    cursor = at + expected.length();
                    return;
                }
                final long left = deadline - System.nanoTime();
                if (left <= 0 || ended)
                {
                    fail("not drawn: " + show(expected) + "\nafter: " + show(text.substring(Math.min(cursor, text.length()))));
                }
                try
                {
                    drawn.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 200)));
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(ex);
                }
            }
        }
    }

    /** Type {@code keys} (Enter is {@code \r}, the up arrow {@code \033[A}). */
    void type(final String typed)
    {
        try
        {
            keys.write(typed.getBytes(StandardCharsets.UTF_8));
            keys.flush();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** Wait for the shell to end, failing after a minute. @return its exit code. */
    int exitCode()
    {
        try
        {
            if (!process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS))
            {
                fail("the shell did not end; drawn:\n" + show(text()));
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
        return process.exitValue();
    }

    private static String show(final String text)
    {
        return text.replace("\u001B", "\\e");
    }

    @Override
    public void close()
    {
        if (process.isAlive())
        {
            process.destroyForcibly();
        }
    }
}
