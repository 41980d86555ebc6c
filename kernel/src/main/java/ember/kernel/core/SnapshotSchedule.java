package ember.kernel.core;

/**
 * When the core asks for a periodic snapshot: after {@code every} records, or after
 * {@code intervalMs} of kernel time when records were added since the last request (0 turns
 * either off). It only decides; the {@link SnapshotTaker} rebuilds, encodes and writes the state
 * on its own thread, and may refuse a request while it is still taking one — the schedule then
 * stays due and the core asks again on a later duty cycle.
 * <p>
 * Thread ownership: the core thread only. Times are the core's cached kernel clock (epoch ms).
 */
final class SnapshotSchedule
{
    private final long every;
    private final long intervalMs;
    private long lastIndex;
    private long lastMs;

    /**
     * @param every      records between snapshots (0: not by count).
     * @param intervalMs kernel time between snapshots while records are added (0: not by time).
     * @param lastIndex  the index the kernel starts from (recovered: covered by recovery's snapshot or not).
     * @param nowMs      the kernel clock at start.
     */
    SnapshotSchedule(final long every, final long intervalMs, final long lastIndex, final long nowMs)
    {
        this.every = every;
        this.intervalMs = intervalMs;
        this.lastIndex = lastIndex;
        this.lastMs = nowMs;
    }

    /** @return true when a snapshot at {@code index} is due at {@code nowMs}. */
    boolean due(final long index, final long nowMs)
    {
        final long added = index - lastIndex;
        if (added <= 0)
        {
            return false;
        }
        return (every > 0 && added >= every) || (intervalMs > 0 && nowMs - lastMs >= intervalMs);
    }

    /** The taker accepted a request for a snapshot at {@code index}. */
    void requested(final long index, final long nowMs)
    {
        lastIndex = index;
        lastMs = nowMs;
    }
}
