package ember.kernel.shell;

import ember.kernel.testing.EmberProcess;
import ember.kernel.testing.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Black-box support for the shell tests: every check pipes a script through the real
 * {@code bin/ember shell --dir DIR} (a separate JVM per run) and compares its exact output.
 * <p>
 * Scripts are written as transcripts: a line starting with {@code >} is a command sent to the
 * shell (the text after {@code "> "}; a lone {@code >} sends a blank line), every other line is
 * the output expected at that point. All expected lines are compared, in order, with all of
 * stdout, and the exit code must be 1 when an expected line is an {@code error: …}, else 0.
 * Each test gets its own kernel directory, deleted afterwards.
 */
abstract class ShellTestSupport
{
    protected Path dir;

    @BeforeEach
    void createKernelDir()
    {
        dir = TempDirs.create("ember-shell-test");
    }

    @AfterEach
    void deleteKernelDir()
    {
        TempDirs.delete(dir);
    }

    /** One shell run over {@link #dir}: the commands of {@code transcript}, asserting its expected lines. */
    protected EmberProcess.Output transcript(final String transcript)
    {
        final StringBuilder script = new StringBuilder();
        final List<String> expected = new ArrayList<>();
        for (final String line : transcript.split("\n", -1))
        {
            if (line.equals(">"))
            {
                script.append('\n');
            }
            else if (line.startsWith("> "))
            {
                script.append(line, 2, line.length()).append('\n');
            }
            else if (!line.isEmpty())
            {
                expected.add(line);
            }
        }
        final EmberProcess.Output out = EmberProcess.shell(dir, script.toString());
        final String message = "script:\n" + script + "\nstderr:\n" + out.stderr() + "\nkernel.log:\n" + kernelLog(dir);
        assertEquals(String.join("\n", expected), String.join("\n", out.lines()), message);
        // The shell exits 1 when any command printed `error: ...`, else 0.
        final boolean anyError = expected.stream().anyMatch(line -> line.startsWith("error: "));
        assertEquals(anyError ? 1 : 0, out.exitCode(), "exit code; " + message);
        return out;
    }

    /** @return the hour of day (UTC, fractional, as {@code alarm} reads it) at epoch {@code millis}. */
    protected static String hourAt(final long epochMillis)
    {
        final long ms = Math.floorMod(epochMillis, 86_400_000L);
        return new java.math.BigDecimal(ms).divide(java.math.BigDecimal.valueOf(3_600_000L), 9,
            java.math.RoundingMode.HALF_UP).toPlainString();
    }

    /** @return the text of DIR/kernel.log, for failure messages. */
    static String kernelLog(final Path dir)
    {
        try
        {
            final Path log = dir.resolve("kernel.log");
            return java.nio.file.Files.exists(log) ? java.nio.file.Files.readString(log) : "(none)";
        }
        catch (final java.io.IOException ex)
        {
            return "(unreadable: " + ex + ")";
        }
    }

    protected static void pause(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
