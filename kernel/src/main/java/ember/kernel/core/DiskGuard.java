package ember.kernel.core;

import ember.journal.JournalFullException;
import ember.journal.JournalWriter;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The core's guard against a full file system. Chronicle maps the journal in blocks: appending
 * into a block the file system cannot back kills the process (SIGBUS) instead of failing. So the
 * core refuses syscalls, with one clear error ({@link #refusal()}), while less than two blocks
 * (and 1 MiB) are free on the journal's file system, or while the journal could not reserve the
 * space its next record may need; it serves again when space is back.
 * <p>
 * The free space is asked at most every {@link #CHECK_INTERVAL_MS} of kernel time, with
 * {@link File#getUsableSpace()} on a {@code File} made once: a {@code statvfs} that allocates
 * nothing on the Java heap (looking up the {@code FileStore} each time read the mount table
 * and allocated kilobytes per check). When that call cannot tell (it answers 0 on an error as on
 * a full disk), the {@code FileStore} is asked, and when that fails too the journal's own
 * reservation decides.
 * <p>
 * Thread ownership: the core thread only. Changes of the refusal are written to {@code kernel.log}.
 */
final class DiskGuard
{
    /** How often the free space is asked, kernel time. */
    static final long CHECK_INTERVAL_MS = 100;

    private final Path queueDir;
    private final File queueFile;
    private final long needed;
    private final JournalWriter journal;
    private final KernelLog log;
    private long nextCheckMs;
    /** Why syscalls are refused for lack of space, or null. */
    private String refusal;

    /**
     * @param queueDir  the journal's directory.
     * @param blockSize the journal's block size (what one mapping step needs).
     * @param journal   the journal, whose reservation is retried once space shows again.
     * @param log       where refusing and accepting again are reported.
     */
    DiskGuard(final Path queueDir, final long blockSize, final JournalWriter journal, final KernelLog log)
    {
        this.queueDir = queueDir;
        this.queueFile = queueDir.toFile();
        this.needed = 2 * blockSize + (1 << 20);
        this.journal = journal;
        this.log = log;
    }

    /** @return why syscalls are refused for lack of space (a {@code journal write failed: …} line), or null. */
    String refusal()
    {
        return refusal;
    }

    /** @return true while syscalls are refused for lack of space. */
    boolean isFull()
    {
        return refusal != null;
    }

    /** Once per duty cycle: ask the free space when the last check is {@link #CHECK_INTERVAL_MS} old. */
    void check(final long nowMs)
    {
        if (nowMs < nextCheckMs)
        {
            return;
        }
        nextCheckMs = nowMs + CHECK_INTERVAL_MS;
        long free = queueFile.getUsableSpace();
        if (free == 0)
        {
            try
            {
                free = Files.getFileStore(queueDir).getUsableSpace(); // 0 above: full, or the call failed
            }
            catch (final IOException ex)
            {
                set(reserveAgain()); // cannot tell the free space: the reservation tells
                return;
            }
        }
        String why = free < needed ? "journal write failed: disk full (" + free + " bytes free for the journal in " +
            queueDir + ", " + needed + " needed)" : null;
        if (why == null && refusal != null)
        {
            why = reserveAgain();
        }
        set(why);
    }

    /** An append found the journal full: refuse from now on, and check again after the interval. */
    void onJournalFull(final JournalFullException ex, final long nowMs)
    {
        set(ex.getMessage());
        nextCheckMs = nowMs + CHECK_INTERVAL_MS;
    }

    /** @return null when the journal backs the space the next record may need again, else why not. */
    private String reserveAgain()
    {
        try
        {
            journal.reserveAhead();
            return null;
        }
        catch (final JournalFullException ex)
        {
            return ex.getMessage();
        }
    }

    private void set(final String why)
    {
        final String was = refusal;
        refusal = why;
        if (why != null && was == null)
        {
            log.log("refusing syscalls: " + why);
        }
        else if (why == null && was != null)
        {
            log.log("disk space is back: accepting syscalls");
        }
    }
}
