package ember.kernel.core;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The journal's high-water mark, {@code DIR/journal.hwm}: the highest record index the journal
 * reached (and its Chronicle index), so that recovery can tell a journal that ends early —
 * truncated, or files deleted — from one that simply ends there.
 * <p>
 * A memory-mapped 4 KiB file, mode 0600:
 * <pre>
 *   int magic, int version, long chronicleIndex, long index
 * </pre>
 * {@link #mark} is one ordered store into the mapping: no syscall, the OS writes the page back
 * like the journal's own pages. A mark survives a crash of the kernel process; it never claims
 * more than the journal holds as long as the caller marks only records that are in the journal
 * (under {@code SyncMode.BATCH} / {@code ALWAYS}: only records already forced to disk).
 * <p>
 * Thread ownership: {@link #mark} and {@link #reset} on the core thread (or the opening thread
 * before the core starts); {@link #index()} anywhere.
 */
final class JournalHighWater implements AutoCloseable
{
    public static final String FILE = "journal.hwm";
    static final int MAGIC = 0x454D4857; // "EMHW"
    static final int VERSION = 1;
    private static final int LENGTH = 4096;
    private static final int MAGIC_OFFSET = 0;
    private static final int VERSION_OFFSET = 4;
    private static final int CHRONICLE_OFFSET = 8;
    private static final int INDEX_OFFSET = 16;

    private final Path file;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer buffer;
    private long marked;

    private JournalHighWater(final Path file, final MappedByteBuffer mapped)
    {
        this.file = file;
        this.mapped = mapped;
        this.buffer = new UnsafeBuffer(mapped);
        this.marked = buffer.getLongVolatile(INDEX_OFFSET);
    }

    /**
     * What the mark file of a directory claims, without creating or changing it.
     *
     * @return the highest index the journal reached, 0 when there is no mark (a fresh directory, or
     *     a journal written by an Ember that kept none: no claim).
     * @throws IOException when the file exists but cannot be read, or is not a mark file.
     */
    static long claimed(final Path kernelDir) throws IOException
    {
        final Path file = kernelDir.resolve(FILE);
        if (!Files.exists(file))
        {
            return 0;
        }
        final byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < INDEX_OFFSET + 8)
        {
            return 0; // created but never written (a crash during open)
        }
        final UnsafeBuffer view = new UnsafeBuffer(bytes);
        if (view.getInt(MAGIC_OFFSET) == 0)
        {
            return 0;
        }
        if (view.getInt(MAGIC_OFFSET) != MAGIC || view.getInt(VERSION_OFFSET) != VERSION)
        {
            throw new IOException(file + " is not an Ember journal mark file");
        }
        return view.getLong(INDEX_OFFSET);
    }

    /**
     * Map the mark file of a directory, creating it (0600, no claim) when missing.
     *
     * @throws IOException when it cannot be created or mapped.
     */
    static JournalHighWater open(final Path kernelDir) throws IOException
    {
        final Path file = kernelDir.resolve(FILE);
        if (!Files.exists(file))
        {
            try
            {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            catch (final UnsupportedOperationException ex)
            {
                Files.createFile(file); // not a POSIX file system
            }
        }
        final MappedByteBuffer mapped;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, LENGTH); // grows a short file to 4 KiB
        }
        final JournalHighWater mark = new JournalHighWater(file, mapped);
        if (mark.buffer.getInt(MAGIC_OFFSET) != MAGIC)
        {
            mark.buffer.putInt(VERSION_OFFSET, VERSION);
            mark.buffer.putIntOrdered(MAGIC_OFFSET, MAGIC);
        }
        return mark;
    }

    /** @return the index last marked. */
    long index()
    {
        return marked;
    }

    /**
     * Raise the mark to a record the journal holds. Core thread; one ordered store when it moves.
     *
     * @param index          the record's index; ignored unless above the current mark.
     * @param chronicleIndex where the record sits in the Chronicle queue (for diagnostics).
     */
    void mark(final long index, final long chronicleIndex)
    {
        if (index > marked)
        {
            marked = index;
            buffer.putLong(CHRONICLE_OFFSET, chronicleIndex);
            buffer.putLongOrdered(INDEX_OFFSET, index); // readers take the index as the claim
        }
    }

    /** Set the mark to {@code index}, also downwards (after the operator accepted a shorter journal), and force it to disk. */
    void reset(final long index, final long chronicleIndex)
    {
        marked = index;
        buffer.putLong(CHRONICLE_OFFSET, chronicleIndex);
        buffer.putLongOrdered(INDEX_OFFSET, index);
        mapped.force(); // an accepted loss must not come back as a claim after a power cut
    }

    /** @return the mark file. */
    Path file()
    {
        return file;
    }

    /** Unmap the file; the mark stays in it. */
    @Override
    public void close()
    {
        IoUtil.unmap(mapped);
    }
}
