package ember.kernel.core;

import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * The core's doorbell: how a thread or process that hands the core work wakes it from a park
 * ({@link DoorbellIdleStrategy}), so that an idle core can sleep without making the next request
 * wait for the park to end.
 * <p>
 * Protocol (a Dekker pair, lost-wake-up free): before each park the core <em>arms</em> the bell
 * with a new park sequence (a volatile store, so a full fence), then looks for work once more, and
 * parks only if it found none; when it finds work it <em>disarms</em> it (sequence 0). A waker
 * first publishes its work (an inbox offer, a ring commit), then issues a full fence, then reads
 * the sequence: when it is not 0, it rings. Either the waker sees the core armed, or the core's
 * last look sees the work. A park returned (rung, timed out or spurious) re-arms with a new
 * sequence before the next look, so a waker that rang for one sequence need not ring for it again:
 * another process rings at most once per park ({@code ember.kernel.transport}: a byte on its socket).
 * <p>
 * The sequence is also written to a <em>mirror</em>, a word of memory other processes map (the
 * service's beacon), with the time the park ends at the latest, for wakers outside this JVM; they
 * ring through a thread of this JVM that calls {@link #ring}, and only when the park would last
 * longer than that ring takes.
 * <p>
 * Threads: {@link #arm}, {@link #disarm} and {@link #mirrorTo} are for the core thread (the
 * mirror also before the core starts); {@link #ring} and {@link #sequence} for any thread. With a
 * strategy that never parks (busy-spin) the bell is never used and {@link #ring} is one volatile read.
 */
public final class CoreDoorbell
{
    /** In the mirror, after the sequence: the monotonic time (ns) the armed park ends at the latest. */
    public static final int PARK_END_OFFSET = 8;

    private volatile long sequence;
    private volatile Thread sleeper;
    private volatile UnsafeBuffer mirror;
    private volatile int mirrorOffset;
    /** The last sequence armed (core thread only): sequences grow, so a stale one never repeats. */
    private long lastSequence;
    private final boolean used;
    private volatile boolean stayAwake;

    /**
     * @param used true for the bell of an idle strategy that arms it before each park
     *             ({@link DoorbellIdleStrategy}); false for a core that never parks, whose bell
     *             {@link #ring} ignores.
     */
    CoreDoorbell(final boolean used)
    {
        this.used = used;
    }

    /**
     * Arm before a park: a new sequence, published before the core's last look. Core thread.
     *
     * @param parkNanos how long the coming park may last: the mirror also shows when it ends at
     *                  the latest ({@link System#nanoTime}, the machine's monotonic clock, which
     *                  other processes on it read too), so that a waker in another process, whose
     *                  ring costs two thread wake-ups, rings only when the park would last longer.
     */
    void arm(final long parkNanos)
    {
        if (sleeper == null)
        {
            sleeper = Thread.currentThread();
        }
        final long next = ++lastSequence;
        final UnsafeBuffer out = mirror;
        if (out != null)
        {
            out.putLongOrdered(mirrorOffset + PARK_END_OFFSET, System.nanoTime() + parkNanos);
            out.putLongVolatile(mirrorOffset, next);
        }
        sequence = next;
    }

    /** The core found work: wakers need not ring. Core thread. */
    void disarm()
    {
        if (sequence != 0)
        {
            sequence = 0;
            final UnsafeBuffer out = mirror;
            if (out != null)
            {
                out.putLongVolatile(mirrorOffset, 0);
            }
        }
    }

    /** @return true when the core's idle strategy parks and arms this bell first (false: it never parks, ringing is useless). */
    public boolean used()
    {
        return used;
    }

    /**
     * Also publish the sequence at {@code offset} of {@code buffer} (a mapped word other processes
     * read with a volatile load) and the park's end at {@code offset + }{@link #PARK_END_OFFSET}, or stop doing so ({@code buffer} null; before the memory is
     * unmapped). Core thread, or before the core starts.
     */
    public void mirrorTo(final UnsafeBuffer buffer, final int offset)
    {
        if (buffer == null)
        {
            final UnsafeBuffer old = mirror;
            mirror = null;
            if (old != null)
            {
                old.putLongVolatile(mirrorOffset, 0); // readers of the old word see a core that runs
            }
            return;
        }
        buffer.putLongVolatile(offset, sequence);
        mirrorOffset = offset;
        mirror = buffer;
    }

    /**
     * From now on the core does not park (it yields instead), and a park it is in ends now: the
     * kernel is closing, and the core must see its runner's stop flag at once rather than at the
     * end of a park (an interrupt instead would close the journal's file channels). Any thread.
     */
    public void stayAwake()
    {
        stayAwake = true;
        final Thread core = sleeper;
        if (core != null)
        {
            LockSupport.unpark(core);
        }
    }

    /** @return true once {@link #stayAwake} was called. */
    boolean stayingAwake()
    {
        return stayAwake;
    }

    /** @return the armed park's sequence, 0 when the core is not about to park. Any thread. */
    public long sequence()
    {
        return sequence;
    }

    /**
     * Wake the core if it is parked or about to park. Call after publishing the work: this issues
     * the full fence the protocol needs between the two. Any thread; costs a volatile read when the
     * core's idle strategy never parks, a fence and a volatile read when it does.
     */
    public void ring()
    {
        if (!used)
        {
            return;
        }
        VarHandle.fullFence(); // the caller's publication of its work before the read of the sequence
        if (sequence != 0)
        {
            final Thread core = sleeper;
            if (core != null)
            {
                LockSupport.unpark(core);
            }
        }
    }
}
