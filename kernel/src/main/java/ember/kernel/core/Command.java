package ember.kernel.core;

import ember.journal.SyscallRecord;
import ember.kernel.state.SyscallResult;

import java.util.concurrent.locks.LockSupport;

/**
 * One syscall on its way from a client to the core and back.
 * <p>
 * The client fills {@link #record} and hands the command to {@link Kernel#submit}; from then on
 * the core thread owns it until it calls {@link #complete()}, which publishes {@link #result}
 * (or {@link #refusal}) to the client with a volatile write. The client must not touch the
 * command between submit and completion.
 */
public final class Command
{
    /** Waiting time meaning "until an event arrives". */
    public static final long WAIT_FOREVER = Long.MAX_VALUE;

    public final SyscallRecord record = new SyscallRecord();
    public final SyscallResult result = new SyscallResult();
    /** For pullEvent: how long to wait for a matching event, ns; 0 = do not wait. */
    public long waitNs;
    /** When non-null, the syscall was refused before the journal (argument error, I/O failure). */
    public String refusal;
    /**
     * When true, the command is a read-only question to the core about its state (answered
     * with {@code result.number} = last index and {@code result.value} = digest), not a syscall:
     * it is never journaled.
     */
    boolean digestQuery;

    /** Core-private: deadline of a waiting pull, kernel clock ns. */
    long waitDeadlineNs;
    /** The session the command comes from; set by the client before submit. */
    public ClientSession session;

    private final Thread waiter;
    private volatile boolean done;

    /** @param waiter the thread that will wait for completion (unparked by the core). */
    public Command(final Thread waiter)
    {
        this.waiter = waiter;
    }

    /** Core thread: publish the outcome and wake the waiting client. */
    void complete()
    {
        done = true;
        LockSupport.unpark(waiter);
    }

    /** @return true once the core has completed the command. */
    public boolean isDone()
    {
        return done;
    }

    /**
     * Client thread: wait for completion, spinning briefly (lowest latency) then parking.
     *
     * @param timeoutNs how long to wait at most.
     * @return true when completed, false on timeout.
     */
    public boolean await(final long timeoutNs)
    {
        for (int i = 0; i < 20_000; i++)
        {
            if (done)
            {
                return true;
            }
            Thread.onSpinWait();
        }
        final long deadline = System.nanoTime() + timeoutNs;
        while (!done)
        {
            final long left = deadline - System.nanoTime();
            if (left <= 0)
            {
                return false;
            }
            LockSupport.parkNanos(this, Math.min(left, 1_000_000L));
        }
        return true;
    }
}
