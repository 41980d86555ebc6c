package ember.replay.engine;

import ember.journal.CorruptRecordException;
import ember.journal.Journal;
import ember.journal.JournalMetadataException;
import ember.journal.JournalReader;
import ember.journal.RecordCodec;
import ember.journal.SyscallRecord;
import ember.replay.ToolException;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A kernel directory as the replay tool sees it: read-only, its journal in {@code DIR/journal}.
 * Opening never creates or modifies anything, so it is safe while a kernel writes the journal.
 */
public final class JournalDir
{
    private final Path dir;

    private JournalDir(final Path dir)
    {
        this.dir = dir;
    }

    /**
     * @param dir a kernel directory.
     * @return the directory, once checked to hold a journal.
     * @throws ToolException when there is no journal to read.
     */
    public static JournalDir of(final Path dir)
    {
        final Path queue = Journal.queueDir(dir);
        if (!Files.isDirectory(queue))
        {
            throw new ToolException("no journal in " + dir + " (expected the directory " + queue + ")");
        }
        if (Journal.firstOpenUnfinished(dir) && Files.exists(queue.resolve(SingleChronicleQueue.QUEUE_METADATA_FILE)))
        {
            throw new ToolException(queue + ": " + JournalMetadataException.MESSAGE);
        }
        if (!holdsQueueFiles(queue))
        {
            throw new ToolException("no journal in " + dir + " (" + queue + " holds no Chronicle queue files)");
        }
        return new JournalDir(dir);
    }

    private static boolean holdsQueueFiles(final Path queue)
    {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(queue, "*" + SingleChronicleQueue.SUFFIX))
        {
            return files.iterator().hasNext();
        }
        catch (final IOException ex)
        {
            throw new ToolException("cannot read " + queue + ": " + ex.getMessage());
        }
    }

    /** @return the kernel directory. */
    public Path path()
    {
        return dir;
    }

    /** @return a new read-only reader positioned before the first record; the caller closes it. */
    public JournalReader openReader()
    {
        return new JournalReader(dir, true);
    }

    /**
     * @return a new read-only reader positioned before the first record the journal holds, also
     *     when earlier records were pruned (it checks records but cannot replay them); the caller
     *     closes it.
     */
    public JournalReader openReaderFromFirst()
    {
        final JournalReader reader = openReader();
        final long first = firstIndex();
        if (first > 1)
        {
            reader.startAt(first);
        }
        return reader;
    }

    /**
     * Check that a reader that found no further record reached the record the journal's end
     * held when reading started: a damaged record header can make a reader see an early end.
     *
     * @param lastRead        the last record read.
     * @param lastAtStart     {@link #lastIndex()} taken before reading started.
     * @throws CorruptRecordException naming the first record that could not be read.
     */
    public static void checkReachedEnd(final long lastRead, final long lastAtStart)
    {
        if (lastAtStart > lastRead)
        {
            throw new CorruptRecordException("reading stops after record " + lastRead + " but the journal holds " +
                "records up to " + lastAtStart + ": record " + (lastRead + 1) + " is incomplete or unreadable");
        }
    }

    /**
     * The index of the journal's last complete record, read from the end of the queue without
     * reading the rest (for progress bars and for checking a reader reached the real end).
     *
     * @return the index, 0 for an empty journal, -1 when the last record cannot be decoded.
     */
    public long lastIndex()
    {
        return edgeIndex(TailerDirection.BACKWARD);
    }

    /**
     * The index of the journal's first record: 1, or more when earlier records were pruned.
     *
     * @return the index, 0 for an empty journal, -1 when the first record cannot be decoded.
     */
    public long firstIndex()
    {
        return edgeIndex(TailerDirection.FORWARD);
    }

    private long edgeIndex(final TailerDirection direction)
    {
        try (ChronicleQueue queue = Journal.openQueue(dir, true, Journal.DEFAULT_BLOCK_SIZE);
             ExcerptTailer tailer = queue.createTailer())
        {
            if (direction == TailerDirection.BACKWARD)
            {
                tailer.direction(direction).toEnd();
            }
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    return 0;
                }
                final Bytes<?> bytes = dc.wire().bytes();
                final long remaining = bytes.readRemaining();
                if (remaining > RecordCodec.MAX_FRAME_BYTES)
                {
                    return -1;
                }
                final byte[] frame = new byte[(int)remaining];
                bytes.read(frame, 0, frame.length);
                final SyscallRecord record = new SyscallRecord();
                new RecordCodec().decode(frame, ember.journal.ChainTag.frameLength(frame, frame.length), record);
                return record.index;
            }
        }
        catch (final CorruptRecordException | InternalError ex)
        {
            return -1;
        }
        catch (final AssertionError ex)
        {
            // Chronicle's own assertions (on when the JVM runs with -ea) fail on a file cut inside
            // a record while it seeks the end: that is the damage this method reports as -1.
            return -1;
        }
    }
}
