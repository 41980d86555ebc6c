package ember.journal;

import net.openhft.chronicle.queue.impl.RollingResourcesCache;
import net.openhft.chronicle.queue.impl.single.PrecreatedFiles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Keeps the region of the current journal file ahead of Chronicle's write position backed by
 * real file-system blocks, so that the appender's writes into the memory-mapped file never fault.
 * <p>
 * Why: Chronicle grows a cycle file with {@code RandomAccessFile.setLength}, a sparse extension,
 * and writes through a shared mapping. On a full file system the first write into a page with no
 * block behind it raises SIGBUS, which the JVM turns into an asynchronous {@code InternalError}
 * that may surface after the record was already marked complete. A positional
 * {@link FileChannel#write} of the same range instead fails cleanly with {@code IOException: No
 * space left on device}. So before a record could pass the backed region this class backs the
 * next stretch ({@link #STEP} bytes, one batch of writes per stretch, none per record) and
 * reports a failure as a {@link JournalFullException}, before anything of the record is written.
 * <p>
 * Beyond the end of the last record this writer appended nothing has been written (Chronicle
 * writes headers and index arrays only during the next append, after the reservation), so
 * backing there writes zeros. In a file this writer has not appended to yet, backing starts at
 * Chronicle's own write position and rewrites what the range holds (read, then written back),
 * harmless over a last record or a torn one. A new cycle file is backed before Chronicle creates it: it is written as
 * Chronicle's pre-created file ({@code NAME.precreated}, ignored by readers), which Chronicle
 * renames into place when the appender rolls to that cycle and then fills with the file header,
 * the index-of-indexes and the first index array, all inside the backed region.
 * <p>
 * Chronicle's table store is backed whole when the writer opens (see {@link #backTableStore}).
 * <p>
 * Owned by the core thread (the only appender): not thread-safe.
 */
final class JournalSpace implements AutoCloseable
{
    /** How far beyond the next record a reservation reaches: one batch of writes per stretch. */
    static final long STEP = 1L << 20;
    private static final long PAGE = 4096;
    private static final int IO_BYTES = 256 * 1024;

    private final SingleChronicleQueue queue;
    private final RollingResourcesCache files;
    /** Room a record needs beyond its own bytes: header and padding, two index arrays, the EOF marker. */
    private final long overhead;
    /** Room a new cycle file needs before its first record: store header and index-of-indexes. */
    private final long fileHeader;
    private final long maxRecordBytes;
    private final ByteBuffer io = ByteBuffer.allocateDirect(IO_BYTES);
    /** Only ever zeros (positional writes do not change a buffer's content). */
    private final ByteBuffer zeros = ByteBuffer.allocateDirect(IO_BYTES);

    private int cycle = Integer.MIN_VALUE;
    private File file;
    /** The pre-created stand-in being backed for {@code file}, until Chronicle renames it into place; else null. */
    private File standIn;
    private FileChannel channel;
    /** Every byte of the current file below this is backed by blocks. */
    private long reservedUpTo;
    /** Where the next record starts at the latest (an upper bound until the first append to the file). */
    private long end;
    /**
     * True when {@code end} is exact, from an append of this writer or a file it created: nothing
     * lies beyond it, so backing there may write zeros instead of rewriting what is there.
     */
    private boolean endExact;

    /**
     * @param queue          the journal queue the appender writes.
     * @param maxRecordBytes the largest record the writer appends.
     * @throws JournalFullException when the table store cannot be backed.
     */
    JournalSpace(final SingleChronicleQueue queue, final long maxRecordBytes)
    {
        this.queue = queue;
        this.maxRecordBytes = maxRecordBytes;
        final File dir = queue.file();
        this.files = new RollingResourcesCache(queue.rollCycle(), queue.epoch(),
            name -> new File(dir, name + SingleChronicleQueue.SUFFIX), File::getName);
        final long indexArray = queue.indexCount() * 8L + 256;
        this.overhead = 2 * indexArray + PAGE;
        this.fileHeader = indexArray + 4 * PAGE;
        deleteStalePrecreatedFiles(dir.toPath());
        backTableStore(dir.toPath());
    }

    /**
     * Make sure a record of {@code length} bytes appended in {@code cycle} lands in backed space.
     * Fast path: two comparisons.
     *
     * @throws JournalFullException when the file system cannot back it (nothing of the record was written).
     */
    void reserve(final int cycle, final int length)
    {
        if (cycle == this.cycle && end + length + overhead <= reservedUpTo)
        {
            return;
        }
        if (cycle != this.cycle)
        {
            switchTo(cycle);
        }
        extend(end + length + overhead + STEP);
    }

    /**
     * After an append that went to a different file than the one before. Never throws: the
     * record is already in the journal.
     *
     * @param appendedTo the file the record went to.
     * @param position   the end of the record in that file.
     */
    void appendedTo(final File appendedTo, final long position)
    {
        if (!appendedTo.equals(file) || (standIn != null && standIn.exists()))
        {
            // Chronicle rolled to a file this class did not prepare (it cannot, as the writer
            // fixes the time for the append), or created the file itself instead of taking the
            // stand-in: the next reservation starts over from Chronicle's write position in it.
            closeChannel();
            cycle = Integer.MIN_VALUE;
            file = null;
        }
        standIn = null;
        end = position;
        endExact = true;
    }

    /** After an append to the same file as the one before: where it ended. */
    void appended(final long position)
    {
        end = position;
        endExact = true;
    }

    /**
     * Try to back the stretch ahead of the next record again (after a refusal, when space may be back).
     *
     * @throws JournalFullException while the file system still cannot.
     */
    void reserveAhead(final int cycle)
    {
        reserve(cycle, (int)maxRecordBytes);
    }

    private void switchTo(final int newCycle)
    {
        final File target = files.resourceFor(newCycle).path;
        if (target.exists())
        {
            // A file written before this writer opened (or by Chronicle on its own): its write
            // position is where the last record starts; the record and maybe a torn one follow.
            final SingleChronicleQueueStore store = queue.storeForCycle(newCycle, queue.epoch(), false, null);
            final long writePosition = store == null ? 0 : store.writePosition();
            queue.closeStore(store);
            adopt(newCycle, target, target, writePosition);
            end = writePosition + 2 * (maxRecordBytes + overhead);
            endExact = false;
            return;
        }
        // Back the new file before Chronicle creates it: Chronicle renames NAME.precreated into place.
        final File precreated = PrecreatedFiles.preCreatedFile(target);
        adopt(newCycle, target, precreated, 0);
        end = fileHeader;
        endExact = true; // only this class writes a stand-in, and only zeros
    }

    /**
     * @param cycleFile  the cycle's journal file.
     * @param openPath   what to write: the file itself, or its pre-created stand-in (the same
     *                   inode once Chronicle renamed it, so the channel stays valid).
     * @param backedFrom where reserving starts.
     */
    private void adopt(final int newCycle, final File cycleFile, final File openPath, final long backedFrom)
    {
        closeChannel();
        try
        {
            channel = FileChannel.open(openPath.toPath(), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        }
        catch (final IOException ex)
        {
            cycle = Integer.MIN_VALUE;
            file = null;
            throw full(openPath, ex);
        }
        cycle = newCycle;
        file = cycleFile;
        standIn = openPath.equals(cycleFile) ? null : openPath;
        reservedUpTo = backedFrom;
    }

    /** Back [reservedUpTo, target); keeps the progress of a partial success. */
    private void extend(final long target)
    {
        final long upTo = (target + PAGE - 1) / PAGE * PAGE;
        try
        {
            while (reservedUpTo < upTo)
            {
                final int length = (int)Math.min(IO_BYTES, upTo - reservedUpTo);
                reservedUpTo = endExact && reservedUpTo >= end ?
                    writeZeros(reservedUpTo, length) : rewrite(channel, reservedUpTo, length);
            }
        }
        catch (final IOException ex)
        {
            throw full(file, ex);
        }
    }

    /** @return how far the range is now backed (short of the end after a partial write). */
    private long writeZeros(final long position, final int length) throws IOException
    {
        zeros.clear().limit(length);
        long written = position;
        while (zeros.hasRemaining())
        {
            written += channel.write(zeros, written);
        }
        return written;
    }

    /**
     * Write back what {@code [position, position + length)} of a file holds (zeros where it holds
     * nothing): allocates blocks for holes, changes no byte. Only the appending thread writes
     * the journal, and it is here, so nothing changes the range in between.
     *
     * @return how far the range is now backed (short of the end after a partial write).
     */
    private long rewrite(final FileChannel to, final long position, final int length) throws IOException
    {
        io.clear().limit(length);
        while (io.hasRemaining())
        {
            if (to.read(io, position + io.position()) < 0)
            {
                break; // past the end of the file: zeros, as a sparse extension would read
            }
        }
        while (io.hasRemaining())
        {
            io.put((byte)0);
        }
        io.flip();
        long written = position;
        while (io.hasRemaining())
        {
            written += to.write(io, written);
        }
        return written;
    }

    /**
     * Chronicle's table store ({@code metadata.cq4t}: directory listing, locks, counters) is a
     * small sparse mapped file updated in place, at rolls too: back all of it once.
     */
    private void backTableStore(final Path dir)
    {
        final Path tableStore = dir.resolve(SingleChronicleQueue.QUEUE_METADATA_FILE);
        try (FileChannel metadata = FileChannel.open(tableStore, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final long size = metadata.size();
            for (long position = 0; position < size; )
            {
                position = rewrite(metadata, position, (int)Math.min(IO_BYTES, size - position));
            }
        }
        catch (final java.nio.file.NoSuchFileException ignored)
        {
            // none yet: Chronicle creates it with the queue, so there is nothing to back
        }
        catch (final IOException ex)
        {
            throw full(tableStore.toFile(), ex);
        }
    }

    private JournalFullException full(final File where, final IOException ex)
    {
        return new JournalFullException("journal write failed: disk full (" + ex.getMessage() +
            " while reserving journal space in " + where + ")");
    }

    private static void deleteStalePrecreatedFiles(final Path dir)
    {
        // Left by a writer that stopped before rolling into it; possibly for a past cycle.
        try (DirectoryStream<Path> stale = Files.newDirectoryStream(dir, "*.precreated"))
        {
            for (final Path path : stale)
            {
                Files.deleteIfExists(path);
            }
        }
        catch (final IOException ignored)
        {
            // only wasted space
        }
    }

    private void closeChannel()
    {
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignored)
            {
                // nothing was pending on it: every write is positional and already done
            }
            channel = null;
        }
    }

    @Override
    public void close()
    {
        closeChannel();
    }
}
