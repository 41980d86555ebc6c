package ember.kernel.core;

import ember.journal.CorruptRecordException;
import ember.journal.Journal;
import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.Syscalls;
import ember.kernel.state.JournalReplay;
import ember.kernel.testing.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Journal files roll on a cycle; files wholly before the newest snapshot can be archived. */
class JournalPruneTest
{
    private final Path dir = TempDirs.create("ember-prune");
    private final Path archive = TempDirs.create("ember-prune-archive");

    @AfterEach
    void cleanup()
    {
        TempDirs.delete(dir);
        TempDirs.delete(archive);
    }

    private long journalFiles() throws Exception
    {
        try (var files = Files.list(Journal.queueDir(dir)))
        {
            return files.filter(p -> p.toString().endsWith(".cq4")).count();
        }
    }

    @Test
    void filesBeforeTheNewestSnapshotAreArchivedAndRecoveryStillWorks() throws Exception
    {
        final KernelConfig config = KernelConfig.of(dir).withBlockSize(1 << 20).withRollCycle("test-secondly")
            .withSnapshots(0, 0, true);
        try (Kernel kernel = Kernel.open(config); EmbeddedClient client = new EmbeddedClient(kernel))
        {
            final Syscalls init = client.as(1);
            for (int batch = 0; batch < 3; batch++)
            {
                for (int i = 0; i < 10; i++)
                {
                    init.queueEvent("e", Map.of("batch", (long)batch));
                }
                Thread.sleep(1_100); // next cycle, next file
            }
        }
        assertTrue(journalFiles() >= 3, "one file per cycle");
        final Path lock = dir.resolve(Kernel.LOCK_FILE);

        try (Kernel running = Kernel.open(config))
        {
            assertThrows(KernelOpenException.class, () -> JournalPruner.prune(dir, archive), "not while running");
        }
        // The close above wrote a newer snapshot, in the newest cycle.
        final JournalPruner.Result result = JournalPruner.prune(dir, archive);
        assertTrue(result.moved().size() >= 3, "the files before the snapshot's cycle: " + result.moved());
        try (var archived = Files.list(archive))
        {
            assertEquals(result.moved().size(), archived.count());
        }
        assertTrue(Files.exists(lock));

        try (Kernel kernel = Kernel.open(config); EmbeddedClient client = new EmbeddedClient(kernel))
        {
            assertEquals(30, client.as(1).getpinfo(1).queued(), "recovered from the snapshot and the kept files");
        }
        final CorruptRecordException fromStart = assertThrows(CorruptRecordException.class,
            () -> JournalReplay.replay(dir, Long.MAX_VALUE));
        assertTrue(fromStart.getMessage().contains("earlier records were pruned"), fromStart.getMessage());
    }
}
