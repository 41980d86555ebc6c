package ember.kernel.core;

import ember.journal.Journal;
import ember.journal.JournalReader;
import ember.journal.SyscallRecord;
import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.Syscalls;
import ember.kernel.state.JournalReplay;
import ember.kernel.testing.CrashLoad;
import ember.kernel.testing.JavaProcess;
import ember.kernel.testing.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A journal that ends before the index it reached (newest file deleted, cut at a record boundary,
 * zeroed from a record header on) is refused at open, naming the missing records; with
 * {@code --cut-damaged-journal} it opens with what is there, and the loss is logged.
 */
class JournalTruncationTest
{
    private final Path dir = TempDirs.create("ember-trunc");

    @AfterEach
    void cleanup()
    {
        TempDirs.delete(dir);
    }

    /** Where a record sits: its journal file and the file offset of its Chronicle header. */
    private record Position(long index, Path file, long headerOffset)
    {
    }

    private KernelConfig config()
    {
        // A new journal file every second, so a few seconds of load spread over several files.
        return KernelConfig.of(dir).withBlockSize(1 << 20).withSnapshots(0, 0, true).withRollCycle("test-secondly");
    }

    /**
     * Write until the journal spans at least three files, then stop cleanly; the newest file must
     * hold a few records, since the tests cut inside it. The files roll on time, and a close on a
     * busy machine may land its records (detach, checkpoint) in a file of their own: then the
     * kernel is opened and written to again.
     *
     * @return the journal's last index.
     */
    private long writeSeveralFiles() throws IOException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        long n = 0;
        do
        {
            try (Kernel kernel = Kernel.open(config()); EmbeddedClient client = new EmbeddedClient(kernel))
            {
                final Syscalls init = client.as(1);
                final long goal = n + 20_000;
                while (journalFiles().size() < 3 || n < goal)
                {
                    for (int i = 0; i < 500; i++, n++)
                    {
                        init.queueEvent("e", Map.of("n", n, "pad", "yyyyyyyyyyyyyyyy"));
                        init.pullEvent(0);
                    }
                    assertTrue(System.nanoTime() < deadline, "the journal did not roll to three files");
                }
            }
        }
        while (recordsInNewestFile() < 4);
        final List<Position> positions = positions();
        return positions.get(positions.size() - 1).index(); // the client's detach came last
    }

    private long recordsInNewestFile()
    {
        final List<Position> positions = positions();
        final Path newest = positions.get(positions.size() - 1).file();
        return positions.stream().filter(p -> p.file().equals(newest)).count();
    }

    private List<Path> journalFiles() throws IOException
    {
        try (Stream<Path> files = Files.list(Journal.queueDir(dir)))
        {
            return files.filter(p -> p.toString().endsWith(".cq4")).sorted().toList();
        }
    }

    private List<Position> positions()
    {
        final List<Position> positions = new ArrayList<>();
        try (JournalReader reader = new JournalReader(dir, true))
        {
            final SyscallRecord record = new SyscallRecord();
            while (reader.next(record))
            {
                final String where = reader.position();
                final Path file = Path.of(where.substring("file ".length(), where.indexOf(", excerpt")));
                positions.add(new Position(record.index, file, reader.offset() - 4)); // Chronicle's 4-byte header
            }
        }
        return positions;
    }

    /** @return a record in the middle of the newest journal file (not its first). */
    private static Position middleOfNewestFile(final List<Position> positions)
    {
        final Path newest = positions.get(positions.size() - 1).file();
        final List<Position> inNewest = positions.stream().filter(p -> p.file().equals(newest)).toList();
        assertTrue(inNewest.size() >= 4, "the newest file holds " + inNewest.size() + " records");
        return inNewest.get(inNewest.size() / 2);
    }

    private String refusal(final long end, final long reached)
    {
        return "cannot recover " + dir + ": the journal ends at index " + end + " but reached index " + reached +
            " (records " + (end + 1) + ".." + reached + " are missing: truncated or deleted journal files); " +
            "to accept the loss, reopen with --cut-damaged-journal";
    }

    private String log() throws IOException
    {
        return Files.readString(dir.resolve(KernelLog.FILE));
    }

    /** Refused without the flag; opens with it, logs the loss, moves the snapshot beyond aside; then opens plainly. */
    private void assertRefusedThenCut(final long end, final long reached, final boolean snapshotBeyond) throws IOException
    {
        final KernelOpenException refused = assertThrows(KernelOpenException.class, () -> Kernel.open(config()));
        assertEquals(refusal(end, reached), refused.getMessage());
        assertTrue(log().contains("recovery stopped: the journal ends at index " + end), log());

        final String beyond = String.format("snapshot-%020d.snap", reached);
        try (Kernel kernel = Kernel.open(config().withCutDamagedJournal(true)); EmbeddedClient client = new EmbeddedClient(kernel))
        {
            final String digest = kernel.digest();
            assertEquals(end + 2, Long.parseLong(digest.substring(0, digest.indexOf(':'))),
                "records 1.." + end + ", then kernelOpen and the client's attach");
            // Checked while open: the records after the cut may reach the same index again, and the
            // closing snapshot then takes the old name.
            assertFalse(Files.exists(dir.resolve(SnapshotStore.DIR).resolve(beyond)), "the snapshot beyond the end is not trusted");
            client.as(1).queueEvent("after-cut", Map.of());
        }
        assertTrue(log().contains("journal loss accepted by operator request: the journal ends at index " + end +
            " but reached index " + reached), log());
        try (Stream<Path> entries = Files.list(dir))
        {
            final List<String> names = entries.map(p -> p.getFileName().toString()).toList();
            assertTrue(names.stream().anyMatch(n -> n.startsWith("journal.damaged-")), "the journal before the cut is kept: " + names);
            if (snapshotBeyond)
            {
                final String moved = names.stream().filter(n -> n.startsWith("snapshots.before-cut-")).findFirst()
                    .orElseThrow(() -> new AssertionError("no snapshots.before-cut-* directory: " + names));
                assertTrue(Files.exists(dir.resolve(moved).resolve(beyond)), "kept aside as evidence");
            }
        }

        try (Kernel kernel = Kernel.open(config()))
        {
            final String digest = kernel.digest();
            final long index = Long.parseLong(digest.substring(0, digest.indexOf(':')));
            assertTrue(index > end + 2, "recovered the records written after the cut");
            assertEquals(digest, index + ":" + JournalReplay.replay(dir, index).digest());
        }
    }

    @Test
    void deletingTheNewestJournalFileIsRefused() throws Exception
    {
        final long last = writeSeveralFiles();
        final List<Position> positions = positions();
        final Path newest = journalFiles().get(journalFiles().size() - 1);
        final long end = positions.stream().filter(p -> !p.file().equals(newest)).mapToLong(Position::index).max().orElseThrow();
        Files.delete(newest);
        assertRefusedThenCut(end, last, true);
    }

    @Test
    void cuttingTheNewestFileAtARecordBoundaryIsRefused() throws Exception
    {
        final long last = writeSeveralFiles();
        final Position cut = middleOfNewestFile(positions());
        try (RandomAccessFile raf = new RandomAccessFile(cut.file().toFile(), "rw"))
        {
            raf.setLength(cut.headerOffset());
        }
        assertRefusedThenCut(cut.index() - 1, last, true);
    }

    @Test
    void zeroingFromARecordHeaderOnIsRefused() throws Exception
    {
        final long last = writeSeveralFiles();
        final Position cut = middleOfNewestFile(positions());
        try (RandomAccessFile raf = new RandomAccessFile(cut.file().toFile(), "rw"))
        {
            final byte[] zeros = new byte[64 * 1024];
            for (long at = cut.headerOffset(); at < raf.length(); at += zeros.length)
            {
                raf.seek(at);
                raf.write(zeros, 0, (int)Math.min(zeros.length, raf.length() - at));
            }
        }
        assertRefusedThenCut(cut.index() - 1, last, true);
    }

    @Test
    void theHighWaterMarkAloneDetectsTheCut() throws Exception
    {
        final long last = writeSeveralFiles();
        for (final Path file : new SnapshotStore(dir).list())
        {
            Files.delete(file);
        }
        final Position cut = middleOfNewestFile(positions());
        try (RandomAccessFile raf = new RandomAccessFile(cut.file().toFile(), "rw"))
        {
            raf.setLength(cut.headerOffset());
        }
        assertRefusedThenCut(cut.index() - 1, last, false);
    }

    @Test
    void withoutAMarkFileTheSnapshotBeyondTheEndStillDetectsTheCut() throws Exception
    {
        final long last = writeSeveralFiles();
        Files.delete(dir.resolve(JournalHighWater.FILE)); // as an Ember that kept no mark left it
        final Position cut = middleOfNewestFile(positions());
        try (RandomAccessFile raf = new RandomAccessFile(cut.file().toFile(), "rw"))
        {
            raf.setLength(cut.headerOffset());
        }
        assertRefusedThenCut(cut.index() - 1, last, true);
    }

    @Test
    void aJournalWithoutMarkFileOpensAndGetsOne() throws Exception
    {
        final long last = writeSeveralFiles();
        Files.delete(dir.resolve(JournalHighWater.FILE));
        try (Kernel kernel = Kernel.open(config()))
        {
            final String digest = kernel.digest();
            assertEquals(last + 1, Long.parseLong(digest.substring(0, digest.indexOf(':'))), "all records, then kernelOpen");
        }
        assertEquals(last + 2, JournalHighWater.claimed(dir), "the mark is kept from then on (kernelOpen, the closing checkpoint)");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
            Files.getPosixFilePermissions(dir.resolve(JournalHighWater.FILE))));
    }

    @Test
    void aCutAfterKill9IsRefusedToo() throws Exception
    {
        final Process load = JavaProcess.start(CrashLoad.class, dir.toString());
        long acked = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(load.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while (acked < 5_000 && (line = out.readLine()) != null)
            {
                if (line.startsWith("ACK "))
                {
                    acked = Long.parseLong(line.split(" ")[2]);
                }
            }
            load.destroyForcibly(); // SIGKILL: no close, no closing snapshot
            assertTrue(load.waitFor(30, TimeUnit.SECONDS));
        }
        assertEquals(5_000, acked, "the load ran");
        final List<Position> positions = positions();
        final long journalEnd = positions.get(positions.size() - 1).index();
        final Position cut = positions.get(positions.size() / 2);
        try (RandomAccessFile raf = new RandomAccessFile(cut.file().toFile(), "rw"))
        {
            raf.setLength(cut.headerOffset());
        }

        final KernelOpenException refused = assertThrows(KernelOpenException.class,
            () -> Kernel.open(KernelConfig.of(dir).withBlockSize(1 << 20)));
        final Matcher m = Pattern.compile(Pattern.quote("cannot recover " + dir + ": the journal ends at index " +
            (cut.index() - 1) + " but reached index ") + "(\\d+)" + Pattern.quote(" (records " + cut.index() + "..") +
            "(\\d+)" + Pattern.quote(" are missing: truncated or deleted journal files); " +
            "to accept the loss, reopen with --cut-damaged-journal")).matcher(refused.getMessage());
        assertTrue(m.matches(), refused.getMessage());
        final long reached = Long.parseLong(m.group(1));
        assertEquals(reached, Long.parseLong(m.group(2)));
        assertTrue(reached >= cut.index() && reached <= journalEnd,
            "the mark claims " + reached + ": within the journal as it was (" + journalEnd + ") and beyond the cut");
    }
}
