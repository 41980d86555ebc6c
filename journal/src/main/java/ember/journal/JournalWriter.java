package ember.journal;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.MappedBytes;
import net.openhft.chronicle.bytes.MappedFile;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.file.Path;

/**
 * Appends records to a kernel's journal. Owned by the core thread: not thread-safe.
 * <p>
 * {@link #append(SyscallRecord)} returns once the record is in the memory-mapped queue file, so
 * it survives a crash of the process (the OS keeps the pages); see {@link #sync()} for OS crashes.
 * The space a record goes to is backed by file-system blocks before it is written
 * ({@link JournalSpace}): a full file system refuses the record with a
 * {@link JournalFullException} instead of faulting inside the mapped write.
 * <p>
 * Fail-stop: any other {@link Throwable} from Chronicle during an append or a sync leaves the
 * journal in a state this writer cannot vouch for; it is rethrown, and every later append or sync
 * fails with an {@link IllegalStateException} naming it.
 */
public final class JournalWriter implements AutoCloseable
{
    /** System property of the test-only fault injection, see {@link #failAppendAt}. */
    public static final String FAIL_APPEND_AT_PROPERTY = "ember.journal.failAppendAt";

    /**
     * Test-only fault injection ({@code -Dember.journal.failAppendAt=N}, read when a writer
     * opens): its Nth append throws an {@link InternalError} halfway through writing the record,
     * as a fault in a mapped write does. 0 (the default) disables it.
     */
    private final long failAppendAt = Long.getLong(FAIL_APPEND_AT_PROPERTY, 0);
    private long appends;

    /**
     * Benchmark only ({@code -Dember.journal.unchainedForBench=true}, read when a writer opens):
     * the writer neither chains records nor tags them (tags are 0), so that {@code bin/ember bench}
     * can measure the journaled path with and without the chain. A journal written so fails
     * verification and recovery's chain checks; nothing but the bench sets it.
     */
    public static final String UNCHAINED_FOR_BENCH_PROPERTY = "ember.journal.unchainedForBench";
    private final boolean chained = !Boolean.getBoolean(UNCHAINED_FOR_BENCH_PROPERTY);

    private final AppendClock clock = new AppendClock();
    private final SingleChronicleQueue queue;
    private final ExcerptAppender appender;
    private final JournalSpace space;
    private final RecordCodec codec = new RecordCodec();
    private final HashChain chain = new HashChain();
    private final int maxRecordBytes;
    /** Wrapped on each record's bytes inside the open document (see {@link #append}). */
    private final org.agrona.concurrent.UnsafeBuffer target = new org.agrona.concurrent.UnsafeBuffer(0, 0);
    private MappedFile lastFile;
    private Throwable failure;

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
        queue = Journal.builder(kernelDir, false, blockSize, rollCycle).timeProvider(clock).build();
        try
        {
            appender = queue.createAppender();
            final int lastCycle = queue.lastCycle();
            if (lastCycle >= 0)
            {
                // Never before the newest file, whatever the clock says: Chronicle would append
                // to an older cycle, out of index order.
                clock.fix(lastCycle * (long)queue.rollCycle().lengthInMillis());
            }
            maxRecordBytes = maxRecordBytes(blockSize);
            space = new JournalSpace(queue, maxRecordBytes);
        }
        catch (final RuntimeException ex)
        {
            queue.close();
            throw ex;
        }
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
     * Continue the hash chain from what recovery found: {@code hash} is {@code h(index)} and the
     * next record appended is {@code index + 1}. A new journal starts from the genesis value.
     *
     * @param hash null for the genesis value (index 0).
     */
    public void resumeChain(final long index, final byte[] hash)
    {
        chain.resume(index, hash);
    }

    /** @return the chain head: {@code h(i)} of the last record appended (or resumed from); read, not kept. */
    public HashChain chain()
    {
        return chain;
    }

    /**
     * Encode and append one record, whole or not at all, and chain it ({@link HashChain}: over
     * the frame's bytes, once the record is in the journal, so a refused record is not chained);
     * the document holds the frame then its {@link ChainTag}, the first 8 bytes of {@code h(index)}.
     *
     * @param record whose {@code index} and {@code timestamp} are already set.
     * @return the bytes of the record's document now in the journal, frame and tag (for the kernel's counters).
     * @throws JournalFullException when the file system cannot back the record (nothing is written).
     * @throws JournalException     when the record is larger than the journal takes (nothing is written).
     * @throws Throwable            anything else Chronicle throws: the journal has failed (see the class).
     */
    public int append(final SyscallRecord record)
    {
        checkNotFailed();
        final int length = RecordCodec.encodedLength(record);
        final int documentLength = length + ChainTag.BYTES;
        if (documentLength > maxRecordBytes)
        {
            throw new JournalException("record of " + documentLength + " bytes is larger than the journal's limit of " +
                maxRecordBytes + " bytes");
        }
        clock.fix(record.timestamp / 1_000_000);
        space.reserve(queue.cycle(), documentLength);
        try
        {
            final long end;
            final Bytes<?> bytes;
            try (DocumentContext dc = appender.writingDocument())
            {
                try
                {
                    bytes = dc.wire().bytes();
                    final long start = bytes.writePosition();
                    // Claim the record's bytes in the document, then encode straight into them: no
                    // scratch copy. A record is at most a quarter of a block, which Chronicle maps
                    // contiguously from any position (its chunks overlap by that much).
                    bytes.writeSkip(documentLength);
                    final long address = bytes.addressForWrite(start);
                    if (++appends == failAppendAt)
                    {
                        target.wrap(address, length / 2);
                        target.setMemory(0, length / 2, (byte)0x5A); // half a record's worth written, then the fault
                        throw new InternalError("a fault occurred in a recent unsafe memory access operation " +
                            "(injected by " + FAIL_APPEND_AT_PROPERTY + "=" + failAppendAt + ")");
                    }
                    target.wrap(address, documentLength);
                    codec.encode(record, target, 0);
                    // The encoded record is now [address, address + length) of the open document
                    // (also target's bytes 0..length): the chain reads the exact journaled bytes
                    // here. Nothing after this point but the commit can fail, and a failing commit
                    // fails the writer for good, so a refused record is never chained.
                    if (chained)
                    {
                        chain.update(target, 0, length);
                    }
                    target.putLong(length, chained ? chain.tag() : 0L, java.nio.ByteOrder.LITTLE_ENDIAN);
                    end = bytes.writePosition();
                }
                catch (final Throwable ex)
                {
                    dc.rollbackOnClose(); // never leave a partial document behind
                    throw ex;
                }
            }
            final MappedFile file = bytes instanceof MappedBytes ? ((MappedBytes)bytes).mappedFile() : null;
            if (file != lastFile)
            {
                lastFile = file;
                space.appendedTo(appender.currentFile(), end);
            }
            else
            {
                space.appended(end);
            }
            return length;
        }
        catch (final Throwable ex)
        {
            failure = ex;
            throw ex;
        }
    }

    /**
     * Back the space the next record may need again, after a {@link JournalFullException}.
     *
     * @throws JournalFullException while the file system still cannot.
     */
    public void reserveAhead()
    {
        checkNotFailed();
        space.reserveAhead(queue.cycle()); // the cycle of the last record: the next one's is not known yet
    }

    /** @return the Chronicle index of the last record this writer appended (for snapshots). */
    public long lastChronicleIndex()
    {
        return appender.lastIndexAppended();
    }

    /** Force the appended records to the storage device (msync); a failure here is fail-stop too. */
    public void sync()
    {
        checkNotFailed();
        try
        {
            appender.sync();
        }
        catch (final Throwable ex)
        {
            failure = ex;
            throw ex;
        }
    }

    private void checkNotFailed()
    {
        if (failure != null)
        {
            throw new IllegalStateException("the journal failed earlier: " + failure);
        }
    }

    @Override
    public void close()
    {
        try
        {
            appender.close();
        }
        finally
        {
            space.close();
            queue.close();
        }
    }
}
