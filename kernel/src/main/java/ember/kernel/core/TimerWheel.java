package ember.kernel.core;

import org.agrona.DeadlineTimerWheel;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongArrayList;

import java.util.concurrent.TimeUnit;

/**
 * The live core's schedule of pending timers and alarms, on an Agrona {@link DeadlineTimerWheel}.
 * <p>
 * The wheel hands out ids of its own and reuses them, and timers expiring in one tick come out in
 * no defined order; so this class maps SPEC ids to wheel ids and returns the expiries of one poll
 * sorted by (deadline, id), the order in which the core journals them. Schedule and cancel are
 * O(1). Core thread only.
 */
public final class TimerWheel
{
    /** ~1 ms ticks (a power of two in ns, as the wheel requires). */
    public static final long TICK_NS = 1L << 20;
    public static final int TICKS_PER_WHEEL = 1024;
    private static final int EXPIRY_LIMIT = 4096;

    private final DeadlineTimerWheel wheel;
    private final Long2LongHashMap idToWheel = new Long2LongHashMap(Long.MIN_VALUE);
    private final Long2LongHashMap wheelToId = new Long2LongHashMap(Long.MIN_VALUE);
    /** The wheel clears a timer's deadline before its expiry handler runs: the sort needs its own copy. */
    private final Long2LongHashMap wheelToDeadline = new Long2LongHashMap(Long.MIN_VALUE);
    private final LongArrayList expired = new LongArrayList();
    private final LongArrayList expiredDeadlines = new LongArrayList();
    private final DeadlineTimerWheel.TimerHandler onExpiry = this::onExpiry;

    /** @param nowNs the kernel clock now, epoch ns. */
    public TimerWheel(final long nowNs)
    {
        wheel = new DeadlineTimerWheel(TimeUnit.NANOSECONDS, nowNs, TICK_NS, TICKS_PER_WHEEL);
    }

    /** Schedule SPEC timer {@code id}; a deadline in the past fires on the next poll. */
    public void schedule(final long id, final long deadlineNs)
    {
        final long wheelId = wheel.scheduleTimer(deadlineNs);
        idToWheel.put(id, wheelId);
        wheelToId.put(wheelId, id);
        wheelToDeadline.put(wheelId, deadlineNs);
    }

    /** Forget SPEC timer {@code id}; unknown ids are ignored. */
    public void cancel(final long id)
    {
        final long wheelId = idToWheel.remove(id);
        if (wheelId != Long.MIN_VALUE)
        {
            wheelToId.remove(wheelId);
            wheelToDeadline.remove(wheelId);
            wheel.cancelTimer(wheelId);
        }
    }

    /** @return the number of scheduled timers. */
    public int size()
    {
        return idToWheel.size();
    }

    /**
     * Collect every timer whose deadline is at or before {@code nowNs}.
     *
     * @param nowNs kernel clock, epoch ns.
     * @param into  receives the SPEC ids in (deadline, id) order; cleared first.
     * @return the number of ids collected.
     */
    public int poll(final long nowNs, final LongArrayList into)
    {
        into.clear();
        if (idToWheel.isEmpty())
        {
            wheel.poll(nowNs, onExpiry, EXPIRY_LIMIT); // lets the wheel jump its tick forward
            return 0;
        }
        expired.clear();
        expiredDeadlines.clear();
        // The wheel advances one tick per poll while it holds timers: catch up within one call.
        int rounds = 0;
        do
        {
            wheel.poll(nowNs, onExpiry, EXPIRY_LIMIT);
        }
        while (wheel.currentTickTime() <= nowNs && expired.size() < EXPIRY_LIMIT && ++rounds < TICKS_PER_WHEEL);

        final int n = expired.size();
        if (n > 1)
        {
            sortByDeadlineThenId(n);
        }
        for (int i = 0; i < n; i++)
        {
            into.addLong(expired.getLong(i));
        }
        return n;
    }

    private boolean onExpiry(final TimeUnit unit, final long now, final long wheelId)
    {
        final long id = wheelToId.remove(wheelId);
        if (id != Long.MIN_VALUE)
        {
            idToWheel.remove(id);
            expired.addLong(id);
            expiredDeadlines.addLong(wheelToDeadline.remove(wheelId));
        }
        return true;
    }

    private void sortByDeadlineThenId(final int n)
    {
        // Insertion sort: one poll expires few timers; avoids boxing.
        for (int i = 1; i < n; i++)
        {
            final long id = expired.getLong(i);
            final long deadline = expiredDeadlines.getLong(i);
            int j = i - 1;
            while (j >= 0 && (expiredDeadlines.getLong(j) > deadline ||
                (expiredDeadlines.getLong(j) == deadline && expired.getLong(j) > id)))
            {
                expired.setLong(j + 1, expired.getLong(j));
                expiredDeadlines.setLong(j + 1, expiredDeadlines.getLong(j));
                j--;
            }
            expired.setLong(j + 1, id);
            expiredDeadlines.setLong(j + 1, deadline);
        }
    }
}
