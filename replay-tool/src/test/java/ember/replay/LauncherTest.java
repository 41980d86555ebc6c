package ember.replay;

import ember.replay.testing.Scenario;
import ember.replay.testing.Tool;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bin/replay-tool} as a separate process, and {@code --help} on every command. */
class LauncherTest
{
    static final List<String> COMMANDS = List.of("log", "state", "diff", "trace", "verify", "report", "timeline", "debug", "when", "bench");

    static Path repoRoot()
    {
        final String configured = System.getProperty("ember.repo.root");
        Path dir = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("bin/replay-tool")))
        {
            dir = dir.getParent();
        }
        if (dir == null)
        {
            throw new IllegalStateException("cannot find bin/replay-tool above " + configured);
        }
        return dir;
    }

    static Tool.Run launch(final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(repoRoot().resolve("bin/replay-tool").toString());
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("EMBER_CLASSPATH", System.getProperty("java.class.path"));
        final Path err = Files.createTempFile("replay-tool", ".err");
        try
        {
            final Process process = builder.redirectError(err.toFile()).start();
            process.getOutputStream().close();
            final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "bin/replay-tool finished");
            return new Tool.Run(process.exitValue(), out, Files.readString(err));
        }
        finally
        {
            Files.deleteIfExists(err);
        }
    }

    @Test
    void launcherRunsTheToolWithChronicleFlags() throws Exception
    {
        final Tool.Run help = launch("--help");
        assertEquals(0, help.exitCode(), help::toString);
        assertTrue(help.out().contains("Commands:"), help::toString);
        for (final String command : COMMANDS)
        {
            assertTrue(help.out().contains("\n  " + command + " "), command);
        }

        final Scenario scenario = Scenario.write();
        try
        {
            final Tool.Run verify = launch("verify", "--dir", scenario.dir.toString());
            assertEquals(0, verify.exitCode(), verify::toString);
            assertTrue(verify.out().endsWith("OK\n"), verify::toString);
            assertEquals("", verify.err(), "no progress bar and no warnings when stderr is not a terminal");

            final Tool.Run usage = launch("state", "--at", "soon", "--dir", scenario.dir.toString());
            assertEquals(2, usage.exitCode(), usage::toString);
        }
        finally
        {
            scenario.delete();
        }
    }

    @Test
    void everyCommandHasHelp()
    {
        for (final String command : COMMANDS)
        {
            final Tool.Run run = Tool.run(command, "--help");
            assertEquals(0, run.exitCode(), run::toString);
            assertTrue(run.out().contains("Usage: replay-tool " + command), run::toString);
            assertTrue(run.out().contains("--dir"), command + " takes --dir");
        }
        final Tool.Run top = Tool.run();
        assertEquals(0, top.exitCode());
        assertTrue(top.out().startsWith("Usage: replay-tool"), top::toString);
        assertEquals(0, Tool.run("help", "log").exitCode());
    }
}
