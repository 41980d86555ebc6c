package ember.kernel.shell;

import ember.kernel.cli.ShellCommandTable;
import ember.kernel.testing.EmberProcess;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shell on pipes (SPEC §7): byte for byte the output of the shell before it had a terminal
 * mode (a committed transcript), exit codes, {@code help}/{@code quit} on a pipe, the warning for
 * a directory that did not exist, {@code --new} and {@code --existing}.
 */
final class PipeContractShellTest extends ShellTestSupport
{
    /** Exit code, stdout, stderr of {@code bin/ember shell ARGS} fed {@code script}. */
    private static EmberProcess.Output run(final String script, final String... args)
    {
        final List<String> command = new ArrayList<>(List.of("shell"));
        command.addAll(List.of(args));
        try
        {
            final Path err = Files.createTempFile("ember-shell", ".err");
            final Process process = EmberProcess.ember(command.toArray(new String[0])).redirectError(err.toFile()).start();
            process.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().close();
            final String out;
            try (InputStream in = process.getInputStream())
            {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the shell did not end");
            final String stderr = Files.readString(err);
            Files.delete(err);
            return new EmberProcess.Output(process.exitValue(), out, stderr);
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

    private static String resource(final String name) throws IOException
    {
        try (InputStream in = PipeContractShellTest.class.getResourceAsStream("/shell/" + name))
        {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aTranscriptPrintsByteForByteWhatTheShellAlwaysPrinted() throws IOException
    {
        // pipe-transcript.expected was written by the shell before the terminal mode existed.
        final EmberProcess.Output out = run(resource("pipe-transcript.txt"), "--dir", dir.toString());
        assertEquals(resource("pipe-transcript.expected"), out.stdout(), out.stderr());
        assertEquals(1, out.exitCode(), "the transcript has failing commands; " + out.stderr());
        assertFalse(out.stderr().contains("ember shell:"), "no banner nor warning on a pipe: " + out.stderr());
    }

    @Test
    void exitCodeIsZeroOnlyWhenEveryCommandSucceeded()
    {
        final EmberProcess.Output ok = run("getpid\nspawn w\n# a comment\n\nps\n", "--dir", dir.toString());
        assertEquals(List.of("1", "2", "PID PPID USER STATE QUEUED NAME", "1 0 root running 0 init", "2 1 root running 0 w"),
            ok.lines());
        assertEquals(0, ok.exitCode(), ok.stderr());

        final EmberProcess.Output failed = run("getpid\nkill 99 9\ngetpid\n", "--dir", dir.toString());
        assertEquals(List.of("1", "error: No such process", "1"), failed.lines(), "results go on after an error");
        assertEquals(1, failed.exitCode(), failed.stderr());
    }

    @Test
    void helpAndQuitWorkOnAPipeToo()
    {
        final EmberProcess.Output out = run("getpid\nhelp\nhelp kill\nquit\ngetpid\n", "--dir", dir.toString());
        final List<String> expected = new ArrayList<>(List.of("1"));
        expected.addAll(ShellCommandTable.helpLines());
        expected.addAll(List.of("usage: kill PID SIG", "  send signal SIG to process PID; prints ok"));
        assertEquals(expected, out.lines(), "nothing runs after quit");
        assertEquals(0, out.exitCode(), out.stderr());
        for (final String name : ShellCommandTable.names())
        {
            assertTrue(out.lines().stream().anyMatch(line -> line.startsWith(name + " ") ), "help lists " + name);
        }

        final EmberProcess.Output exitShell = run("exit-shell\ngetpid\n", "--dir", dir.toString());
        assertEquals(List.of(), exitShell.lines());
        assertEquals(0, exitShell.exitCode(), exitShell.stderr());

        final EmberProcess.Output unknown = run("help nope\n", "--dir", dir.toString());
        assertEquals(List.of("error: unknown command 'nope'"), unknown.lines());
        assertEquals(1, unknown.exitCode());
    }

    @Test
    void aDirectoryThatDidNotExistIsWarnedAboutOnStderrOnly()
    {
        final Path typo = dir.resolve("typo");
        final EmberProcess.Output out = run("getpid\n", "--dir", typo.toString());
        assertEquals("1\n", out.stdout());
        assertEquals(List.of("ember shell: " + typo + " did not exist: created a new kernel"), out.stderr().lines().toList());
        assertEquals(0, out.exitCode());

        final EmberProcess.Output again = run("getpid\n", "--dir", typo.toString());
        assertEquals("1\n", again.stdout());
        assertFalse(again.stderr().contains("did not exist"), again.stderr());
    }

    @Test
    void existingRefusesWithoutAKernelAndNewRefusesWithOne()
    {
        final Path fresh = dir.resolve("fresh");
        final EmberProcess.Output refused = run("getpid\n", "--dir", fresh.toString(), "--existing");
        assertEquals(2, refused.exitCode());
        assertEquals("", refused.stdout());
        assertEquals(List.of("ember shell: no kernel in " + fresh + " (--existing)"), refused.stderr().lines().toList());
        assertFalse(Files.exists(fresh), "--existing creates nothing");

        final EmberProcess.Output created = run("spawn w\n", "--dir", fresh.toString(), "--new");
        assertEquals("2\n", created.stdout());
        assertEquals("", created.stderr().strip(), "--new expects the directory to be new: no warning");
        assertEquals(0, created.exitCode());

        final EmberProcess.Output again = run("spawn w\n", "--dir", fresh.toString(), "--new");
        assertEquals(2, again.exitCode());
        assertEquals("", again.stdout());
        assertEquals(List.of("ember shell: " + fresh + " already holds a kernel (--new)"), again.stderr().lines().toList());

        final EmberProcess.Output existing = run("spawn w\n", "--dir", fresh.toString(), "--existing");
        assertEquals("3\n", existing.stdout(), "the kernel --new refused to touch is the one --existing opens");
        assertEquals(0, existing.exitCode());

        final EmberProcess.Output both = run("", "--dir", fresh.toString(), "--new", "--existing");
        assertEquals(2, both.exitCode());
        assertEquals(1, both.stderr().lines().count(), both.stderr());
    }
}
