package ember.kernel.state;

/**
 * What applying a record asks of the world outside the state: the live core acts on these
 * (wakes waiting callers, runs handlers, keeps the timer wheel, writes the kernel log); replay
 * passes {@link #NONE}. Called on the thread that applies records, during {@code apply}.
 */
public interface KernelEffects
{
    /** Effects that do nothing: replay and tools. */
    KernelEffects NONE = new KernelEffects()
    {
    };

    /** A handler registered by {@code client} must run in process {@code pid} for {@code signal}. */
    default void onHandlerCall(final int client, final long pid, final long signal)
    {
    }

    /**
     * An event named {@code name} was queued to the running process {@code pid}: waiting pulls
     * whose filter admits that name may now succeed. By default, {@link #onDeliverable(long)}.
     */
    default void onEventQueued(final long pid, final String name)
    {
        onDeliverable(pid);
    }

    /** Process {@code pid} was continued (or, by default, received an event): any waiting pull may now succeed. */
    default void onDeliverable(final long pid)
    {
    }

    /**
     * A {@code pullEvent} of {@code pid} that may wait (its timeout is not 0) found nothing it may
     * take: its nil result means "waiting", not "no event". The live core parks the call and
     * journals the same pull again when it takes an event (that record's {@code arg0} is the index
     * of the waiting one); the replay tool shows the record as waiting. Not called for a pull with
     * timeout 0, whose nil is final.
     */
    default void onPullWaiting(final long pid)
    {
    }

    /** Process {@code pid} ended. */
    default void onProcessEnded(final long pid)
    {
    }

    /** A timer or alarm is pending with this deadline (epoch ns). */
    default void onTimerScheduled(final long id, final long deadlineNs)
    {
    }

    /** A pending timer or alarm was cancelled or dropped with its process. */
    default void onTimerCancelled(final long id)
    {
    }

    /** A line for the kernel log (signals 3 and 6). */
    default void onDiagnostic(final String line)
    {
    }
}
