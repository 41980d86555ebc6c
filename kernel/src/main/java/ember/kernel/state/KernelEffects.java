package ember.kernel.state;

/**
 * Every outside-visible consequence of applying a record, reported by {@code KernelState.apply}
 * as it happens: the live core acts on some (wakes waiting callers, runs handlers, keeps the timer
 * wheel, writes the kernel log); the replay tool records all of them to show what a record did;
 * plain replay passes {@link #NONE}. Live and replay get the same calls in the same order, since
 * both run the same {@code apply}.
 * <p>
 * Called on the thread that applies records, during {@code apply}. Objects passed
 * ({@link ProcessEntry}, {@link Event}, {@link PendingTimer}) belong to the state: read them during
 * the call, copy what must outlive it; never change them. A callback must not throw.
 * <p>
 * Richer callbacks added later are overloads whose default forwards to the older, coarser one
 * (e.g. {@link #onEventQueued(long, Event, boolean)} to {@link #onEventQueued(long, String)}), so an
 * implementation of the older ones keeps getting exactly the calls it got before.
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

    // ---------------------------------------------------------------------------------------
    // Richer reports, for tools that show what a record did. All no-ops by default; those that
    // refine an older callback forward to it.
    // ---------------------------------------------------------------------------------------

    /** The kernel (re)opened the journal with {@code limits}: every client is detached. */
    default void onKernelOpened(final KernelLimits limits)
    {
    }

    /** Client {@code client} attached, acting as kernel user {@code user}. */
    default void onClientAttached(final int client, final String user)
    {
    }

    /** Client {@code client} detached (reported even when it was not attached). */
    default void onClientDetached(final int client)
    {
    }

    /** Process {@code child} was spawned (its parent is {@code child.parent()}). */
    default void onProcessSpawned(final ProcessEntry child)
    {
    }

    /** The user of process {@code pid} is now {@code to} (was {@code from}). */
    default void onUserChanged(final long pid, final String from, final String to)
    {
    }

    /** Process {@code pid} claimed the service name {@code name}. */
    default void onServiceRegistered(final String name, final long pid)
    {
    }

    /**
     * A {@code signal} syscall of {@code pid} set the disposition of {@code signal}: it was
     * {@code from} and is {@code to} (equal when nothing changed, e.g. for signal 9); {@code owner}
     * is the client whose handler runs, 0 when none.
     */
    default void onDispositionSet(
        final long pid, final long signal, final Disposition from, final Disposition to, final int owner)
    {
    }

    /**
     * {@code event} was appended to the queue of {@code pid}. {@code deliverable} is false when the
     * process is stopped (no pull may take it until it is continued). By default, when deliverable,
     * {@link #onEventQueued(long, String)}.
     */
    default void onEventQueued(final long pid, final Event event, final boolean deliverable)
    {
        if (deliverable)
        {
            onEventQueued(pid, event.name());
        }
    }

    /** A {@code pullEvent} of {@code pid} took {@code event} off its queue. */
    default void onPullSatisfied(final long pid, final Event event)
    {
    }

    /** Process {@code pid} was stopped by a signal whose disposition is to stop. */
    default void onStopped(final long pid)
    {
    }

    /**
     * The stopped process {@code pid} was continued; {@code releasedHandlerCalls} handler calls it
     * held while stopped are run (or queued, when their client is gone) right after this call. The
     * process becomes deliverable ({@link #onDeliverable(long)}) after those.
     */
    default void onContinued(final long pid, final int releasedHandlerCalls)
    {
    }

    /** The handler of {@code signal} in the stopped process {@code pid} is held until it is continued. */
    default void onHandlerHeld(final long pid, final long signal)
    {
    }

    /**
     * Process {@code child} lost its parent {@code formerParent}, which is ending, and now has
     * pid 1 as parent. Reported before that parent's {@link #onProcessEnded(ProcessEntry, EndCause, Event)}.
     */
    default void onReparented(final long child, final long formerParent)
    {
    }

    /**
     * {@code process} ended, for {@code cause}; {@code completion} is the event its parent is sent
     * (its {@code b()} is the exit code or the signal). The entry is already out of the state but
     * still holds what ended with it: its queue (dropped) and its services (released); its timers
     * were reported cancelled just before. Its parent is queued the completion right after this
     * call, when it is live. By default, {@link #onProcessEnded(long)}.
     */
    default void onProcessEnded(final ProcessEntry process, final EndCause cause, final Event completion)
    {
        onProcessEnded(process.pid());
    }

    /** {@code timer} (a timer or an alarm) is pending. By default, {@link #onTimerScheduled(long, long)}. */
    default void onTimerScheduled(final PendingTimer timer)
    {
        onTimerScheduled(timer.id(), timer.deadlineNs());
    }

    /** {@code timer} will never fire, for {@code cause}. By default, {@link #onTimerCancelled(long)}. */
    default void onTimerCancelled(final PendingTimer timer, final TimerCancelCause cause)
    {
        onTimerCancelled(timer.id());
    }

    /** The pending {@code timer} fired; its event is queued to its process right after this call. */
    default void onTimerFired(final PendingTimer timer)
    {
    }
}
