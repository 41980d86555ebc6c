package ember.replay.engine;

import ember.journal.JournalReader;
import ember.kernel.state.JournalReplay;
import ember.kernel.state.KernelState;

/**
 * The fast path: apply records through {@link JournalReplay} without looking at them.
 */
public final class Replays
{
    private Replays()
    {
    }

    /**
     * Apply records after {@code state.lastIndex()} up to and including {@code upToIndex} (or the
     * journal's current end).
     *
     * @return the number of records applied.
     * @throws ember.journal.CorruptRecordException on a damaged record (records before it are applied).
     */
    public static long replay(final JournalReader reader, final KernelState state, final long upToIndex,
        final Progress progress)
    {
        try
        {
            if (progress == Progress.NONE)
            {
                return JournalReplay.replay(reader, state, upToIndex, null);
            }
            return JournalReplay.replay(reader, state, upToIndex, (record, result, s) -> progress.at(record.index));
        }
        catch (final InternalError ex)
        {
            throw Unreadable.record(reader, ex);
        }
    }

    /**
     * Apply records through {@link JournalReplay} with an observer, turning a read past the end of
     * a file into a {@link ember.journal.CorruptRecordException}.
     *
     * @return the number of records applied.
     */
    public static long observe(final JournalReader reader, final KernelState state, final long upToIndex,
        final JournalReplay.Observer observer)
    {
        try
        {
            return JournalReplay.replay(reader, state, upToIndex, observer);
        }
        catch (final InternalError ex)
        {
            throw Unreadable.record(reader, ex);
        }
    }

    /**
     * Replay a journal from a start into a fresh state.
     *
     * @param origin    where replay starts: the empty state or a snapshot at or before {@code upToIndex}.
     * @param upToIndex the last record to apply.
     * @param task      shown with the progress bar (when on a terminal).
     * @return the state after that record, or after the journal's last record.
     */
    public static KernelState stateAt(final Origin origin, final long upToIndex, final String task)
    {
        final KernelState state = origin.newState();
        final long last = origin.dir().lastIndex();
        try (JournalReader reader = origin.openReplayReader();
             Progress progress = Progress.onTerminal(task, upToIndex != Long.MAX_VALUE ? upToIndex : last))
        {
            replay(reader, state, upToIndex, progress);
        }
        if (state.lastIndex() < upToIndex)
        {
            JournalDir.checkReachedEnd(state.lastIndex(), last);
        }
        return state;
    }
}
