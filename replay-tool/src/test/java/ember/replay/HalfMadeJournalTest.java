package ember.replay;

import ember.journal.Journal;
import ember.journal.JournalMetadataException;
import ember.journal.JournalReader;
import ember.kernel.cli.EmberCli;
import ember.kernel.core.JvmCommand;
import ember.kernel.core.Kernel;
import ember.replay.testing.Scenario;
import ember.replay.testing.TempDirs;
import ember.replay.testing.Tool;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A kernel killed (SIGKILL) during its very first open, after Chronicle made the journal's
 * metadata and before the first cycle file: read-only readers say so in one line, at once
 * (Chronicle's own read-only open fails on that metadata in its words, or waits for its lock), and
 * one read-write open of the kernel repairs it. The state is made for real: a separate JVM takes
 * the first step of that open (Chronicle making the metadata file) and is killed with
 * {@code kill -9} right after it (CrashLoopTest meets the same state by chance).
 */
final class HalfMadeJournalTest
{
    private Path dir;

    @BeforeEach
    void killDuringFirstOpen() throws Exception
    {
        dir = TempDirs.create("replay-half-made");
        final Process child = new ProcessBuilder(JvmCommand.of(flag -> flag.startsWith("-D") || flag.startsWith("--add-"),
            List.of(), FirstOpen.class, dir.toString())).redirectErrorStream(true).start();
        try
        {
            final BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.equals(FirstOpen.OPENED))
            {
                System.out.println("first open: " + line);
            }
            assertEquals(FirstOpen.OPENED, line, "the child JVM did not open the queue");
        }
        finally
        {
            child.destroyForcibly(); // SIGKILL: no close, no shutdown hook
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        final Path queue = Journal.queueDir(dir);
        assertTrue(Files.exists(queue.resolve(SingleChronicleQueue.QUEUE_METADATA_FILE)), "Chronicle made its metadata");
        assertTrue(Journal.firstOpenUnfinished(dir), "and no cycle file: the first open never finished");
    }

    @AfterEach
    void delete()
    {
        TempDirs.delete(dir);
    }

    @Test
    void readersSayItInOneLineAndTheKernelRepairsIt()
    {
        final JournalMetadataException refused =
            assertThrows(JournalMetadataException.class, () -> new JournalReader(dir, true).close());
        assertEquals("the journal's metadata is missing or half made (a kernel was killed while creating it); " +
            "open the kernel once to repair it", refused.getMessage());

        final Tool.Run log = Tool.run("log", "--dir", dir.toString());
        assertNotEquals(0, log.exitCode(), log::toString);
        assertEquals("", log.out());
        assertEquals(List.of("replay-tool: " + Journal.queueDir(dir) + ": " + JournalMetadataException.MESSAGE),
            log.err().lines().toList());

        final String[] status = emberStatus();
        assertEquals("1", status[0]);
        assertEquals("ember status: cannot read the journal of " + dir + ": " + JournalMetadataException.MESSAGE + "\n", status[1]);

        try (Kernel kernel = Kernel.open(Scenario.config(dir)))
        {
            assertTrue(kernel.digest().startsWith("1:"), "a new kernel: its kernelOpen is record 1");
        }
        try (JournalReader reader = new JournalReader(dir, true))
        {
            assertEquals(0, reader.lastIndex(), "positioned before the first record");
        }
        final Tool.Run verify = Tool.run("verify", "--dir", dir.toString());
        assertEquals(0, verify.exitCode(), verify::toString);
    }

    @Test
    void chronicleAloneCannotOpenItReadOnly()
    {
        // What the one line replaces: without the check, Chronicle's read-only open of this state fails.
        assertThrows(IllegalStateException.class, () ->
        {
            try (ChronicleQueue queue = Journal.openQueue(dir, true, Journal.DEFAULT_BLOCK_SIZE))
            {
                queue.createTailer().readingDocument().close();
            }
        });
    }

    /** @return {@code ember status}'s exit code and stderr. */
    private String[] emberStatus()
    {
        final PrintStream err = System.err;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try
        {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            final int code = new CommandLine(new EmberCli()).execute("status", "--dir", dir.toString());
            return new String[] {Integer.toString(code), captured.toString(StandardCharsets.UTF_8)};
        }
        finally
        {
            System.setErr(err);
        }
    }

    /**
     * The child JVM: takes the first step of a kernel's first open of its journal, Chronicle's
     * builder making the queue's metadata file ({@code initializeMetadata}, the step before the
     * queue records its cycle listing in it), then waits to be killed there.
     */
    public static final class FirstOpen
    {
        static final String OPENED = "OPENED";

        public static void main(final String[] args) throws Exception
        {
            final SingleChronicleQueueBuilder builder = SingleChronicleQueueBuilder.binary(Journal.queueDir(Path.of(args[0])))
                .rollCycle(RollCycles.FAST_DAILY).blockSize(Journal.DEFAULT_BLOCK_SIZE);
            final java.lang.reflect.Method makeMetadata = SingleChronicleQueueBuilder.class.getDeclaredMethod("initializeMetadata");
            makeMetadata.setAccessible(true);
            makeMetadata.invoke(builder);
            System.out.println(OPENED); // the metadata stays open: the kill, not a close, ends it
            System.out.flush();
            Thread.sleep(TimeUnit.MINUTES.toMillis(5));
        }
    }
}
