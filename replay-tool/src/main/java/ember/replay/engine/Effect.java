package ember.replay.engine;

import ember.kernel.state.Disposition;
import ember.kernel.state.EndCause;
import ember.kernel.state.Event;
import ember.kernel.state.KernelLimits;
import ember.kernel.state.PendingTimer;

import java.util.List;

/**
 * One consequence of applying a record, as {@code KernelState.apply} reported it through
 * {@code KernelEffects} ({@link EffectRecorder}): the tool shows what the kernel said it did,
 * never a prediction or a reconstruction from the state.
 */
public sealed interface Effect
{
    /** Process {@code pid} was created by {@code parent}. */
    record Spawned(long pid, long parent, String name, String user) implements Effect
    {
    }

    /**
     * Process {@code pid} ended.
     *
     * @param how        {@code exit} or {@code signal}.
     * @param value      the exit code, or the signal.
     * @param by         the process whose record ended it (itself for {@code exit}).
     * @param discarded  events its queue held when it ended, head first (dropped with it).
     * @param orphans    its live children, re-parented to pid 1.
     * @param services   service names released with it.
     * @param cause      why apply ended it: exit, signal 9, or a signal whose disposition terminates.
     */
    record Ended(long pid, String name, String user, long parent, String how, long value, long by,
        List<Event> discarded, List<Long> orphans, List<String> services, EndCause cause) implements Effect
    {
    }

    /**
     * A line apply wrote for the kernel log ({@code KernelEffects.onDiagnostic}): a process ended by
     * signal 3 or 6, whose disposition is to terminate with a diagnostic. Reported just before that
     * process's {@link Ended}.
     */
    record Diagnostic(String line) implements Effect
    {
    }

    /** {@code event} was appended to the queue of {@code pid}; {@code from} is 0 for the kernel. */
    record Queued(long pid, Event event, long from) implements Effect
    {
    }

    /**
     * {@code pid} removed {@code event} from its queue with {@code pullEvent}.
     *
     * @param waitedSince the index of the record where this pull began to wait ({@link PullWaiting}),
     *                    or 0 when it took the event at once (or the journal predates the link).
     */
    record Consumed(long pid, Event event, long waitedSince) implements Effect
    {
    }

    /**
     * Apply reported ({@code KernelEffects.onPullWaiting}) that this {@code pullEvent} of {@code pid}
     * found nothing and waits: its nil is not final. A later pull record whose {@link Consumed}
     * names this index completes it; none does when it timed out, its client detached, its process
     * ended or the kernel stopped first.
     */
    record PullWaiting(long pid) implements Effect
    {
    }

    /**
     * A {@code kill} that the kernel accepted.
     *
     * @param outcome what apply reported doing to the target, e.g. {@code terminated},
     *                {@code stopped}, {@code continued, queued}, {@code handler (client 3)}.
     * @param stopped   apply reported that it stopped the (running) target.
     * @param continued apply reported that it continued the (stopped) target.
     */
    record Signalled(long from, long to, long signal, String outcome, boolean stopped, boolean continued)
        implements Effect
    {
    }

    /** A timer or alarm became pending. */
    record TimerSet(PendingTimer timer) implements Effect
    {
    }

    /** A pending timer or alarm fired (its event is a separate {@link Queued}). */
    record TimerFired(PendingTimer timer) implements Effect
    {
    }

    /** A pending timer or alarm will never fire; {@code reason} is {@code cancel} or {@code process ended}. */
    record TimerCancelled(PendingTimer timer, String reason) implements Effect
    {
    }

    /** The user of {@code pid} changed. */
    record UserChanged(long pid, String from, String to) implements Effect
    {
    }

    /** The disposition of {@code signal} in {@code pid} changed; {@code owner} is the handler's client or 0. */
    record DispositionChanged(long pid, long signal, Disposition from, Disposition to, int owner) implements Effect
    {
    }

    /** {@code pid} claimed the service name {@code name}. */
    record Registered(String name, long pid) implements Effect
    {
    }

    /** A client attached ({@code attached}) or went away. */
    record Client(int client, boolean attached) implements Effect
    {
    }

    /** The kernel (re)opened the journal with these limits; no client is attached any more. */
    record Opened(KernelLimits limits) implements Effect
    {
    }
}
