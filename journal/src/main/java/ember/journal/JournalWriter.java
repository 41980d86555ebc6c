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
    private final int maxRecordBytes;
    private net.openhft.chronicle.bytes.BytesStore<?, byte[]> frameStore;
    private byte[] frameStoreArray;

    /**
     * @param kernelDir the kernel directory.
     * @param blockSize of the memory-mapped chunks.
     */
    public JournalWriter(final Path kernelDir, final long blockSize)
    {
        this(kernelDir, blockSize, net.openhft.chronicle.queue.RollCycles.FAST_DAILY);
    }

    /**
     * @param kernelDir the kernel directory.
     * @param blockSize of the memory-mapped chunks.
     * @param rollCycle one journal file per cycle, for a new journal.
     */
    public JournalWriter(final Path kernelDir, final long blockSize, final net.openhft.chronicle.queue.RollCycle rollCycle)
    {
        queue = Journal.openQueue(kernelDir, false, blockSize, rollCycle);
        appender = queue.createAppender();
        maxRecordBytes = maxRecordBytes(blockSize);
    }

    /**
     * @param blockSize a Chronicle block size.
     * @return the largest record a journal with that block size holds (Chronicle refuses a
     *     document over a quarter of a block).
     */
    public static int maxRecordBytes(final long blockSize)
    {
        return (int)Math.min(RecordCodec.MAX_FRAME_BYTES, blockSize / 4 - 1024);
    }

    /**
     * Encode and append one record, whole or not at all.
     *
     * @param record whose {@code index} and {@code timestamp} are already set.
     * @throws JournalException when the record is larger than the journal takes (nothing is written).
     */
    public void append(final SyscallRecord record)
    {
        final int length = codec.encode(record);
        if (length > maxRecordBytes)
        {
            throw new JournalException("record of " + length + " bytes is larger than the journal's limit of " +
                maxRecordBytes + " bytes");
        }
        try (DocumentContext dc = appender.writingDocument())
        {
            try
            {
                final byte[] frame = codec.frameArray();
                if (frameStore == null || frameStoreArray != frame)
                {
                    frameStore = net.openhft.chronicle.bytes.BytesStore.wrap(frame); // re-wrapped only when the scratch grows
                    frameStoreArray = frame;
                }
                dc.wire().bytes().write(frameStore, 0L, (long)length);
            }
            catch (final RuntimeException ex)
            {
                dc.rollbackOnClose(); // never leave a partial document behind
                throw ex;
            }
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
