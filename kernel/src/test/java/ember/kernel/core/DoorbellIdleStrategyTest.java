package ember.kernel.core;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The doorbell's protocol with every park an hour long: only a ring can end one, so every hand-off
 * below that completes was woken by the bell, not by the end of a park.
 */
class DoorbellIdleStrategyTest
{
    private static final long HOUR_NS = TimeUnit.HOURS.toNanos(1);

    /** A duty-cycle loop as an AgentRunner's: take the work handed over, then idle with its count. */
    private static final class Loop implements Runnable
    {
        final DoorbellIdleStrategy idle = new DoorbellIdleStrategy(HOUR_NS, HOUR_NS);
        final CoreDoorbell bell = idle.doorbell();
        final AtomicInteger pending = new AtomicInteger();
        final AtomicLong done = new AtomicLong();
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread thread = new Thread(this, "doorbell-test-core");

        Loop()
        {
            thread.setDaemon(true);
        }

        @Override
        public void run()
        {
            while (running.get())
            {
                final int work = pending.getAndSet(0);
                done.addAndGet(work);
                idle.idle(work);
            }
        }

        /** Wait until the loop is parked with the bell armed. */
        long awaitParked()
        {
            while (true)
            {
                final long sequence = bell.sequence();
                final Thread.State state = thread.getState();
                // The sequence read again: this thread may be preempted between the two reads while the
                // loop disarms, re-arms and parks, and the first read is then the previous park's.
                if (sequence != 0 && (state == Thread.State.TIMED_WAITING || state == Thread.State.WAITING) &&
                    bell.sequence() == sequence)
                {
                    return sequence;
                }
                Thread.onSpinWait();
            }
        }

        void stop() throws InterruptedException
        {
            running.set(false);
            bell.stayAwake();
            thread.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(thread.isAlive(), "stayAwake ended the park and the loop saw its stop flag");
        }
    }

    @Test
    void eachRingEndsAnHourLongParkAndTheWorkIsTaken() throws Exception
    {
        final Loop loop = new Loop();
        loop.thread.start();
        long lastSequence = 0;
        for (int i = 1; i <= 200; i++)
        {
            final long sequence = loop.awaitParked();
            assertTrue(sequence > lastSequence, "each park has a new sequence: " + sequence + " after " + lastSequence);
            lastSequence = sequence;
            loop.pending.incrementAndGet(); // publish, then ring (ring's own fence orders the two)
            loop.bell.ring();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (loop.done.get() < i)
            {
                assertTrue(System.nanoTime() < deadline, "hand-off " + i + " was not taken: the ring did not wake the park");
                Thread.onSpinWait();
            }
        }
        loop.stop();
    }

    @Test
    void theBellIsArmedOnlyForTheLookBeforeAParkAndWorkDisarmsIt()
    {
        // Driven on this thread: the call that arms returns without parking (one more look first).
        final DoorbellIdleStrategy idle = new DoorbellIdleStrategy(HOUR_NS, HOUR_NS);
        final CoreDoorbell bell = idle.doorbell();
        final org.agrona.concurrent.UnsafeBuffer mirror = new org.agrona.concurrent.UnsafeBuffer(new byte[128]);
        bell.mirrorTo(mirror, 64);
        long last = 0;
        for (int round = 0; round < 3; round++)
        {
            int calls = 0;
            while (bell.sequence() == 0)
            {
                assertEquals(0, mirror.getLongVolatile(64), "not armed while spinning and yielding");
                idle.idle(0);
                calls++;
            }
            assertTrue(calls > DoorbellIdleStrategy.MAX_SPINS + DoorbellIdleStrategy.MAX_YIELDS,
                "spins and yields before it arms: " + calls + " calls");
            assertTrue(bell.sequence() > last, "a new sequence each time it arms");
            last = bell.sequence();
            assertEquals(last, mirror.getLongVolatile(64), "the mirror shows the armed sequence");
            assertTrue(mirror.getLongVolatile(64 + CoreDoorbell.PARK_END_OFFSET) - System.nanoTime() > HOUR_NS / 2,
                "and when the park ends");
            idle.idle(1); // the last look found work
            assertEquals(0, bell.sequence(), "work disarms the bell");
            assertEquals(0, mirror.getLongVolatile(64), "in the mirror too");
        }
    }

    @Test
    void aBellNoStrategyArmsIsNotUsedAndRingingItDoesNothing()
    {
        final CoreDoorbell bell = new CoreDoorbell(false);
        assertFalse(bell.used());
        bell.ring();
        assertEquals(0, bell.sequence());
        final Loop loop = new Loop();
        assertTrue(loop.bell.used(), "a DoorbellIdleStrategy marks its bell used");
    }

    @Test
    void theSequenceIsMirroredForOtherProcessesAndClearedWhenTheLoopRuns() throws Exception
    {
        final Loop loop = new Loop();
        final org.agrona.concurrent.UnsafeBuffer mirror = new org.agrona.concurrent.UnsafeBuffer(new byte[128]);
        loop.bell.mirrorTo(mirror, 64);
        loop.thread.start();
        final long sequence = loop.awaitParked();
        assertEquals(sequence, mirror.getLongVolatile(64), "the mirror holds the armed sequence");
        loop.pending.incrementAndGet();
        loop.bell.ring();
        while (loop.done.get() < 1)
        {
            Thread.onSpinWait();
        }
        final long next = loop.awaitParked();
        assertTrue(next > sequence);
        assertEquals(next, mirror.getLongVolatile(64));
        loop.stop();
        loop.bell.mirrorTo(null, 0);
        assertEquals(0, mirror.getLongVolatile(64), "a mirror given up reads as a core that runs");
    }
}
