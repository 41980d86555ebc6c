package ember.kernel.core;

import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.locks.LockSupport;

/**
 * The core's {@code backoff} idle strategy: spin, then yield, then park — 1 µs, then twice as
 * long each time, up to {@code maxParkNanos} — arming the kernel's {@link CoreDoorbell} before
 * every park so that new work wakes the core at once instead of waiting for the park to end.
 * <p>
 * Why not Agrona's {@code BackoffIdleStrategy}: it parks up to 1 ms with nothing to cut the park
 * short, so on a service that had gone idle every request waited for the park to end — about
 * one round trip per millisecond for each client. Here the park is the longest the core sleeps
 * when nothing at all happens (timers, parked-pull deadlines, checkpoints and the beacon's
 * heartbeat are looked at on waking), and a request ends it.
 * <p>
 * Each park follows one duty cycle that ran with the bell armed ({@link CoreDoorbell}'s
 * protocol). Core thread only, as Agrona's idle strategies are.
 */
public final class DoorbellIdleStrategy implements IdleStrategy
{
    /** The longest park by default: the timer wheel's resolution, as Agrona's back-off had it. */
    public static final long DEFAULT_MAX_PARK_NS = 1_000_000L;
    static final int MAX_SPINS = 10; // spins and yields as Agrona's BackoffIdleStrategy has them
    static final int MAX_YIELDS = 5;
    /**
     * The first park; each next one twice as long, up to the maximum. Short parks first: a core
     * that just went idle wakes by itself often (each park costs tens of µs of the OS's timer
     * slack anyway), which answers a quick follow-up sooner than the doorbell's two hops
     * (socket, then unpark) would; a long-idle core sleeps the maximum and is rung.
     */
    static final long MIN_PARK_NS = 1_000L;

    private static final int NOT_IDLE = 0;
    private static final int SPINNING = 1;
    private static final int YIELDING = 2;
    private static final int ARMING = 3;
    private static final int PARKING = 4;

    private final long minParkNanos;
    private final long maxParkNanos;
    private final CoreDoorbell doorbell = new CoreDoorbell(true);
    private int state = NOT_IDLE;
    private int count;
    private long parkNanos;

    /** Parks of {@link #MIN_PARK_NS} growing to at most {@link #DEFAULT_MAX_PARK_NS}. */
    public DoorbellIdleStrategy()
    {
        this(MIN_PARK_NS, DEFAULT_MAX_PARK_NS);
    }

    /**
     * @param minParkNanos the first park after the spins and yields.
     * @param maxParkNanos the longest single park (a core with nothing to do wakes this often).
     */
    public DoorbellIdleStrategy(final long minParkNanos, final long maxParkNanos)
    {
        if (minParkNanos <= 0 || maxParkNanos < minParkNanos)
        {
            throw new IllegalArgumentException("parks must be positive, the first no longer than the longest: " +
                minParkNanos + ", " + maxParkNanos);
        }
        this.minParkNanos = minParkNanos;
        this.maxParkNanos = maxParkNanos;
        this.parkNanos = minParkNanos;
    }

    /** @return the bell this strategy arms before each park: the kernel's, for whoever hands its core work. */
    public CoreDoorbell doorbell()
    {
        return doorbell;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            reset();
        }
        else
        {
            idle();
        }
    }

    @Override
    public void idle()
    {
        switch (state)
        {
            case NOT_IDLE:
                state = SPINNING;
                count = 1;
                Thread.onSpinWait();
                break;
            case SPINNING:
                Thread.onSpinWait();
                if (++count > MAX_SPINS)
                {
                    state = YIELDING;
                    count = 0;
                }
                break;
            case YIELDING:
                Thread.yield();
                if (++count > MAX_YIELDS)
                {
                    state = ARMING;
                }
                break;
            case ARMING:
                // Armed, the core looks once more (the next duty cycle) before it parks.
                doorbell.arm(parkNanos);
                state = PARKING;
                break;
            default:
                if (doorbell.stayingAwake())
                {
                    Thread.yield(); // closing: the runner's stop flag must be seen now
                    break;
                }
                LockSupport.parkNanos(parkNanos);
                parkNanos = Math.min(parkNanos << 1, maxParkNanos);
                state = ARMING; // a new sequence and another look before the next park
                break;
        }
    }

    @Override
    public void reset()
    {
        if (state >= ARMING)
        {
            doorbell.disarm();
        }
        state = NOT_IDLE;
        count = 0;
        parkNanos = minParkNanos;
    }

    @Override
    public String alias()
    {
        return "backoff";
    }
}
