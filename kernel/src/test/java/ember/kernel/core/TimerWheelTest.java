package ember.kernel.core;

import org.agrona.collections.LongArrayList;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Expiries of one poll come out in (deadline, id) order, whatever the order they were scheduled
 * in (the simulator's seed 1017 found them journaled in id order: the wheel clears a deadline
 * before its expiry handler runs).
 */
class TimerWheelTest
{
    private static final long START = 1_700_000_000_000_000_000L;
    private static final long MS = 1_000_000L;

    @Test
    void oneClockJumpFiresInDeadlineOrderThenIdOrder()
    {
        final TimerWheel wheel = new TimerWheel(START);
        wheel.schedule(5, START + 2_496 * MS);
        wheel.schedule(6, START + 2_469 * MS);
        wheel.schedule(7, START + 2_469 * MS);
        wheel.schedule(2147483649L, START + 2_400 * MS); // an alarm id
        final LongArrayList fired = new LongArrayList();
        assertEquals(4, wheel.poll(START + 3_600_000 * MS, fired));
        assertEquals(new LongArrayList(new long[] {2147483649L, 6, 7, 5}, 4, Long.MIN_VALUE), fired);
        assertEquals(0, wheel.size());
    }

    @Test
    void aCancelledTimerNeverFires()
    {
        final TimerWheel wheel = new TimerWheel(START);
        wheel.schedule(1, START + 10 * MS);
        wheel.schedule(2, START + 5 * MS);
        wheel.cancel(2);
        final LongArrayList fired = new LongArrayList();
        assertEquals(0, wheel.poll(START + 9 * MS, fired), "not before its deadline");
        assertEquals(1, wheel.poll(START + 20 * MS, fired));
        assertEquals(1, fired.getLong(0));
    }
}
