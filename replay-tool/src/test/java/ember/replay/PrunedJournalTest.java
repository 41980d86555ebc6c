package ember.replay;

import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.Syscalls;
import ember.kernel.core.JournalPruner;
import ember.kernel.core.Kernel;
import ember.kernel.core.KernelConfig;
import ember.kernel.core.SnapshotStore;
import ember.replay.engine.JournalDir;
import ember.replay.testing.Jsons;
import ember.replay.testing.TempDirs;
import ember.replay.testing.Tool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A journal written by the real kernel over several roll cycles, with the real close snapshot,
 * then pruned by {@link JournalPruner}: every command reads what remains, starting from the
 * snapshot, says on stderr which records were pruned, and prints exactly what it prints for the
 * same records of the unpruned journal. Also: {@code state --at} from a snapshot equals a replay
 * from record 1, and directories without a readable journal fail in one line.
 */
class PrunedJournalTest
{
    static Path pruned;
    static Path whole;
    static long first;
    static long snapshotAt;
    static long last;
    static long lateChild;

    @BeforeAll
    static void write() throws Exception
    {
        pruned = TempDirs.create("replay-pruned");
        final KernelConfig config = KernelConfig.of(pruned).withBlockSize(1 << 20).withRollCycle("test-secondly")
            .withSnapshots(0, 0, true).withCheckpoints(ember.replay.testing.Scenario.TEST_CHECKPOINTS);
        try (Kernel kernel = Kernel.open(config); EmbeddedClient client = new EmbeddedClient(kernel))
        {
            final Syscalls init = client.as(1);
            final long worker = init.spawn("worker");
            init.sendEvent(worker, "job", Map.of("n", 1L));
            Thread.sleep(1_100); // the next cycle, the next file
            client.as(worker).queueEvent("self", Map.of("k", "v"));
            init.queueEvent("early", Map.of());
        } // closing writes the snapshot
        Thread.sleep(1_100);
        try (Kernel kernel = Kernel.open(config.withSnapshots(0, 0, false)); EmbeddedClient client = new EmbeddedClient(kernel))
        {
            final Syscalls init = client.as(1);
            lateChild = init.spawn("late");
            init.sendEvent(lateChild, "hello", Map.of("from", "init"));
            init.kill(2, 15);
            last = Long.parseLong(kernel.digest().substring(0, kernel.digest().indexOf(':'))) + 2; // + its close: the detach, the closing checkpoint
        }
        whole = TempDirs.copy(pruned, "replay-unpruned");
        final JournalPruner.Result result = JournalPruner.prune(pruned, null);
        assertFalse(result.moved().isEmpty(), "files were pruned");
        snapshotAt = result.snapshotIndex();
        first = JournalDir.of(pruned).firstIndex();
        assertTrue(first > 1 && first <= snapshotAt + 1 && snapshotAt < last, first + " " + snapshotAt + " " + last);
    }

    @AfterAll
    static void delete()
    {
        TempDirs.delete(pruned);
        TempDirs.delete(whole);
    }

    private static Tool.Run run(final Path dir, final String... args)
    {
        final String[] full = new String[args.length + 2];
        System.arraycopy(args, 0, full, 0, args.length);
        full[args.length] = "--dir";
        full[args.length + 1] = dir.toString();
        return Tool.run(full);
    }

    private static String prunedLine()
    {
        return "replay-tool: records 1.." + (first - 1) + " were pruned; starting from snapshot at " + snapshotAt +
            (snapshotAt > first - 1 ? " (records " + first + ".." + snapshotAt + " are kept but precede it)" : "") + "\n";
    }

    @Test
    void logStartsAfterTheSnapshotAndPrintsWhatTheWholeJournalPrints()
    {
        final Tool.Run log = run(pruned, "log", "--format", "json");
        assertEquals(0, log.exitCode(), log::toString);
        assertEquals(prunedLine(), log.err());
        assertEquals(LongStream.rangeClosed(snapshotAt + 1, last).boxed().toList(),
            Jsons.lines(log).stream().map(e -> e.get("index")).toList());
        final Tool.Run wholeLog = run(whole, "log", "--format", "json", "--from", Long.toString(snapshotAt + 1));
        assertEquals(wholeLog.out(), log.out());
    }

    @Test
    void stateDiffAndTraceEqualTheWholeJournals()
    {
        for (final String[] args : List.of(new String[] {"state"}, new String[] {"state", "--at", Long.toString(last - 1)},
            new String[] {"diff", Long.toString(snapshotAt), Long.toString(last)},
            new String[] {"trace", Long.toString(lateChild), "--format", "json"}))
        {
            final Tool.Run p = run(pruned, args);
            final Tool.Run w = run(whole, args);
            assertEquals(0, p.exitCode(), p::toString);
            assertEquals(0, w.exitCode(), w::toString);
            assertEquals(w.out(), p.out(), String.join(" ", args));
        }
    }

    @Test
    void aRecordInThePrunedPartIsAOneLineError()
    {
        for (final String[] args : List.of(new String[] {"state", "--at", Long.toString(snapshotAt - 1)},
            new String[] {"diff", "1", Long.toString(last)}, new String[] {"log", "--from", "2"}))
        {
            final Tool.Run run = run(pruned, args);
            assertEquals(1, run.exitCode(), run::toString);
            assertEquals("", run.out(), run::toString);
            assertTrue(run.err().startsWith("replay-tool: record ") && run.err().contains(" is in the pruned part of the " +
                "journal: records 1.." + (first - 1) + " were pruned"), run::toString);
            assertEquals(1, run.err().lines().count(), run::toString);
        }
    }

    @Test
    void verifyChecksWhatRemainsAndPasses()
    {
        final Tool.Run verify = run(pruned, "verify");
        assertEquals(0, verify.exitCode(), verify::toString);
        assertTrue(verify.out().contains("checked  pruned: " + prunedLine().substring("replay-tool: ".length()).trim()),
            verify::toString);
        assertTrue(verify.out().contains("checked  integrity: " + (last - first + 1) + " records, checksums and index " +
            "sequence " + first + ".." + last + " intact"), verify::toString);
        assertTrue(verify.out().contains("digest   "), verify::toString);
        assertTrue(verify.out().endsWith("OK\n"), verify::toString);
    }

    @Test
    void reportAndTimelineSayWhatWasPruned() throws Exception
    {
        final Tool.Run report = run(pruned, "report");
        assertEquals(0, report.exitCode(), report::toString);
        assertEquals(prunedLine(), report.err());
        assertTrue(report.out().contains("pruned       records 1.." + (first - 1) + " (starting from snapshot at " +
            snapshotAt + ")"), report::toString);
        assertTrue(report.out().contains("records      " + (last - snapshotAt) + " (index " + (snapshotAt + 1) + " .. " +
            last + ")"), report::toString);

        final Path html = pruned.resolve("timeline.html");
        final Tool.Run timeline = run(pruned, "timeline", "--html", html.toString());
        assertEquals(0, timeline.exitCode(), timeline::toString);
        assertEquals(prunedLine(), timeline.err());
        assertTrue(timeline.out().contains("records " + (snapshotAt + 1) + ".." + last), timeline::toString);
        assertTrue(Files.size(html) > 0);
    }

    @Test
    void stateAtFromASnapshotEqualsAReplayFromRecordOne()
    {
        final Path noSnapshots = TempDirs.copy(whole, "replay-nosnap");
        try
        {
            TempDirs.delete(noSnapshots.resolve(SnapshotStore.DIR));
            for (final long at : new long[] {snapshotAt, snapshotAt + 1, last})
            {
                final Tool.Run fromSnapshot = run(whole, "state", "--at", Long.toString(at), "--format", "json");
                final Tool.Run fromStart = run(noSnapshots, "state", "--at", Long.toString(at), "--format", "json");
                assertEquals(0, fromSnapshot.exitCode(), fromSnapshot::toString);
                assertEquals("", fromSnapshot.err(), "nothing pruned, nothing said");
                assertEquals(fromStart.out(), fromSnapshot.out(), "state --at " + at);
            }
        }
        finally
        {
            TempDirs.delete(noSnapshots);
        }
    }

    @Test
    void aJournalDirectoryWithoutQueueFilesIsNoJournal() throws Exception
    {
        final Path dir = TempDirs.create("replay-nojournal");
        try
        {
            Files.createDirectories(dir.resolve("journal"));
            for (final String command : List.of("verify", "log", "state", "report"))
            {
                final Tool.Run run = run(dir, command);
                assertEquals(1, run.exitCode(), run::toString);
                assertEquals("replay-tool: no journal in " + dir + " (" + dir.resolve("journal") +
                    " holds no Chronicle queue files)\n", run.err());
                assertFalse(run.out().contains("OK"), run::toString);
            }
        }
        finally
        {
            TempDirs.delete(dir);
        }
    }

    @Test
    void aGarbageQueueFileIsOneLine() throws Exception
    {
        final Path dir = TempDirs.create("replay-garbage");
        try
        {
            Files.createDirectories(dir.resolve("journal"));
            final byte[] garbage = new byte[65_536];
            new java.util.Random(7).nextBytes(garbage);
            Files.write(dir.resolve("journal").resolve("20261201F.cq4"), garbage);
            for (final String command : List.of("verify", "log", "state"))
            {
                final Tool.Run run = run(dir, command);
                assertEquals(1, run.exitCode(), run::toString);
                assertTrue(run.err().startsWith("replay-tool: journal damaged: a journal file is not a readable " +
                    "Chronicle queue file ("), run::toString);
                assertEquals(1, run.err().lines().count(), run::toString);
            }
        }
        finally
        {
            TempDirs.delete(dir);
        }
    }
}
