package ember.replay.engine;

import ember.journal.JournalReader;
import ember.journal.SyscallRecord;
import ember.kernel.state.JournalReplay;
import ember.kernel.state.KernelEffects;
import ember.kernel.state.KernelState;
import ember.kernel.state.ProcessEntry;
import ember.kernel.state.SyscallResult;

/**
 * Walks a journal record by record through the kernel's own replay ({@link JournalReplay}), so
 * every outcome is the one {@code KernelState.apply} computes, and shows each record together with
 * the caller's user just before it, and with what apply reported about it through
 * {@link KernelEffects} ({@link EffectRecorder}: the record's {@link Effect}s).
 * <p>
 * To see "just before", a second, read-ahead reader peeks at the next record; the caller's user
 * is read and then exactly that record is applied by {@link JournalReplay} reading its own reader. Both readers verify every record, so a damaged record stops the walk
 * with the reader's {@link ember.journal.CorruptRecordException} before anything of it is shown.
 * <p>
 * The walk starts at an {@link Origin}: the empty state, or a snapshot when the journal's first
 * records were pruned (or a later point is all the caller needs).
 * <p>
 * Works while a kernel appends: {@link #hasNext()} is false at the current end and true again
 * once more records are written. Not thread-safe.
 */
public final class Stepper implements AutoCloseable
{
    private static final long VISIBILITY_WAIT_NS = 5_000_000_000L;

    private final Origin origin;
    private final KernelState state;
    private final JournalReader applyReader;
    private final SyscallRecord next = new SyscallRecord();
    private final SyscallRecord scratch = new SyscallRecord();
    private final long lastAtStart;
    private JournalReader peekReader;
    private boolean peeked;
    /** What apply reports about the record being applied. */
    private final EffectRecorder recorder = new EffectRecorder();

    /** @param origin where the walk starts: the record after it comes first. */
    public Stepper(final Origin origin)
    {
        this.origin = origin;
        this.state = origin.newState();
        this.lastAtStart = origin.dir().lastIndex();
        this.applyReader = origin.openReplayReader();
    }

    /**
     * Call when {@link #hasNext()} is false: checks that the walk reached the last record the
     * journal held when this stepper was opened.
     *
     * @throws ember.journal.CorruptRecordException when a damaged record header ended the walk early.
     */
    public void checkReachedEnd()
    {
        JournalDir.checkReachedEnd(state.lastIndex(), lastAtStart);
    }

    /** @return the replayed state: after the last record stepped or skipped. Read only. */
    public KernelState state()
    {
        return state;
    }

    /**
     * Apply records without looking at them (the fast path), up to and including {@code index}
     * or the current end of the journal, whichever comes first.
     *
     * @param index    the last record to apply.
     * @param progress told how far replay got.
     * @return the index reached.
     */
    public long skipTo(final long index, final Progress progress)
    {
        if (peeked)
        {
            if (next.index > index)
            {
                return state.lastIndex();
            }
            applyPeeked();
        }
        if (state.lastIndex() < index)
        {
            Replays.replay(applyReader, state, index, progress);
        }
        return state.lastIndex();
    }

    /**
     * As {@link #skipTo(long, Progress)}, telling {@code observer} about every record applied
     * (right after it is applied; the state it sees is this stepper's), e.g. to keep checkpoints
     * ({@link #chronicleIndex()}) or test a condition after each record.
     *
     * @param index    the last record to apply.
     * @param observer told about each record; must not keep the record or result it is given.
     * @return the index reached.
     */
    public long skipTo(final long index, final JournalReplay.Observer observer)
    {
        if (peeked)
        {
            if (next.index > index)
            {
                return state.lastIndex();
            }
            final SyscallResult result = new SyscallResult();
            applyOne(scratch, result);
            observer.applied(scratch, result, state);
        }
        if (state.lastIndex() < index)
        {
            Replays.observe(applyReader, state, index, observer);
        }
        return state.lastIndex();
    }

    /**
     * @return the Chronicle index of the last record applied ({@link #state()}'s last index), -1
     *     before the first: with the state's image, a start ({@link Origin#inMemory}).
     */
    public long chronicleIndex()
    {
        return applyReader.chronicleIndex();
    }

    /** @return true when a next record is in the journal now. */
    public boolean hasNext()
    {
        if (!peeked)
        {
            final JournalReader reader = peekReader();
            try
            {
                peeked = reader.next(next);
            }
            catch (final InternalError ex)
            {
                throw Unreadable.record(reader, ex);
            }
        }
        return peeked;
    }

    /** @return the index of the next record; only after {@link #hasNext()} returned true. */
    public long nextIndex()
    {
        return next.index;
    }

    /** @return the timestamp of the next record; only after {@link #hasNext()} returned true. */
    public long nextTimestamp()
    {
        return next.timestamp;
    }

    /**
     * Apply the next record and describe it.
     *
     * @return the step; only after {@link #hasNext()} returned true.
     */
    public Step step()
    {
        if (!hasNext())
        {
            throw new IllegalStateException("no next record");
        }
        final ProcessEntry caller = next.type.isClientCall() ? state.process(next.pid) : null;
        final String user = caller != null ? caller.user() : null;
        final SyscallRecord record = new SyscallRecord();
        final SyscallResult result = new SyscallResult();
        applyOne(record, result);
        return new Step(record, result, user, recorder.finish(result));
    }

    private void applyPeeked()
    {
        applyOne(scratch, new SyscallResult());
    }

    private void applyOne(final SyscallRecord copy, final SyscallResult resultCopy)
    {
        final long index = next.index;
        final long deadline = System.nanoTime() + VISIBILITY_WAIT_NS;
        while (applyNext(index, copy, resultCopy) == 0)
        {
            // The peeking reader saw the record complete; the applying reader will too.
            if (System.nanoTime() > deadline)
            {
                throw new IllegalStateException("record " + index + " seen by one reader but not the other");
            }
            Thread.onSpinWait();
        }
        if (copy.index != index || state.lastIndex() != index)
        {
            throw new IllegalStateException("readers disagree: expected record " + index + ", applied " + copy.index);
        }
        peeked = false;
    }

    private long applyNext(final long index, final SyscallRecord copy, final SyscallResult resultCopy)
    {
        try
        {
            recorder.begin(next);
            return JournalReplay.replay(applyReader, state, index, recorder, (record, result, s) ->
            {
                copy.copyFrom(record);
                resultCopy.kind = result.kind;
                resultCopy.number = result.number;
                resultCopy.value = result.value;
                resultCopy.error = result.error;
            });
        }
        catch (final InternalError ex)
        {
            throw Unreadable.record(applyReader, ex);
        }
    }

    private JournalReader peekReader()
    {
        if (peekReader == null)
        {
            peekReader = origin.openReplayReader();
        }
        try
        {
            while (peekReader.lastIndex() < state.lastIndex())
            {
                if (!peekReader.next(scratch))
                {
                    throw new IllegalStateException("journal shorter on a second read than on the first");
                }
            }
        }
        catch (final InternalError ex)
        {
            throw Unreadable.record(peekReader, ex);
        }
        return peekReader;
    }

    @Override
    public void close()
    {
        applyReader.close();
        if (peekReader != null)
        {
            peekReader.close();
        }
    }
}
