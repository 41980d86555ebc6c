package ember.replay.engine;

import ember.journal.SyscallRecord;
import ember.kernel.state.SyscallResult;

import java.util.List;

/**
 * One record as replayed: the record, its outcome from {@code KernelState.apply}, the caller's
 * user just before it was applied, and the effects apply reported ({@link EffectRecorder}).
 *
 * @param record  a private copy of the record.
 * @param result  a private copy of its outcome.
 * @param user    the caller's user before the record, null for kernel actions or a dead caller.
 * @param effects what apply reported it did, in order.
 */
public record Step(SyscallRecord record, SyscallResult result, String user, List<Effect> effects)
{
    /** @return the record's index. */
    public long index()
    {
        return record.index;
    }
}
