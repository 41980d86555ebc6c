package ember.journal;

import net.openhft.chronicle.core.time.TimeProvider;

/**
 * The time Chronicle sees on the writer's queue: fixed by the writer before each append.
 * <p>
 * Chronicle picks the cycle file of an append from the queue's time. With the wall clock, a cycle
 * could begin between the moment {@link JournalSpace} prepared the file of the current cycle and
 * the moment Chronicle appends, and the append would land in a new file with nothing reserved.
 * Fixing the time per append makes both see the same cycle. Chronicle reads this time only to
 * compute cycles. Written and read on the appending thread only.
 */
final class AppendClock implements TimeProvider
{
    private long nowMs = System.currentTimeMillis();

    /** @param epochMs the time of the coming append. */
    void fix(final long epochMs)
    {
        nowMs = epochMs;
    }

    @Override
    public long currentTimeMillis()
    {
        return nowMs;
    }
}
