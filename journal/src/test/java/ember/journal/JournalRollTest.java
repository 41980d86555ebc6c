package ember.journal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Journal files roll on the records' own (kernel clock) timestamps, never backwards. */
class JournalRollTest
{
    private static final long DAY_NS = TimeUnit.DAYS.toNanos(1);
    /** 2026-01-10T12:00Z: far from the wall clock, as a simulated or replayed clock may be. */
    private static final long DAY_10_NS = TimeUnit.DAYS.toNanos(20_463) + TimeUnit.HOURS.toNanos(12);

    @TempDir
    Path dir;

    @Test
    void filesFollowRecordTimeAndAnEarlierTimeStaysInTheNewestFile() throws Exception
    {
        final SyscallRecord record = new SyscallRecord();
        try (JournalWriter writer = new JournalWriter(dir, 1 << 20, Journal.rollCycle("daily")))
        {
            writer.append(record(record, 1, DAY_10_NS));
            writer.append(record(record, 2, DAY_10_NS + 1));
            writer.append(record(record, 3, DAY_10_NS + 2 * DAY_NS)); // two days later: a new file
        }
        assertEquals(List.of("20260110F.cq4", "20260112F.cq4"), cycleFiles());

        final byte[] h3;
        try (JournalReader reader = new JournalReader(dir, true))
        {
            final SyscallRecord in = new SyscallRecord();
            while (reader.next(in))
            {
                // to the end: the chain's head is h(3)
            }
            h3 = reader.chain().head();
        }
        try (JournalWriter writer = new JournalWriter(dir, 1 << 20, Journal.rollCycle("daily")))
        {
            writer.chain().resume(3, h3); // as recovery resumes it
            // A clock set back (its record says day 11): still appended after record 3, in day 12's file.
            writer.append(record(record, 4, DAY_10_NS + DAY_NS));
            writer.append(record(record, 5, DAY_10_NS + 3 * DAY_NS));
        }
        assertEquals(List.of("20260110F.cq4", "20260112F.cq4", "20260113F.cq4"), cycleFiles());

        final List<Long> read = new ArrayList<>();
        try (JournalReader reader = new JournalReader(dir, true))
        {
            final SyscallRecord in = new SyscallRecord();
            while (reader.next(in))
            {
                read.add(in.index);
            }
        }
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), read, "every record, in index order, across the files");
    }

    private List<String> cycleFiles() throws Exception
    {
        try (Stream<Path> files = Files.list(Journal.queueDir(dir)))
        {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".cq4")).sorted().toList();
        }
    }

    private static SyscallRecord record(final SyscallRecord record, final long index, final long timestampNs)
    {
        record.reset(SyscallType.GETPID, 1);
        record.index = index;
        record.timestamp = timestampNs;
        return record;
    }
}
