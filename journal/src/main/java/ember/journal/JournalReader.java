package ember.journal;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.file.Path;

/**
 * Reads a kernel's journal record by record, verifying each record's checksum and that indexes
 * follow each other without a gap. Works while a kernel is appending: {@link #next(SyscallRecord)}
 * returns false at the current end and true again once more records are written. A record being
 * written (or torn by a crash mid-write) is not visible: Chronicle marks it not-complete.
 * <p>
 * With chain checks (the default) it recomputes the hash chain, compares each record's chain tag
 * and checks each checkpoint: a checkpoint at {@code j} may cover any {@code c} with
 * {@code j - Checkpoint.MAX_LAG <= c < j} after the index the checkpoint before it covers (the
 * kernel signs off its core thread), so the reader keeps the last {@code MAX_LAG} chain values
 * (128 KB, made at its first record).
 * <p>
 * Not thread-safe: one reader per thread.
 */
public final class JournalReader implements AutoCloseable
{
    private final ChronicleQueue queue;
    private final ExcerptTailer tailer;
    /** Longest document decoded in place: far below the chunk overlap of any block size Ember uses. */
    private static final int IN_PLACE_MAX_BYTES = 64 * 1024;
    private final RecordCodec codec = new RecordCodec();
    private final HashChain chain = new HashChain();
    private byte[] frame = new byte[512];
    /** A view of {@link #frame}, the document copied out of the journal. */
    private final org.agrona.concurrent.UnsafeBuffer frameView = new org.agrona.concurrent.UnsafeBuffer(new byte[0]);
    /** The mapped document being decoded in place ({@link #withoutChainChecks} readers). */
    private final org.agrona.concurrent.UnsafeBuffer inPlace = new org.agrona.concurrent.UnsafeBuffer(0, 0);
    private long lastIndex;
    private long chronicleIndex = -1;
    private long offset = -1;
    private java.security.PublicKey checkpointKey;
    private long checkpointKeyId;
    private long lastCheckpoint;
    private int frameLength;
    /** {@link #frame} holds the last record read (not so after an in-place read). */
    private boolean frameKept;
    /** A record read carried a {@link ChainTag}: every later one must. */
    private boolean tagged;
    /** Recompute the hash chain and check tags and checkpoints (see {@link #withoutChainChecks}). */
    private boolean chainChecked = true;
    /**
     * The last {@link Checkpoint#MAX_LAG} chain values, {@code h(i)} at slot {@code i % MAX_LAG}, for
     * checkpoints that cover an index a few records before them; made at the first record read
     * with chain checks, null without them.
     */
    private byte[] recentChain;
    /** The index whose value each slot of {@link #recentChain} holds; -1 for none (an unknown chain). */
    private long[] recentIndex;
    /** The index the last well-formed checkpoint read covers (each must cover a later one). */
    private long lastCovered;
    /** The index the last checkpoint that passed its checks covers, 0 before the first. */
    private long lastGoodCovered;

    /**
     * @param kernelDir the kernel directory.
     * @param readOnly  open the queue files read-only (audit and replay tools).
     * @throws JournalMetadataException read-only, at once, when the journal folder holds no cycle
     *     file yet: its very first open never finished, so its metadata is missing or half made.
     */
    /**
     * Read on without recomputing the hash chain: no tag, checkpoint or signature is checked, only
     * each record's CRC32C and index sequence. For the debugging commands, whose speed is replay
     * speed (SHA-256 per record costs about as much as the rest of a replay); the audit
     * ({@code replay-tool verify}, {@code head}, {@code prove}) and recovery keep the checks.
     *
     * @return this reader. Call before the first {@link #next}.
     */
    public JournalReader withoutChainChecks()
    {
        chainChecked = false;
        return this;
    }

    public JournalReader(final Path kernelDir, final boolean readOnly)
    {
        if (readOnly && Journal.firstOpenUnfinished(kernelDir))
        {
            throw new JournalMetadataException();
        }
        queue = Journal.openQueue(kernelDir, readOnly, Journal.DEFAULT_BLOCK_SIZE);
        tailer = queue.createTailer();
    }

    /**
     * Read the next record.
     *
     * @param record to fill.
     * @return false when no further complete record is there (yet).
     * @throws CorruptRecordException naming the record's position when it is damaged.
     */
    public boolean next(final SyscallRecord record)
    {
        try
        {
            return read(record);
        }
        catch (final CorruptRecordException ex)
        {
            throw ex;
        }
        catch (final RuntimeException | InternalError ex)
        {
            // Chronicle's own framing is damaged (a header or index entry; a length pointing past
            // the mapped file faults as InternalError): name where we were.
            throw corrupt("unreadable journal document: " + ex);
        }
    }

    private boolean read(final SyscallRecord record)
    {
        try (DocumentContext dc = tailer.readingDocument())
        {
            if (!dc.isPresent())
            {
                return false;
            }
            chronicleIndex = dc.index();
            final Bytes<?> bytes = dc.wire().bytes();
            offset = bytes.readPosition();
            final long remaining = bytes.readRemaining();
            if (remaining > RecordCodec.MAX_FRAME_BYTES)
            {
                throw corrupt("record of " + remaining + " bytes is larger than any Ember record");
            }
            final int length = (int)remaining;
            if (!chainChecked && length <= IN_PLACE_MAX_BYTES && readInPlace(bytes, length, record))
            {
                return true;
            }
            if (frame.length < length)
            {
                frame = new byte[Math.max(length, frame.length * 2)];
            }
            bytes.read(frame, 0, length);
            final int frameBytes = ChainTag.frameLength(frame, length);
            frameView.wrap(frame, 0, length);
            decode(frameView, frameBytes, record);
            checkSequence(record);
            if (!chainChecked)
            {
                lastIndex = record.index;
                frameLength = frameBytes;
                frameKept = true;
                return true;
            }
            final boolean isCheckpoint = record.type == SyscallType.CHECKPOINT;
            rememberChainValue();
            final boolean hasTag = frameBytes != length;
            if (tagged && !hasTag)
            {
                throw corrupt("record " + record.index + " carries no chain tag but the records before it do " +
                    "(inserted, or its tag stripped)");
            }
            chain.update(frame, 0, frameBytes);
            if (hasTag && chain.isKnown() && chain.tag() != ChainTag.read(frame, frameBytes))
            {
                throw corrupt("record " + record.index + " does not match its chain tag: the records give h(" +
                    record.index + ")=" + ChainTag.hex(chain.tag()) + "..., its tag says " +
                    ChainTag.hex(ChainTag.read(frame, frameBytes)) + "... (this record was changed, inserted, reordered " +
                    "or spliced from another journal)");
            }
            tagged |= hasTag;
            if (isCheckpoint)
            {
                // After its own tag: a checkpoint changed in place is named as such, not as a
                // rewrite of the records it covers.
                checkCheckpoint(record);
            }
            lastIndex = record.index;
            frameLength = frameBytes;
            frameKept = true;
            return true;
        }
    }

    /**
     * Also check every checkpoint's signature (its chain value is always checked, while the
     * chain is {@linkplain HashChain#isKnown known}).
     *
     * @param key the kernel's public checkpoint key; null to check chain values only.
     */
    public void checkSignatures(final java.security.PublicKey key)
    {
        this.checkpointKey = key;
        this.checkpointKeyId = key == null ? 0 : CheckpointKey.keyId(key);
    }

    /** @return the index the last checkpoint that passed its checks covers, 0 before the first. */
    public long lastCovered()
    {
        return lastGoodCovered;
    }

    /** Keep {@code h(chain.index())}, before the chain moves past it: a later checkpoint may sign it. */
    private void rememberChainValue()
    {
        if (recentChain == null)
        {
            recentChain = new byte[Checkpoint.MAX_LAG * HashChain.HASH_BYTES];
            recentIndex = new long[Checkpoint.MAX_LAG];
            java.util.Arrays.fill(recentIndex, -1);
        }
        final int slot = (int)(chain.index() % Checkpoint.MAX_LAG);
        if (chain.isKnown())
        {
            chain.headInto(recentChain, slot * HashChain.HASH_BYTES);
            recentIndex[slot] = chain.index();
        }
        else
        {
            recentIndex[slot] = -1;
        }
    }

    /** @return the index of the last checkpoint read that passed its checks, 0 before the first. */
    public long lastCheckpoint()
    {
        return lastCheckpoint;
    }

    /**
     * A checkpoint at index {@code j} must cover an index {@code c} with {@code j - MAX_LAG <= c < j}
     * after the one the checkpoint before it covers, sign the chain value the records read give
     * there (when this reader knows it), and (when a key is given) carry that key's valid signature.
     */
    private void checkCheckpoint(final SyscallRecord record)
    {
        final Checkpoint checkpoint;
        try
        {
            checkpoint = Checkpoint.of(record);
        }
        catch (final CorruptRecordException ex)
        {
            throw corrupt(ex.getMessage());
        }
        final long j = record.index;
        final long c = checkpoint.covered();
        final String since = lastCheckpoint == 0 ? "" : " after the last good checkpoint at index " + lastCheckpoint;
        // With chain tags, every record up to here matched the chain: a checkpoint that disagrees
        // means records after the last good checkpoint's covered index were rewritten and their
        // chain (tags) recomputed, and only the signed value says so; without tags, the fault lies
        // somewhere in that range too.
        final long from = Math.max(lastGoodCovered, chain.knownSince()) + 1;
        final boolean located = tagged && chain.isKnown();
        final long range = located ? from : 0;
        final String misplaced = c >= j ? "at or after itself" :
            c < j - Checkpoint.MAX_LAG ? "more than " + Checkpoint.MAX_LAG + " records before it" :
            c <= lastCovered ? "not after index " + lastCovered + ", which the checkpoint before it covers" : null;
        if (misplaced != null)
        {
            throw corrupt((located ? "records " + from + ".." + (j - 1) + " rewritten: chain recomputed, " : "") +
                "checkpoint " + j + " covers index " + c + ", " + misplaced + " (records were removed, inserted or " +
                "renumbered" + since + ")", range);
        }
        final String rewritten = located ? "records " + from + ".." + c + " rewritten: chain recomputed, " : "";
        final int slot = (int)(c % Checkpoint.MAX_LAG);
        final boolean valueKnown = chain.isKnown() && recentIndex[slot] == c; // else read from after c (a snapshot)
        if (valueKnown && !java.util.Arrays.equals(recentChain, slot * HashChain.HASH_BYTES,
            (slot + 1) * HashChain.HASH_BYTES, checkpoint.hash(), 0, HashChain.HASH_BYTES))
        {
            throw corrupt(rewritten + "hash chain broken at checkpoint " + j + ": it signs h(" + c + ")=" +
                checkpoint.hashHex() + " but the records read give " + java.util.HexFormat.of().formatHex(
                    java.util.Arrays.copyOfRange(recentChain, slot * HashChain.HASH_BYTES, (slot + 1) * HashChain.HASH_BYTES)) +
                (located ? "" : " (a record in " + from + ".." + c + " was changed, removed, inserted or reordered)"), range);
        }
        if (checkpointKey != null)
        {
            if (checkpoint.keyId() != checkpointKeyId)
            {
                throw corrupt("checkpoint " + j + " is signed by key " + CheckpointKey.keyIdHex(checkpoint.keyId()) +
                    ", not by the given key " + CheckpointKey.keyIdHex(checkpointKeyId) + " (a journal of another kernel)");
            }
            if (!checkpoint.verifies(checkpointKey))
            {
                throw corrupt(rewritten + "signature at checkpoint " + j + " does not match" +
                    (located ? "" : " (forged or rebuilt with another key)"), range);
            }
        }
        lastCovered = c;
        if (valueKnown)
        {
            lastCheckpoint = j;
            lastGoodCovered = c;
        }
    }

    /**
     * Position the reader after record {@code index}, which a snapshot says sits at Chronicle
     * index {@code chronicleIndex}; the record there is read and must carry that index.
     *
     * @return false when the journal does not hold that record there (the snapshot does not
     *     belong to this journal); the reader is then back at the start.
     */
    public boolean resumeAfter(final long index, final long chronicleIndex)
    {
        final SyscallRecord record = new SyscallRecord();
        try
        {
            if (tailer.moveToIndex(chronicleIndex))
            {
                final long saved = lastIndex;
                lastIndex = index - 1;
                chain.unknownAt(index - 1); // the record there is read, not checked against the chain
                if (next(record) && record.index == index)
                {
                    chain.unknownAt(index); // until the caller resumes it from the snapshot's value
                    return true;
                }
                lastIndex = saved;
            }
        }
        catch (final CorruptRecordException ex)
        {
            // fall through: not usable
        }
        tailer.toStart();
        chain.resume(0, null);
        lastIndex = 0;
        lastCovered = 0;
        lastGoodCovered = 0;
        lastCheckpoint = 0;
        this.chronicleIndex = -1; // the parameter shadows the field
        offset = -1;
        return false;
    }

    /**
     * Read a journal whose earlier records were pruned from its first remaining record, for
     * checks and lookups that need no state before it (replay still needs a snapshot).
     *
     * @param index the index the first record in the journal carries.
     * @throws IllegalStateException when a record was read or the reader was positioned already.
     */
    public void startAt(final long index)
    {
        if (chronicleIndex >= 0 || lastIndex != 0)
        {
            throw new IllegalStateException("startAt is only for a reader at the start of the journal");
        }
        lastIndex = index - 1;
        chain.unknownAt(index - 1);
    }

    /**
     * @return the hash chain over the records read: {@code h(lastIndex())} after each
     *     {@link #next}; from the genesis value when reading from the journal's first record,
     *     {@linkplain HashChain#isKnown unknown} after {@link #resumeAfter} or {@link #startAt}
     *     until the caller {@linkplain HashChain#resume resumes} it (from a snapshot's value).
     */
    public HashChain chain()
    {
        return chain;
    }

    /** Decode the frame at the start of {@code document}, naming this reader's position when it is damaged. */
    private void decode(final org.agrona.DirectBuffer document, final int frameBytes, final SyscallRecord record)
    {
        try
        {
            codec.decode(document, 0, frameBytes, record);
        }
        catch (final CorruptRecordException ex)
        {
            throw corrupt(ex.getMessage());
        }
    }

    private void checkSequence(final SyscallRecord record)
    {
        if (record.index != lastIndex + 1)
        {
            if (lastIndex == 0 && record.index > 1)
            {
                throw corrupt("the journal starts at index " + record.index + ": earlier records were pruned, " +
                    "so it can only be read from a snapshot taken at or after index " + (record.index - 1));
            }
            throw corrupt("record index " + record.index + " follows index " + lastIndex);
        }
    }

    /**
     * Decode the record straight from the mapped document, without copying it out: the debugging
     * replays' path (no chain, so nothing else needs the frame's bytes). Only when the document
     * lies wholly in the chunk Chronicle mapped for it, which it does for any Ember record (a
     * record is at most a quarter of a block, and chunks overlap by that much); else the caller
     * copies, as Chronicle's read handles any layout.
     *
     * @return false when the document is not contiguous in memory here: nothing was read.
     */
    private boolean readInPlace(final Bytes<?> bytes, final int length, final SyscallRecord record)
    {
        final long address = bytes.addressForRead(offset, length);
        if (!bytes.bytesStore().inside(offset, length))
        {
            return false;
        }
        inPlace.wrap(address, length);
        final int frameBytes = ChainTag.frameLength(inPlace, 0, length);
        decode(inPlace, frameBytes, record);
        checkSequence(record);
        lastIndex = record.index;
        frameLength = frameBytes;
        frameKept = false; // not copied: frame() is not valid
        return true;
    }

    /**
     * @return the frame of the last record read, as the journal holds it (valid until the next read; do not change it).
     * @throws IllegalStateException on a reader {@link #withoutChainChecks()}, which decodes records
     *     in place and keeps no frame.
     */
    public byte[] frame()
    {
        if (!frameKept)
        {
            throw new IllegalStateException("a reader without chain checks keeps no frame");
        }
        return frame;
    }

    /** @return the length of {@link #frame()}'s record. */
    public int frameLength()
    {
        return frameLength;
    }

    /** @return the file offset of the last record read (its body, after Chronicle's header), -1 before the first. */
    public long offset()
    {
        return offset;
    }

    /** @return the Chronicle index of the last record read, -1 before the first (snapshots record it). */
    public long chronicleIndex()
    {
        return chronicleIndex;
    }

    /** @return the Chronicle queue this reader reads (for tools that manage its files). */
    public ChronicleQueue queue()
    {
        return queue;
    }

    /** @return the index of the last record read, 0 before the first. */
    public long lastIndex()
    {
        return lastIndex;
    }

    /**
     * @return where the last record read sits: its Chronicle cycle (one file per cycle) and the
     * sequence number inside that file.
     */
    public String position()
    {
        if (chronicleIndex < 0)
        {
            return "start of journal " + Journal.queueDir(queue.file().toPath().getParent()).toString();
        }
        final int cycle = queue.rollCycle().toCycle(chronicleIndex);
        final long sequence = queue.rollCycle().toSequenceNumber(chronicleIndex);
        return "file " + queue.file().toPath().resolve(fileName(cycle)) + ", excerpt " + sequence +
            (offset >= 0 ? ", offset " + offset : "");
    }

    private String fileName(final int cycle)
    {
        final java.time.format.DateTimeFormatter format =
            java.time.format.DateTimeFormatter.ofPattern(queue.rollCycle().format()).withZone(java.time.ZoneOffset.UTC);
        return format.format(java.time.Instant.ofEpochMilli(cycle * (long)queue.rollCycle().lengthInMillis())) + ".cq4";
    }

    private CorruptRecordException corrupt(final String reason)
    {
        return corrupt(reason, 0);
    }

    private CorruptRecordException corrupt(final String reason, final long rewrittenFrom)
    {
        if (rewrittenFrom > 0)
        {
            return new CorruptRecordException(reason + " (checkpoint at " + position() + ")", rewrittenFrom);
        }
        return new CorruptRecordException("corrupt record after index " + lastIndex + " (" + position() + "): " + reason);
    }

    @Override
    public void close()
    {
        tailer.close();
        queue.close();
    }
}
