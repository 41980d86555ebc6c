package ember.journal;

import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.file.Path;

/**
 * Appends records to a kernel's journal. Owned by the core thread: not thread-safe.
 * <p>
 * {@link #append(SyscallRecord)} returns once the record is in the memory-mapped queue file, so
 * it survives a crash of the process (the OS keeps the pages); see {@link #sync()} for OS crashes.
 */
public final class JournalWriter implements AutoCloseable
{
    private final ChronicleQueue queue;
    private final ExcerptAppender appender;
    private final RecordCodec codec = new RecordCodec();

    /**
     * @param kernelDir the kernel directory.
     * @param blockSize of the memory-mapped chunks.
     */
    public JournalWriter(final Path kernelDir, final long blockSize)
    {
        queue = Journal.openQueue(kernelDir, false, blockSize);
        appender = queue.createAppender();
    }

    /**
     * Encode and append one record.
     *
     * @param record whose {@code index} and {@code timestamp} are already set.
     */
    public void append(final SyscallRecord record)
    {
        final int length = codec.encode(record);
        try (DocumentContext dc = appender.writingDocument())
        {
            dc.wire().bytes().write(codec.frameArray(), 0, length);
        }
    }

    /** @return the Chronicle index of the last record this writer appended (for snapshots). */
    public long lastChronicleIndex()
    {
        return appender.lastIndexAppended();
    }

    /** Force the appended records to the storage device (msync). */
    public void sync()
    {
        appender.sync();
    }

    @Override
    public void close()
    {
        appender.close();
        queue.close();
    }
}
