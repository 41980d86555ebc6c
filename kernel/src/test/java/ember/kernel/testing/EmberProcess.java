package ember.kernel.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code bin/ember} (and other Ember entry points) as real separate processes from tests,
 * against the classes Maven compiled for this test run ({@code EMBER_CLASSPATH}).
 */
public final class EmberProcess
{
    private EmberProcess()
    {
    }

    /** @return the repository root (where {@code bin/} is). */
    public static Path repoRoot()
    {
        final String configured = System.getProperty("ember.repo.root");
        Path dir = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("bin/ember")))
        {
            dir = dir.getParent();
        }
        if (dir == null)
        {
            throw new IllegalStateException("cannot find bin/ember above " + configured);
        }
        return dir;
    }

    /** @return a builder for {@code bin/ember ARGS} using this test run's classes. */
    public static ProcessBuilder ember(final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(repoRoot().resolve("bin/ember").toString());
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("EMBER_CLASSPATH", System.getProperty("java.class.path"));
        return builder;
    }

    /** Result of a finished shell run. */
    public record Output(int exitCode, String stdout, String stderr)
    {
        /** @return stdout split into lines. */
        public List<String> lines()
        {
            return stdout.isEmpty() ? List.of() : List.of(stdout.split("\n"));
        }
    }

    /**
     * Pipe {@code script} through {@code bin/ember shell --dir DIR} and wait for it to finish.
     *
     * @return exit code, stdout and stderr.
     */
    public static Output shell(final Path dir, final String script)
    {
        try
        {
            final Path err = Files.createTempFile("ember-shell", ".err");
            final Process process = ember("shell", "--dir", dir.toString())
                .redirectError(err.toFile())
                .start();
            process.getOutputStream().write(script.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            process.getOutputStream().close();
            final String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!process.waitFor(120, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new IllegalStateException("ember shell did not finish within 120 s; output so far:\n" + out);
            }
            final String stderr = Files.readString(err);
            Files.deleteIfExists(err);
            return new Output(process.exitValue(), out, stderr);
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
