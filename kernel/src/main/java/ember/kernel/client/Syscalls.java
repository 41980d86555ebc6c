package ember.kernel.client;

import ember.kernel.state.ProcessInfo;

import java.util.Map;

/**
 * The Phoenix event-system syscalls, as one process issues them (SPEC §1–4). Every method raises
 * {@link EmberException} with the SPEC's message on error; a returned result means the syscall's
 * record is in the journal. Obtained from {@link EmberClient#as(long)}.
 * <p>
 * Thread-safe; a blocking {@link #pullEvent} blocks only its calling thread.
 */
public interface Syscalls
{
    /** Waiting time of {@link #pullEvent} meaning "until an event arrives". */
    double FOREVER = -1;

    /** @return the pid this view acts as. */
    long pid();

    /** @param name the child's name, or null for the caller's name. @return the new pid. */
    long spawn(String name);

    void exit(long code);

    long getpid();

    long getppid();

    String getuser();

    void setuser(String user);

    /** @return live pids, ascending. */
    long[] getplist();

    /** @return the process's info, or null when there is no such process. */
    ProcessInfo getpinfo(long pid);

    boolean register(String name);

    /** @return the pid that registered {@code name}, or null. */
    Long lookup(String name);

    /** @param params a table: String keys; values String, integer, fraction, Boolean, List, Map, byte[]. */
    void queueEvent(String name, Map<String, ?> params);

    /** @return the head of the queue (not removed), or null. */
    ReceivedEvent peekEvent();

    /**
     * Remove and return the first queued event whose name is in {@code names} (any if none).
     *
     * @param timeoutSeconds how long to wait for one: 0 = do not wait, {@link #FOREVER} = no limit.
     * @return the event, or null when none arrived in time.
     */
    ReceivedEvent pullEvent(double timeoutSeconds, String... names);

    /** @param data any allowed value, or null. @return true when {@code pid} is alive and took the event. */
    boolean sendEvent(long pid, String name, Object data);

    void kill(long pid, long signal);

    /** @param handler the handler, or null to remove the disposition (queued as an event). */
    void signal(long signal, SignalHandler handler);

    /** @return the timer id. */
    long timer(double seconds);

    /** @return the alarm id (bit 31 set). */
    long alarm(double hour);

    void cancel(long id);
}
