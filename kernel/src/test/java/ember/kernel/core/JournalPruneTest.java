package ember.kernel.core;

import ember.journal.CorruptRecordException;
import ember.journal.Journal;
import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.Syscalls;
import ember.kernel.state.JournalReplay;
import ember.kernel.testing.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import ember.journal.JournalReader;
import ember.kernel.state.KernelState;
import ember.kernel.state.SnapshotCodec;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Journal files roll on a cycle; files wholly before the newest snapshot can be archived, for
 * every roll cycle Ember offers. The journals of several cycles are real kernel records that
 * were re-appended by Chronicle with its time provider set to past cycles, and the snapshot is
 * the real {@link SnapshotStore}'s of the replayed state.
 */
class JournalPruneTest
{
    private static final int RECORDS_PER_CYCLE = 10;
    private static final int CYCLES = 3;
    /** A Monday, so week-based names and day-based names both start a cycle near it. */
    private static final long PAST_MS = Instant.parse("2026-01-05T00:00:00Z").toEpochMilli();

    private final Path dir = TempDirs.create("ember-prune");
    private final Path archive = TempDirs.create("ember-prune-archive");
    private final Path source = TempDirs.create("ember-prune-source");

    @AfterEach
    void cleanup()
    {
        TempDirs.delete(dir);
        TempDirs.delete(archive);
        TempDirs.delete(source);
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

    @ParameterizedTest
    @ValueSource(strings = {"minutely", "hourly", "daily"})
    void everyRollCyclePrunesTheFilesBeforeTheSnapshotsCycle(final String rollCycle) throws Exception
    {
        final long[] chronicleIndex = writeOverPastCycles(rollCycle);
        final long snapshotAt = 2L * RECORDS_PER_CYCLE + 4; // inside the last cycle
        writeSnapshot(snapshotAt, chronicleIndex[(int)snapshotAt]);
        final List<String> before = journalFileNames();
        assertEquals(CYCLES, before.size(), "one file per cycle: " + before);
        final long last = chronicleIndex.length - 1;
        assertEquals(last, JournalReplay.replay(dir, Long.MAX_VALUE).lastIndex(), "Chronicle reads across the cycles");

        final Path target = archive.resolve("pruned"); // created by prune
        final JournalPruner.Result result = JournalPruner.prune(dir, target);

        assertEquals(snapshotAt, result.snapshotIndex());
        assertEquals(before.subList(0, CYCLES - 1), result.moved().stream().map(p -> p.getFileName().toString()).toList(),
            "the files of the cycles before the snapshot's, oldest first");
        assertEquals(before.subList(CYCLES - 1, CYCLES), journalFileNames(), "the snapshot's cycle is kept");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        for (final Path moved : result.moved())
        {
            final Path archived = target.resolve(moved.getFileName());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(archived)), archived.toString());
        }

        // What recovery does, read-only: the newest snapshot, then the kept records after it.
        final SnapshotStore.Loaded snapshot = SnapshotStore.read(new SnapshotStore(dir).list().get(0));
        final KernelState recovered = snapshot.state();
        try (JournalReader reader = new JournalReader(dir, true))
        {
            assertTrue(reader.resumeAfter(snapshot.state().lastIndex(), snapshot.chronicleIndex()));
            JournalReplay.replay(reader, recovered, Long.MAX_VALUE, null);
        }
        assertEquals(JournalReplay.replay(source, Long.MAX_VALUE).digest(), recovered.digest(),
            "snapshot + kept records = the whole journal before pruning");
        {
            try (Kernel kernel = Kernel.open(KernelConfig.of(dir).withBlockSize(1 << 20).withSnapshots(0, 0, false));
                 EmbeddedClient client = new EmbeddedClient(kernel))
            {
                assertEquals(CYCLES * RECORDS_PER_CYCLE - 1, client.as(1).getpinfo(1).queued(),
                    "the kernel recovers from the snapshot and the kept file: every queueEvent");
            }
            final CorruptRecordException fromStart = assertThrows(CorruptRecordException.class,
                () -> JournalReplay.replay(dir, Long.MAX_VALUE));
            assertTrue(fromStart.getMessage().contains("earlier records were pruned"), fromStart.getMessage());
        }
    }

    @Test
    void anArchiveOthersCanWriteIsRefusedBeforeAnythingMoves() throws Exception
    {
        final long[] chronicleIndex = writeOverPastCycles("daily");
        writeSnapshot(2L * RECORDS_PER_CYCLE + 1, chronicleIndex[2 * RECORDS_PER_CYCLE + 1]);
        Files.setPosixFilePermissions(archive, PosixFilePermissions.fromString("rwxrwx---"));
        final List<String> before = journalFileNames();

        final KernelOpenException refused = assertThrows(KernelOpenException.class, () -> JournalPruner.prune(dir, archive));
        assertEquals("archive directory " + archive + " is writable by group or others (rwxrwx---): nothing pruned; " +
            "use a directory only its owner can write", refused.getMessage());
        assertFalse(refused.getMessage().contains("\n"));
        assertEquals(before, journalFileNames());
        try (var archived = Files.list(archive))
        {
            assertEquals(0, archived.count());
        }
    }

    @Test
    void pruningWithoutArchiveDeletesTheOlderCycles() throws Exception
    {
        final long[] chronicleIndex = writeOverPastCycles("daily");
        writeSnapshot(RECORDS_PER_CYCLE + 1, chronicleIndex[RECORDS_PER_CYCLE + 1]); // first record of cycle 2
        final List<String> before = journalFileNames();
        final JournalPruner.Result result = JournalPruner.prune(dir, null);
        assertEquals(1, result.moved().size(), result.moved()::toString);
        assertEquals(before.subList(1, CYCLES), journalFileNames());
    }

    /**
     * A real kernel writes {@code CYCLES * RECORDS_PER_CYCLE} records into {@code source}; they
     * are re-appended into {@code dir}'s journal by Chronicle with its clock set to three
     * consecutive past cycles, {@value #RECORDS_PER_CYCLE} records each (the last cycle also
     * gets the kernel's close record).
     *
     * @return the Chronicle index of each record in {@code dir}, by record index (slot 0 unused).
     */
    private long[] writeOverPastCycles(final String rollCycleName)
    {
        final KernelConfig config = KernelConfig.of(source).withBlockSize(1 << 20).withSnapshots(0, 0, false);
        try (Kernel kernel = Kernel.open(config); EmbeddedClient client = new EmbeddedClient(kernel))
        {
            final Syscalls init = client.as(1);
            for (int i = 1; i < CYCLES * RECORDS_PER_CYCLE; i++) // record 1 is the kernel's open
            {
                init.queueEvent("e", Map.of("i", (long)i));
            }
        }
        final RollCycle rollCycle = Journal.rollCycle(rollCycleName);
        final SetTimeProvider clock = new SetTimeProvider(Instant.ofEpochMilli(PAST_MS + rollCycle.lengthInMillis() / 2));
        final List<Long> indexes = new ArrayList<>();
        indexes.add(-1L);
        try (ChronicleQueue from = Journal.openQueue(source, true, 1 << 20);
             ExcerptTailer tailer = from.createTailer();
             ChronicleQueue to = SingleChronicleQueueBuilder.binary(Journal.queueDir(dir)).rollCycle(rollCycle)
                 .blockSize(1 << 20).timeProvider(clock).build();
             ExcerptAppender appender = to.createAppender())
        {
            final Bytes<?> frame = Bytes.allocateElasticOnHeap();
            while (true)
            {
                frame.clear();
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        break;
                    }
                    frame.write(dc.wire().bytes());
                }
                final int written = indexes.size() - 1;
                if (written > 0 && written % RECORDS_PER_CYCLE == 0 && written < CYCLES * RECORDS_PER_CYCLE)
                {
                    clock.advanceMillis(rollCycle.lengthInMillis()); // the next cycle
                }
                try (DocumentContext dc = appender.writingDocument())
                {
                    dc.wire().bytes().write(frame);
                }
                indexes.add(appender.lastIndexAppended());
            }
        }
        assertTrue(indexes.size() > CYCLES * RECORDS_PER_CYCLE, "records written: " + (indexes.size() - 1));
        return indexes.stream().mapToLong(Long::longValue).toArray();
    }

    /** The real snapshot store's file for the state after record {@code index} (replayed). */
    private void writeSnapshot(final long index, final long chronicleIndex)
    {
        final KernelState state = new KernelState();
        final byte[] chain;
        try (JournalReader reader = new JournalReader(dir, true))
        {
            JournalReplay.replay(reader, state, index, null);
            chain = reader.chain().head();
        }
        assertEquals(index, state.lastIndex());
        new SnapshotStore(dir).write(index, chronicleIndex, chain, SnapshotCodec.encode(state));
    }

    private List<String> journalFileNames() throws Exception
    {
        try (var files = Files.list(Journal.queueDir(dir)))
        {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cq4")).sorted().toList();
        }
    }
}
