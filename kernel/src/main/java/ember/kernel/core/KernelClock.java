package ember.kernel.core;

import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.SystemEpochNanoClock;

/**
 * The kernel's default clock: the system's real-time clock (epoch ns, to the JDK's microsecond),
 * read as {@code System.nanoTime()} plus an offset to the epoch that is measured again every
 * second. The JDK's real-time read costs several times a monotonic one, and the idle core reads
 * the clock on every duty cycle, where the extra cost lengthens the wait of the request that
 * arrives during it.
 * <p>
 * Between two measurements the clock follows the monotonic clock, so a step of the wall clock
 * (or NTP's slewing) shows within a second; a measurement may move it back by as much as the two
 * clocks drifted apart in that second (microseconds). The kernel keeps its record timestamps
 * monotonic regardless. Thread-safe: the offset is published through a volatile field, and two
 * threads that measure at once both write a good value.
 */
public final class KernelClock implements EpochNanoClock
{
    private static final long RESAMPLE_INTERVAL_NS = 1_000_000_000L;
    private static final int SAMPLE_ATTEMPTS = 5;

    private final SystemEpochNanoClock realTime = new SystemEpochNanoClock();
    private volatile long offsetNs;
    private volatile long nextSampleNs;

    public KernelClock()
    {
        sample(System.nanoTime());
    }

    @Override
    public long nanoTime()
    {
        return at(System.nanoTime());
    }

    /**
     * The kernel time at a monotonic reading taken just before: so a caller that reads
     * {@code System.nanoTime()} anyway (the core, to time its duty cycle) gets the kernel time from
     * the same read.
     *
     * @param now a {@code System.nanoTime()} reading, just taken.
     * @return epoch ns at {@code now}.
     */
    public long at(final long now)
    {
        if (now - nextSampleNs >= 0)
        {
            return sample(now);
        }
        return now + offsetNs;
    }

    /** Measure the offset: the real-time read bracketed most tightly by two monotonic reads. */
    private long sample(final long now)
    {
        long bestWindow = Long.MAX_VALUE;
        long bestOffset = 0;
        for (int i = 0; i < SAMPLE_ATTEMPTS; i++)
        {
            final long before = System.nanoTime();
            final long epoch = realTime.nanoTime();
            final long after = System.nanoTime();
            if (after - before < bestWindow)
            {
                bestWindow = after - before;
                bestOffset = epoch - (before + (after - before) / 2);
            }
        }
        offsetNs = bestOffset;
        nextSampleNs = now + RESAMPLE_INTERVAL_NS;
        return now + bestOffset;
    }
}
