package ember.replay.engine;

import ember.kernel.state.Disposition;
import ember.kernel.state.ProcessEntry;

/**
 * The scalar facts of one process at one moment, copied out of the (mutable) live entry so they
 * can be compared with the same process after a record is applied.
 *
 * @param signal      the signal whose disposition was captured (the record's signal), or 0.
 * @param disposition the disposition of {@code signal} at that moment.
 * @param owner       the client owning the handler of {@code signal}, 0 when none.
 */
public record ProcessMark(long pid, String name, String user, long parent, boolean stopped, int queued,
    int held, int timers, long signal, Disposition disposition, int owner)
{
    /**
     * @param entry  a live process.
     * @param signal the signal whose disposition to capture.
     * @return its facts now.
     */
    public static ProcessMark of(final ProcessEntry entry, final long signal)
    {
        return new ProcessMark(entry.pid(), entry.name(), entry.user(), entry.parent(), entry.isStopped(),
            entry.queued(), entry.heldSignals().length, entry.timerCount(), signal, entry.disposition(signal),
            entry.handlerOwner(signal));
    }
}
