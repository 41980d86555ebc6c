package ember.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Cuts a damaged journal after its last good record, on an operator's explicit request: the
 * good records are copied, byte for byte as the codec writes them, into a fresh queue that takes
 * the journal's place; the damaged queue is kept beside it ({@code journal.damaged-TIME}) as
 * evidence. Nothing else may have the kernel directory open.
 */
public final class JournalCutter
{
    private JournalCutter()
    {
    }

    /**
     * @param kernelDir     the kernel directory.
     * @param lastGoodIndex the last record to keep (records 1..lastGoodIndex must be readable).
     * @param blockSize     block size of the new queue.
     * @return where the damaged journal was moved.
     */
    public static Path cut(final Path kernelDir, final long lastGoodIndex, final long blockSize)
    {
        final Path work = kernelDir.resolve(".journal-cut");
        final Path damaged = kernelDir.resolve(Journal.QUEUE_DIR + ".damaged-" + System.currentTimeMillis());
        try
        {
            delete(work);
            try (JournalReader reader = new JournalReader(kernelDir, true);
                JournalWriter writer = new JournalWriter(work, blockSize))
            {
                final SyscallRecord record = new SyscallRecord();
                while (reader.lastIndex() < lastGoodIndex && reader.next(record))
                {
                    writer.append(record);
                }
                if (reader.lastIndex() != lastGoodIndex)
                {
                    throw new IllegalStateException("the journal ends at index " + reader.lastIndex() +
                        ", before the cut point " + lastGoodIndex);
                }
            }
            Files.move(Journal.queueDir(kernelDir), damaged, StandardCopyOption.ATOMIC_MOVE);
            Files.move(Journal.queueDir(work), Journal.queueDir(kernelDir), StandardCopyOption.ATOMIC_MOVE);
            delete(work);
            return damaged;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot cut the journal of " + kernelDir, ex);
        }
    }

    private static void delete(final Path dir)
    {
        org.agrona.IoUtil.delete(dir.toFile(), false); // throws when something cannot be deleted
    }
}
