package ember.sim;

import org.agrona.concurrent.EpochNanoClock;

/** The simulated kernel clock: stands still until the simulator moves it (forward only). Simulator thread. */
final class SimClock implements EpochNanoClock
{
    private long nowNs;

    SimClock(final long startNs)
    {
        this.nowNs = startNs;
    }

    @Override
    public long nanoTime()
    {
        return nowNs;
    }

    void advance(final long ns)
    {
        nowNs += Math.max(0, ns);
    }
}
