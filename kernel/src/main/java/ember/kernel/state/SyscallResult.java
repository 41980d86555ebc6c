package ember.kernel.state;

/**
 * The outcome of applying one record. Mutable and reused: the core fills one per command and
 * publishes it to the caller, who reads it after the hand-off.
 */
public final class SyscallResult
{
    public enum Kind
    {
        /** No value ({@code nil} in Lua). */
        NIL,
        /** {@link #number} holds an integer. */
        NUMBER,
        /** {@link #number} holds 1 (true) or 0 (false). */
        BOOLEAN,
        /** {@link #value} holds a String. */
        STRING,
        /** {@link #value} holds an {@link Event}. */
        EVENT,
        /** {@link #value} holds a long[] of pids. */
        PIDS,
        /** {@link #value} holds a {@link ProcessInfo}. */
        INFO,
        /**
         * {@link #value} holds a {@link ProcessInfo}[] of every live process in pid order: the
         * answer of a process-table query, never of a syscall (so never in a journal's outcome).
         */
        PROCESSES
    }

    public Kind kind = Kind.NIL;
    public long number;
    public Object value;
    /** Non-null when the syscall failed; then nothing changed. */
    public KernelError error;

    public SyscallResult clear()
    {
        kind = Kind.NIL;
        number = 0;
        value = null;
        error = null;
        return this;
    }

    void fail(final KernelError error)
    {
        clear();
        this.error = error;
    }

    void number(final long value)
    {
        kind = Kind.NUMBER;
        number = value;
    }

    void bool(final boolean value)
    {
        kind = Kind.BOOLEAN;
        number = value ? 1 : 0;
    }

    void object(final Kind kind, final Object value)
    {
        this.kind = kind;
        this.value = value;
    }

    /** @return true when the syscall succeeded. */
    public boolean ok()
    {
        return error == null;
    }

    @Override
    public String toString()
    {
        if (error != null)
        {
            return "error: " + error.message();
        }
        switch (kind)
        {
            case NIL:
                return "nil";
            case NUMBER:
                return Long.toString(number);
            case BOOLEAN:
                return number != 0 ? "true" : "false";
            case PIDS:
                return java.util.Arrays.toString((long[])value);
            case EVENT:
                return ((Event)value).name();
            default:
                return String.valueOf(value);
        }
    }
}
