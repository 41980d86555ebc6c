package ember.kernel.core;

import org.agrona.concurrent.SystemEpochNanoClock;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

class KernelClockTest
{
    /** Far below the millisecond the kernel's timers and audit times need, far above the bracket of one read. */
    private static final long TOLERANCE_NS = 200_000;

    @Test
    void readsTheRealTimeClockWithinItsOwnBracket()
    {
        final KernelClock clock = new KernelClock();
        final SystemEpochNanoClock realTime = new SystemEpochNanoClock();
        int checked = 0;
        for (int i = 0; i < 100_000; i++)
        {
            final long before = realTime.nanoTime();
            final long read = clock.nanoTime();
            final long after = realTime.nanoTime();
            if (after - before > TOLERANCE_NS)
            {
                continue; // descheduled between the reads: this bracket says nothing
            }
            checked++;
            assertTrue(read >= before - TOLERANCE_NS && read <= after + TOLERANCE_NS,
                "read " + read + " outside [" + before + ", " + after + "] by more than " + TOLERANCE_NS + " ns");
        }
        assertTrue(checked > 1_000, "enough undisturbed brackets: " + checked);
    }
}
