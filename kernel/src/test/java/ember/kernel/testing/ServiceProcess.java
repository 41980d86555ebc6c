package ember.kernel.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** {@code bin/ember serve} as a real separate process, for IPC tests. */
public final class ServiceProcess implements AutoCloseable
{
    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final Thread reader;

    private ServiceProcess(final Process process)
    {
        this.process = process;
        reader = new Thread(() ->
        {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = in.readLine()) != null)
                {
                    output.add(line);
                }
            }
            catch (final IOException ignored)
            {
                // process gone
            }
        }, "serve-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Start {@code bin/ember serve --dir DIR --idle backoff} and wait until it is ready. */
    public static ServiceProcess start(final Path dir)
    {
        try
        {
            final ServiceProcess service = new ServiceProcess(
                EmberProcess.ember("serve", "--dir", dir.toString(), "--idle", "backoff")
                    .redirectErrorStream(true).start());
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (service.output.stream().noneMatch(l -> l.contains("recovered")))
            {
                if (!service.process.isAlive() || System.nanoTime() > deadline)
                {
                    throw new IllegalStateException("ember serve did not start: " + service.output);
                }
                Thread.sleep(20);
            }
            return service;
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

    /** @return what the service printed so far. */
    public List<String> output()
    {
        return output;
    }

    public Process process()
    {
        return process;
    }

    /** SIGKILL: a crash. */
    public void kill9() throws InterruptedException
    {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM: a clean shutdown. @return the exit code. */
    public int stop() throws InterruptedException
    {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new IllegalStateException("ember serve did not stop on SIGTERM");
        }
        reader.join(10_000); // everything it printed is in output()
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException
    {
        if (process.isAlive())
        {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
