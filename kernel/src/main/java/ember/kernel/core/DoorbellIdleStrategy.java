package ember.kernel.core;

import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.locks.LockSupport;

/**
 * The core's {@code backoff} idle strategy: spin, then yield, then park up to
 * {@code maxParkNanos} at a time, arming the kernel's {@link CoreDoorbell} before every park so
 * that new work wakes the core at once instead of waiting for the park to end.
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
    static final int MAX_SPINS = 100;
    static final int MAX_YIELDS = 10;

    private static final int NOT_IDLE = 0;
    private static final int SPINNING = 1;
    private static final int YIELDING = 2;
    private static final int ARMING = 3;
    private static final int PARKING = 4;

    private final long maxParkNanos;
    private CoreDoorbell doorbell;
    private int state = NOT_IDLE;
    private int count;

    /** Parks of at most {@link #DEFAULT_MAX_PARK_NS}. */
    public DoorbellIdleStrategy()
    {
        this(DEFAULT_MAX_PARK_NS);
    }

    /** @param maxParkNanos the longest single park (a core with nothing to do wakes this often). */
    public DoorbellIdleStrategy(final long maxParkNanos)
    {
        if (maxParkNanos <= 0)
        {
            throw new IllegalArgumentException("max park must be positive: " + maxParkNanos);
        }
        this.maxParkNanos = maxParkNanos;
    }

    /** Arm {@code bell} before each park (the kernel does this once, before its core starts). */
    void ringsOn(final CoreDoorbell bell)
    {
        bell.markUsed();
        this.doorbell = bell;
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
                if (doorbell != null)
                {
                    doorbell.arm();
                }
                state = PARKING;
                break;
            default:
                if (doorbell != null && doorbell.stayingAwake())
                {
                    Thread.yield(); // closing: the runner's stop flag must be seen now
                    break;
                }
                LockSupport.parkNanos(maxParkNanos);
                state = ARMING; // a new sequence and another look before the next park
                break;
        }
    }

    @Override
    public void reset()
    {
        if (state >= ARMING && doorbell != null)
        {
            doorbell.disarm();
        }
        state = NOT_IDLE;
        count = 0;
    }

    @Override
    public String alias()
    {
        return "backoff";
    }
}
