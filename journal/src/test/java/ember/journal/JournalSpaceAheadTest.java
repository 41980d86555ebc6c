package ember.journal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The journal space's ahead thread: space is backed well beyond what the writer itself backs (a
 * megabyte past the next record), so the writer's own path writes no zeros; the records stay
 * intact; the thread ends with the writer.
 */
class JournalSpaceAheadTest
{
    @TempDir
    Path tmp;

    @Test
    void blocksAreAllocatedAheadOfTheWriterAndTheThreadEndsWithIt() throws Exception
    {
        final Path dir = tmp.resolve("kernel");
        final SyscallRecord record = new SyscallRecord();
        final JournalWriter writer = new JournalWriter(dir, 64L << 20);
        try
        {
            for (long index = 1; index <= 2_000; index++)
            {
                record.reset(SyscallType.QUEUE_EVENT, 1);
                record.index = index;
                record.timestamp = System.currentTimeMillis() * 1_000_000;
                record.text = "event";
                record.payload = new byte[64];
                writer.append(record);
            }
            // ~250 KB of records: the writer backs to about 1.3 MB itself; the ahead thread to 4 MB beyond.
            final Path file = cycleFile(dir);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            long allocatedKb = allocatedKb(file);
            while (allocatedKb < JournalSpace.AHEAD / 1024 && System.nanoTime() < deadline)
            {
                Thread.sleep(10);
                allocatedKb = allocatedKb(file);
            }
            assertTrue(allocatedKb >= JournalSpace.AHEAD / 1024,
                "allocated ahead of the writer: " + allocatedKb + " KB in " + file);
            assertTrue(writer.spaceAheadRunning());
        }
        finally
        {
            writer.close();
        }
        assertFalse(writer.spaceAheadRunning(), "the ahead thread ends with the writer");
        try (JournalReader reader = new JournalReader(dir, true))
        {
            final SyscallRecord read = new SyscallRecord();
            long count = 0;
            while (reader.next(read))
            {
                assertEquals(++count, read.index);
                assertEquals(64, read.payload.length);
            }
            assertEquals(2_000, count, "every record intact");
        }
    }

    private static Path cycleFile(final Path dir) throws IOException
    {
        try (var files = Files.list(Journal.queueDir(dir)))
        {
            return files.filter(f -> f.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
    }

    /** Blocks the file system holds for the file (du), whatever its apparent size. */
    private static long allocatedKb(final Path file) throws Exception
    {
        final Process du = new ProcessBuilder("du", "-k", file.toString()).redirectErrorStream(true).start();
        final String out = new String(du.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        du.waitFor(10, TimeUnit.SECONDS);
        return Long.parseLong(out.split("\\s+")[0]);
    }
}
