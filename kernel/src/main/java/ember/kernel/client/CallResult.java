package ember.kernel.client;

/**
 * The outcome of one call as a client sees it: what {@link ClientBase} turns into a return value
 * or an {@link EmberException}. The client's own type, so the client API does not depend on the
 * core's {@code SyscallResult}.
 * <p>
 * Mutable and reused: each thread of a client has one per call it has in progress (a handler may
 * nest calls), filled by the transport and read by that thread before its next call at the same
 * depth. Not thread-safe; handed between threads only through a volatile write (the reply
 * reader's {@code done}) or the core's completion.
 */
public final class CallResult
{
    /** True when the call answered a value; false for nil. */
    public boolean present;
    /** The number (or boolean: 1 true, 0 false) answered, when there is one. */
    public long number;
    /**
     * The object answered, or null: a String ({@code getuser}), a long[] ({@code getplist}), a
     * {@code ProcessInfo} ({@code getpinfo}, a process query), a {@code ProcessInfo[]} (the process
     * table), a {@link ReceivedEvent} ({@code peekEvent}, {@code pullEvent}).
     */
    public Object value;
    /** The kernel error's message when the call failed (then nothing changed), else null. */
    public String error;

    /** @return this, emptied: nil, no error. */
    public CallResult clear()
    {
        present = false;
        number = 0;
        value = null;
        error = null;
        return this;
    }
}
