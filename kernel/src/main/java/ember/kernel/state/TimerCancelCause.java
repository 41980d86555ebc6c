package ember.kernel.state;

/**
 * Why {@code KernelState.apply} dropped a pending timer or alarm, as reported to
 * {@link KernelEffects#onTimerCancelled(PendingTimer, TimerCancelCause)}.
 */
public enum TimerCancelCause
{
    /** Its process called {@code cancel}. */
    CANCEL,
    /** Its process ended; timers die with their process. */
    PROCESS_ENDED
}
