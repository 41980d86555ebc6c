package ember.kernel.state;

import ember.journal.JournalReader;
import ember.journal.SyscallRecord;

import java.nio.file.Path;

/**
 * Rebuilds a {@link KernelState} from a journal: the one replay path, used by recovery, tests
 * and the replay tool.
 */
public final class JournalReplay
{
    private JournalReplay()
    {
    }

    /** Receives each record after it was applied (tools print, index or check it). */
    @FunctionalInterface
    public interface Observer
    {
        void applied(SyscallRecord record, SyscallResult result, KernelState state);
    }

    /**
     * Apply the journal's records to {@code state}, from the record after its last index up to
     * and including {@code upToIndex}.
     *
     * @param reader    positioned at the record after {@code state.lastIndex()}.
     * @param state     to apply to.
     * @param upToIndex last record to apply; {@code Long.MAX_VALUE} for all.
     * @param observer  told about every record applied, may be null.
     * @return the number of records applied.
     * @throws ember.journal.CorruptRecordException on a damaged record.
     */
    public static long replay(
        final JournalReader reader, final KernelState state, final long upToIndex, final Observer observer)
    {
        return replay(reader, state, upToIndex, KernelEffects.NONE, observer);
    }

    /**
     * As {@link #replay(JournalReader, KernelState, long, Observer)}, telling {@code effects} every
     * consequence apply reports, exactly as the live core hears it (tools show what each record did:
     * {@code effects} is called during the record's apply, {@code observer} right after it);
     * effects never change the state.
     */
    public static long replay(final JournalReader reader, final KernelState state, final long upToIndex,
        final KernelEffects effects, final Observer observer)
    {
        final SyscallRecord record = new SyscallRecord();
        final SyscallResult result = new SyscallResult();
        long applied = 0;
        while (state.lastIndex() < upToIndex && reader.next(record))
        {
            state.apply(record, result, effects);
            applied++;
            if (observer != null)
            {
                observer.applied(record, result, state);
            }
        }
        return applied;
    }

    /**
     * Replay a whole kernel directory into a fresh state, read-only.
     *
     * @param kernelDir the kernel directory.
     * @param upToIndex last record to apply.
     * @return the state after that record (or after the last one).
     */
    public static KernelState replay(final Path kernelDir, final long upToIndex)
    {
        final KernelState state = new KernelState();
        try (JournalReader reader = new JournalReader(kernelDir, true))
        {
            replay(reader, state, upToIndex, null);
        }
        return state;
    }
}
