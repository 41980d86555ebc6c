package ember.kernel.state;

/**
 * Why {@code KernelState.apply} ended a process, as reported to
 * {@link KernelEffects#onProcessEnded(ProcessEntry, EndCause, Event)}.
 */
public enum EndCause
{
    /** The process called {@code exit}: the completion event carries its code. */
    EXIT,
    /** Signal 9 ({@code kill}), which no process can catch, stop or ignore. */
    KILL,
    /** A signal whose disposition in the process was to terminate (with or without a diagnostic). */
    DISPOSITION
}
