package ember.kernel.client;

import ember.kernel.state.ProcessInfo;

/**
 * How each syscall's answer reads from its {@link CallResult}: the one place for the blocking
 * syscalls of {@link ClientBase} and the pipelined ones of {@link Pipeline} (which uses these as
 * method references). Called after the result's error was looked at; stateless, allocates nothing
 * (a pipeline's boxing aside).
 */
final class SyscallReplies
{
    private SyscallReplies()
    {
    }

    /** @return nothing: exit, setuser, queueEvent, kill, signal, cancel answer no value. */
    static Void none(final CallResult result)
    {
        return null;
    }

    /** @return the number answered: a pid, a timer or alarm id. */
    static long number(final CallResult result)
    {
        return result.number;
    }

    /** @return the boolean answered (register, sendEvent). */
    static boolean bool(final CallResult result)
    {
        return result.number != 0;
    }

    /** @return the user answered (getuser). */
    static String text(final CallResult result)
    {
        return (String)result.value;
    }

    /** @return the pids answered (getplist). */
    static long[] pids(final CallResult result)
    {
        return (long[])result.value;
    }

    /** @return the process answered (getpinfo), or null for nil. */
    static ProcessInfo info(final CallResult result)
    {
        return result.value instanceof ProcessInfo info ? info : null;
    }

    /** @return the pid a lookup answered, or null for nil. */
    static Long lookup(final CallResult result)
    {
        return result.present ? result.number : null;
    }

    /** @return the event answered (peekEvent, pullEvent), or null for nil. */
    static ReceivedEvent event(final CallResult result)
    {
        return result.value instanceof ReceivedEvent event ? event : null;
    }
}
