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
    public final SyscallRecord record = new SyscallRecord();
    public final SyscallResult result = new SyscallResult();
    /** When non-null, the syscall was refused before the journal (argument error, I/O failure). */
    public String refusal;
    /**
     * When true, the command is a read-only question to the core about its state (answered
     * with {@code result.number} = last index and {@code result.value} = digest), not a syscall:
     * it is never journaled.
     */
    boolean digestQuery;
    /**
     * When non-null, the command is a read-only {@link ProcessQuery} asked as {@code record.pid}
     * by {@link #session}, not a syscall: it is never journaled. Set by the client before submit.
     */
    public ProcessQuery query;

    /** Completion callback for transports; null to wake {@link #waiter} instead. Runs on the core thread. */
    private final java.util.function.Consumer<Command> onComplete;
    /** Transport-private: the request's correlation id. */
    public long correlationId;

    /** A {@code clientAttach} from a transport: the client's OS pid, for its counter's label; 0 for this JVM. */
    public long clientOsPid;

    /** The session the command comes from; set by the client before submit. */
    public ClientSession session;

    private final Thread waiter;
    private volatile boolean done;

    /** @param waiter the thread that will wait for completion (unparked by the core). */
    public Command(final Thread waiter)
    {
        this.waiter = waiter;
        this.onComplete = null;
    }

    /** @param onComplete called on the core thread when the command completes (transports). */
    public Command(final java.util.function.Consumer<Command> onComplete)
    {
        this.waiter = null;
        this.onComplete = onComplete;
    }

    /** Core thread: publish the outcome and wake the waiting client. */
    void complete()
    {
        done = true;
        if (onComplete != null)
        {
            onComplete.accept(this);
        }
        else
        {
            LockSupport.unpark(waiter);
        }
    }

    /**
     * Make a completed command ready to be submitted again (owners that pool commands on a hot
     * path). Only its owner may call this, and only after completion.
     *
     * @throws IllegalStateException when the command has not completed.
     */
    public void reuse()
    {
        if (!done)
        {
            throw new IllegalStateException("command still in flight");
        }
        refusal = null;
        result.clear();
        done = false;
    }

    /**
     * Make a completed command of a pool ready for a new request: as {@link #reuse()}, and also
     * forgets its query, session, correlation id and record. Only its owner may call this, and
     * only after completion; the core holds no reference to a command it has completed.
     *
     * @throws IllegalStateException when the command has not completed.
     */
    public void recycle()
    {
        reuse();
        query = null;
        session = null;
        correlationId = 0;
        clientOsPid = 0;
        record.reset(null, 0);
    }

    // Reading the answer without the core's result type (for the embedded client, whose API has
    // its own types). Valid after completion, until the command is reused.

    /** @return the kernel error's message when the syscall failed, else null. */
    public String answerError()
    {
        return result.error == null ? null : result.error.message();
    }

    /** @return true when the answer is a value, false for nil. */
    public boolean answerPresent()
    {
        return result.kind != SyscallResult.Kind.NIL;
    }

    /** @return the number (or boolean, 1 or 0) answered. */
    public long answerNumber()
    {
        return result.number;
    }

    /** @return true when the answer is an event (then see {@link #answerEventName}, {@link #answerEventParams}). */
    public boolean answerIsEvent()
    {
        return result.kind == SyscallResult.Kind.EVENT;
    }

    /** @return the answered event's name; only when {@link #answerIsEvent()}. */
    public String answerEventName()
    {
        return ((ember.kernel.state.Event)result.value).name();
    }

    /** @return the answered event's parameter table, decoded with {@code codec}; only when {@link #answerIsEvent()}. */
    public java.util.Map<String, Object> answerEventParams(final ember.journal.PayloadCodec codec)
    {
        return ((ember.kernel.state.Event)result.value).params(codec);
    }

    /**
     * @return the object answered when it is not an event: a String, a long[] of pids, a
     *     {@code ProcessInfo} or a {@code ProcessInfo[]}; null for none.
     */
    public Object answerValue()
    {
        return answerIsEvent() ? null : result.value;
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
