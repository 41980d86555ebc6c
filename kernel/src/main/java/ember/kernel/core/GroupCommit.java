package ember.kernel.core;

import ember.journal.JournalWriter;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The core's sync policy ({@link SyncMode}): when the journal is forced to disk, when a caller may
 * be answered, and how far the journal's high-water mark may claim.
 * <ul>
 * <li>{@link SyncMode#ALWAYS}: each record is forced before it is applied ({@link #afterAppend});
 * callers are answered at once.</li>
 * <li>{@link SyncMode#BATCH}: group commit. Answers wait in the unsynced list until the duty
 * cycle's one msync ({@link #commit}); a failed msync is fail-stop and its callers get an error,
 * never an acknowledgement the disk may not hold.</li>
 * <li>{@link SyncMode#NONE}: never forced (the process-crash case only); answered at once.</li>
 * </ul>
 * The simulator's {@link CoreProbe} may skip a sync (a planted bug) and observes each one.
 * <p>
 * Thread ownership: the core thread only (not thread-safe). Allocates nothing per record (the
 * unsynced list keeps its capacity).
 */
final class GroupCommit
{
    private final SyncMode mode;
    private final JournalWriter journal;
    private final JournalHighWater highWater;
    private final FailStop failStop;
    /** The core's refusal: answers now, later after a failure, or at once when closing. */
    private final BiConsumer<Command, String> refuse;
    private final ArrayList<Command> unsynced = new ArrayList<>();
    /** SyncMode.BATCH: the last record the latest group commit forced to disk, and where it sits. */
    private long syncedIndex;
    private long syncedChronicleIndex;

    /**
     * @param mode      the configured sync mode.
     * @param journal   the journal the core appends to.
     * @param highWater the journal's high-water mark.
     * @param failStop  the core's fail-stop state (a failed sync is fail-stop).
     * @param refuse    how the core refuses a command (after a failed msync).
     */
    GroupCommit(final SyncMode mode, final JournalWriter journal, final JournalHighWater highWater,
        final FailStop failStop, final BiConsumer<Command, String> refuse)
    {
        this.mode = mode;
        this.journal = journal;
        this.highWater = highWater;
        this.failStop = failStop;
        this.refuse = refuse;
    }

    /**
     * Record {@code index} was appended: under {@link SyncMode#ALWAYS} force it to disk now.
     *
     * @throws RuntimeException when the sync fails (the core treats it as a failed append: fail-stop).
     */
    void afterAppend(final long index)
    {
        if (mode == SyncMode.ALWAYS)
        {
            sync(index);
        }
    }

    /** Answer {@code command} now, or after the duty cycle's msync under {@link SyncMode#BATCH}. */
    void answer(final Command command)
    {
        if (mode == SyncMode.BATCH)
        {
            unsynced.add(command);
        }
        else
        {
            command.complete();
        }
    }

    /** @return true when answers wait for the next {@link #commit}. */
    boolean hasUnsynced()
    {
        return !unsynced.isEmpty();
    }

    /**
     * SyncMode.BATCH, end of a duty cycle: one msync for its records, then answer their callers
     * (after a failure, refuse those not refused already).
     *
     * @param lastIndex the last record appended.
     */
    void commit(final long lastIndex)
    {
        if (!failStop.failed())
        {
            try
            {
                sync(lastIndex);
                syncedIndex = lastIndex;
                syncedChronicleIndex = journal.lastChronicleIndex();
            }
            catch (final Throwable ex)
            {
                failStop.fail("journal sync failed after index " + lastIndex + ": " + ex, ex);
            }
        }
        for (int i = 0; i < unsynced.size(); i++)
        {
            final Command command = unsynced.get(i);
            if (failStop.failed() && command.refusal == null)
            {
                refuse.accept(command, failStop.refusal());
            }
            else
            {
                command.complete();
            }
        }
        unsynced.clear();
    }

    /** Closing after a failure: the answers never msynced (not to be acknowledged) move into {@code into}. */
    void drainUnsyncedTo(final List<Command> into)
    {
        into.addAll(unsynced);
        unsynced.clear();
    }

    /**
     * After the duty cycle's appends: raise the journal's high-water mark to the last record that
     * is in the journal — under SyncMode.BATCH the last one forced to disk — so recovery can tell
     * when the journal later ends earlier. One ordered store when it moved, no syscall.
     *
     * @param lastIndex the last record appended and applied.
     */
    void markHighWater(final long lastIndex)
    {
        if (mode == SyncMode.BATCH)
        {
            highWater.mark(syncedIndex, syncedChronicleIndex);
        }
        else if (lastIndex > highWater.index())
        {
            // SyncMode.ALWAYS forces each record before it is applied; NONE promises the process-crash case only.
            highWater.mark(lastIndex, journal.lastChronicleIndex());
        }
    }

    private void sync(final long index)
    {
        final CoreProbe p = KernelCore.probe;
        if (p == null || !p.skipSync(index))
        {
            journal.sync();
            if (p != null)
            {
                p.onSynced(index);
            }
        }
    }
}
