package ember.journal;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The writer on a file system that fills up (a small tmpfs made for the test; needs root, skipped
 * otherwise): once no block is left, appends are refused with a {@link JournalFullException}
 * before anything is written, never a fault in the mapped file; every record appended before is
 * intact; appending resumes once space is back. Also across daily and per-second cycle files.
 */
class JournalSpaceTest
{
    private Path mount;

    private static boolean run(final String... command) throws Exception
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
    }

    @BeforeEach
    void mount() throws Exception
    {
        mount = Files.createTempDirectory("ember-space");
        final boolean mounted = run("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", mount.toString());
        if (!mounted)
        {
            Files.delete(mount);
        }
        Assumptions.assumeTrue(mounted, "JournalSpaceTest skipped: cannot mount a tmpfs here (needs root)");
    }

    @AfterEach
    void unmount() throws Exception
    {
        run("umount", "-l", mount.toString()); // lazy: Chronicle may unmap its files later
        Files.deleteIfExists(mount);
    }

    @Test
    void aFullFileSystemRefusesAppendsInsteadOfFaulting() throws Exception
    {
        fillAndRecover("daily", 0);
    }

    @Test
    void newCycleFilesAreBackedBeforeChronicleWritesThem() throws Exception
    {
        fillAndRecover("test-secondly", 3);
    }

    private void fillAndRecover(final String rollCycle, final int seconds) throws Exception
    {
        final Path dir = mount.resolve("kernel");
        final Path filler = mount.resolve("filler");
        final SyscallRecord record = new SyscallRecord();
        long index = 0;
        try (JournalWriter writer = new JournalWriter(dir, 1 << 20, Journal.rollCycle(rollCycle)))
        {
            final long until = System.currentTimeMillis() + seconds * 1000L;
            do
            {
                for (int i = 0; i < 200; i++)
                {
                    writer.append(next(record, ++index));
                }
                Thread.sleep(seconds > 0 ? 50 : 0); // a few files, not a full disk of journal
            }
            while (System.currentTimeMillis() < until);

            fill(filler);
            JournalFullException refused = null;
            for (int i = 0; i < 1_000_000 && refused == null; i++)
            {
                try
                {
                    writer.append(next(record, index + 1));
                    index++;
                }
                catch (final JournalFullException ex)
                {
                    refused = ex;
                }
            }
            assertTrue(refused != null, "never refused on a full file system");
            assertTrue(refused.getMessage().startsWith("journal write failed: disk full ("), refused.getMessage());

            Files.delete(filler);
            writer.reserveAhead();
            for (int i = 0; i < 1000; i++)
            {
                writer.append(next(record, ++index));
            }
        }
        assertEquals(index, readAll(dir), "every appended record is in the journal, in order, intact");
        try (var files = Files.list(Journal.queueDir(dir)))
        {
            assertTrue(files.noneMatch(f -> f.toString().endsWith(".precreated")) || seconds > 0,
                "no stand-in left behind for the current cycle");
        }
    }

    private static SyscallRecord next(final SyscallRecord record, final long index)
    {
        record.reset(SyscallType.QUEUE_EVENT, 1);
        record.index = index;
        record.timestamp = System.currentTimeMillis() * 1_000_000; // files roll on record time: a kernel on the system clock
        record.text = "event";
        record.payload = new byte[40 + (int)(index % 200)];
        return record;
    }

    /** Take every free block (the last writes fail with ENOSPC, as they should). */
    private static void fill(final Path filler) throws IOException
    {
        try (RandomAccessFile file = new RandomAccessFile(filler.toFile(), "rw"))
        {
            final byte[] chunk = new byte[64 * 1024];
            while (true)
            {
                try
                {
                    file.write(chunk);
                }
                catch (final IOException full)
                {
                    break;
                }
            }
            for (int left = 0; left < 64; left++)
            {
                try
                {
                    file.write(chunk, 0, 512);
                }
                catch (final IOException full)
                {
                    return;
                }
            }
        }
    }

    private static long readAll(final Path dir)
    {
        final SyscallRecord record = new SyscallRecord();
        long last = 0;
        try (JournalReader reader = new JournalReader(dir, true))
        {
            while (reader.next(record))
            {
                if (record.index != last + 1)
                {
                    fail("record " + (last + 1) + " is missing (next is " + record.index + ")");
                }
                last = record.index;
            }
        }
        return last;
    }
}
