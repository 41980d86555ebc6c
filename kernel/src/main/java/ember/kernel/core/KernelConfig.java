package ember.kernel.core;

import ember.journal.Journal;
import ember.kernel.state.KernelLimits;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemEpochNanoClock;

import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * How to open a kernel. Immutable; {@code with*} methods return modified copies.
 *
 * @param dir       the kernel directory (journal, lock, log).
 * @param limits    resource limits, journaled at open.
 * @param idle      the core's idle strategy: busy-spin for lowest latency, backoff or sleep to
 *                  share a small machine.
 * @param clock     the kernel clock (epoch ns): record timestamps and timer expiry; injectable for tests.
 * @param blockSize Chronicle Queue block size (memory-mapped chunk).
 */
public record KernelConfig(Path dir, KernelLimits limits, Supplier<IdleStrategy> idle, EpochNanoClock clock, long blockSize)
{
    /** @return defaults for {@code dir}: default limits, backoff idle, system clock. */
    public static KernelConfig of(final Path dir)
    {
        return new KernelConfig(dir, KernelLimits.DEFAULTS, () -> new BackoffIdleStrategy(), new SystemEpochNanoClock(),
            Journal.DEFAULT_BLOCK_SIZE);
    }

    public KernelConfig withLimits(final KernelLimits limits)
    {
        return new KernelConfig(dir, limits, idle, clock, blockSize);
    }

    public KernelConfig withIdle(final Supplier<IdleStrategy> idle)
    {
        return new KernelConfig(dir, limits, idle, clock, blockSize);
    }

    public KernelConfig withClock(final EpochNanoClock clock)
    {
        return new KernelConfig(dir, limits, idle, clock, blockSize);
    }

    public KernelConfig withBlockSize(final long blockSize)
    {
        return new KernelConfig(dir, limits, idle, clock, blockSize);
    }

    /**
     * @param name {@code busy-spin}, {@code backoff} or {@code sleep}.
     * @return the idle strategy of that name.
     * @throws IllegalArgumentException for any other name.
     */
    public static Supplier<IdleStrategy> idleStrategy(final String name)
    {
        switch (name)
        {
            case "busy-spin":
                return BusySpinIdleStrategy::new;
            case "backoff":
                return BackoffIdleStrategy::new;
            case "sleep":
                return () -> new SleepingMillisIdleStrategy(1);
            default:
                throw new IllegalArgumentException("unknown idle strategy '" + name + "' (busy-spin, backoff or sleep)");
        }
    }
}
