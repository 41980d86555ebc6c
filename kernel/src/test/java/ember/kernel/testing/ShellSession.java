package ember.kernel.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** An interactive {@code bin/ember shell} process: write a command, read its lines. */
public final class ShellSession implements AutoCloseable
{
    private final Process process;
    private final OutputStream in;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    public ShellSession(final Path dir)
    {
        try
        {
            process = EmberProcess.ember("shell", "--dir", dir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        in = process.getOutputStream();
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = out.readLine()) != null)
                {
                    lines.add(line);
                }
            }
            catch (final IOException ignored)
            {
                // closed
            }
        }, "shell-session-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Send one command line. */
    public ShellSession send(final String command)
    {
        try
        {
            in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
            return this;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** @return the next output line, waiting up to 30 s. */
    public String next()
    {
        try
        {
            final String line = lines.poll(30, TimeUnit.SECONDS);
            if (line == null)
            {
                throw new AssertionError("the shell printed nothing within 30 s");
            }
            return line;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** Send a command and return its one result line. */
    public String call(final String command)
    {
        return send(command).next();
    }

    public Process process()
    {
        return process;
    }

    @Override
    public void close() throws InterruptedException
    {
        try
        {
            in.close();
        }
        catch (final IOException ignored)
        {
            // already gone
        }
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
        }
    }
}
