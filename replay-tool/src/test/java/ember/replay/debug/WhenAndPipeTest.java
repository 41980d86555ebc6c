package ember.replay.debug;

import ember.replay.testing.Tool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code replay-tool when} in this JVM, and {@code debug} through the real {@code bin/replay-tool} on a pipe. */
class WhenAndPipeTest
{
    private static DebugStory story;

    @BeforeAll
    static void writeStory()
    {
        story = DebugStory.write();
    }

    @AfterAll
    static void deleteStory()
    {
        story.delete();
    }

    @Test
    void whenPrintsTheFirstIndexOrEveryStart()
    {
        final String dir = story.dir.toString();
        Tool.Run run = Tool.run("when", "--dir", dir, "queued(2) > 100");
        assertEquals(0, run.exitCode(), run::toString);
        assertEquals(story.queuePast100 + "\n", run.out());

        run = Tool.run("when", "--dir", dir, "--all", "exists(2)", "&&", "!stopped(2)");
        assertEquals(0, run.exitCode(), run::toString);
        assertEquals(List.of(Long.toString(story.spawnedWorker), Long.toString(story.continued)), run.lines());

        run = Tool.run("when", "--dir", dir, "exists(1)");
        assertEquals("0\n", run.out(), "holds before the first record");

        run = Tool.run("when", "--dir", dir, "--all", "stopped(3)");
        assertEquals(1, run.exitCode(), run::toString);
        assertEquals("", run.out());
        assertEquals("<no matches>\n", run.err());

        run = Tool.run("when", "--dir", dir, "queued(2) >");
        assertEquals(2, run.exitCode(), run::toString);
        assertEquals("replay-tool: at column 12: expected a value, found the end in 'queued(2) >'\n", run.err());
    }

    @Test
    void debugThroughTheRealLauncherOnAPipe() throws Exception
    {
        Path root = Path.of("").toAbsolutePath();
        while (!Files.isRegularFile(root.resolve("bin/replay-tool")))
        {
            root = root.getParent();
        }
        final ProcessBuilder builder = new ProcessBuilder(root.resolve("bin/replay-tool").toString(), "debug", "--dir",
            story.dir.toString(), "--at", Long.toString(story.denied));
        builder.environment().put("EMBER_CLASSPATH", System.getProperty("java.class.path"));
        final Path err = Files.createTempFile("debug", ".err");
        try
        {
            final Process process = builder.redirectError(err.toFile()).start();
            process.getOutputStream().write(("where\nbreak signal STOP\ncontinue\nback 2\nprint queue 2 0\n" +
                "goto nowhere\nreverse-continue\n").getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().close();
            final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "bin/replay-tool finished");
            final String[] lines = out.split("\n");
            assertEquals(1, process.exitValue(), out + Files.readString(err));
            assertEquals("", Files.readString(err), "nothing on stderr");
            assertTrue(lines[0].startsWith(story.denied + " ") && lines[0].contains("= error: Permission denied"), out);
            assertEquals("breakpoint 1: signal STOP", lines[1]);
            assertEquals("stopped at " + story.stopped + " by breakpoint 1 (signal STOP)", lines[2]);
            assertTrue(lines[3].startsWith(story.stopped + " "), out);
            assertTrue(lines[4].startsWith((story.stopped - 2) + " "), out);
            assertEquals("queue of 2 (worker): 101 events", lines[5]);
            assertEquals("  ... 101 more", lines[6]);
            assertTrue(lines[7].startsWith("error: "), out);
            assertEquals("reached the start: no breakpoint stops before record " + (story.stopped - 2), lines[8]);
            assertEquals("0 start: the empty state, before record 1", lines[9]);
            assertEquals(10, lines.length, out);
        }
        finally
        {
            Files.deleteIfExists(err);
        }
    }

    @Test
    void markerEndsEveryAnswerOnAPipe() throws Exception
    {
        final java.io.StringWriter out = new java.io.StringWriter();
        try (ember.replay.debug.Session session = new ember.replay.debug.Session(
            ember.replay.engine.Origin.earliest(ember.replay.engine.JournalDir.of(story.dir)), java.time.ZoneOffset.UTC, 16))
        {
            final int code = session.run(new java.io.BufferedReader(new java.io.StringReader(
                "goto " + story.stopped + "\n\n# a comment\nprint queue 2 0\nfrob\n")), new java.io.PrintWriter(out), "<end>");
            assertEquals(1, code, out::toString);
        }
        final String[] lines = out.toString().split("\n");
        assertTrue(lines[0].startsWith(story.stopped + " "), out::toString);
        assertEquals("<end>", lines[1]);
        assertEquals("queue of 2 (worker): 101 events", lines[2]);
        assertEquals("  ... 101 more", lines[3]);
        assertEquals("<end>", lines[4]);
        assertTrue(lines[5].startsWith("error: unknown command"), out::toString);
        assertEquals("<end>", lines[6]);
        assertEquals(7, lines.length, out::toString);
    }
}
