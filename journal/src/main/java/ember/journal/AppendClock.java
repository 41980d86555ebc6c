package ember.journal;

import net.openhft.chronicle.core.time.TimeProvider;

/**
 * The time Chronicle sees on the writer's queue: fixed by the writer before each append.
 * <p>
 * Chronicle picks the cycle file of an append from the queue's time. With the wall clock, a cycle
 * could begin between the moment {@link JournalSpace} prepared the file of the current cycle and
 * the moment Chronicle appends, and the append would land in a new file with nothing reserved.
 * Fixing the time per append makes both see the same cycle. Chronicle reads this time only to
 * compute cycles.
 * <p>
 * The time is the record's own timestamp (the kernel clock), not the wall clock: files roll on
 * kernel time, so a journal written under a simulated or replayed clock has the same files
 * whatever the wall clock did. It never goes back: a record's timestamp is at least its
 * predecessor's, and {@link #fix} keeps the later of the two anyway (Chronicle cannot append to an
 * earlier cycle). Before the first append it is the wall clock, for the queue's opening.
 * Written and read on the appending thread only.
 */
final class AppendClock implements TimeProvider
{
    /** Until the first {@link #fix}: the queue's opening time, which any first record may precede. */
    private static final long OPENING = Long.MIN_VALUE;
    private long nowMs = OPENING;

    /** @param epochMs the time of the coming append. */
    void fix(final long epochMs)
    {
        nowMs = Math.max(nowMs, epochMs); // OPENING is Long.MIN_VALUE: any first time wins
    }

    @Override
    public long currentTimeMillis()
    {
        return nowMs == OPENING ? System.currentTimeMillis() : nowMs;
    }
}
