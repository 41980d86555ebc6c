package ember.kernel.core;

import java.util.ArrayList;
import java.util.List;

/**
 * The core's fail-stop state: why the kernel stopped itself, and the callers refused since, who
 * are answered only once the kernel has stopped (journal closed, directory lock released), so
 * whoever sees the error can reopen the directory at once.
 * <p>
 * The first failure wins: later ones are not reported again. A failure is written to
 * {@code kernel.log} (and, when an unexpected error caused it, with its stack trace to the errors
 * file through {@link KernelLog#error}).
 * <p>
 * Threads: written by the core thread only; {@link #failure()} may be read by any thread.
 */
final class FailStop
{
    private final KernelLog log;
    /** Refused after the failure: answered by the core's close ({@link #drainRefusedTo}). Core thread. */
    private final ArrayList<Command> refused = new ArrayList<>();
    /** Why the core stopped itself, or null. */
    private volatile String failure;
    private Runnable onStop;

    /** @param log where the failure is reported. */
    FailStop(final KernelLog log)
    {
        this.log = log;
    }

    /** @return true once the core has failed. Core thread (any thread sees it late at worst). */
    boolean failed()
    {
        return failure != null;
    }

    /** @return why the core stopped itself, or null while it runs or after a normal close. Any thread. */
    String failure()
    {
        return failure;
    }

    /**
     * Record why the core stops (first failure wins). Core thread.
     *
     * @param why   one line: what failed, at which record index.
     * @param error the unexpected error that caused it, or null for none.
     */
    void fail(final String why, final Throwable error)
    {
        if (failure == null)
        {
            failure = why;
            if (error == null)
            {
                log.log(why + "; the kernel stops (fail-stop)");
            }
            else
            {
                log.error(why + "; the kernel stops (fail-stop)", error);
            }
        }
    }

    /** @return what every caller waiting when the kernel failed is answered. Only once {@link #failed()}. */
    String refusal()
    {
        // Only a failed append is a failed journal write; an apply that threw is named as such.
        return (failure.startsWith("journal append failed") ? "journal write failed: the kernel stopped: " :
            "the kernel stopped: ") + failure;
    }

    /** Core thread: {@code command} (already refused) is answered once the kernel has stopped. */
    void deferAnswer(final Command command)
    {
        refused.add(command);
    }

    /** Core thread, closing: move the refused commands not yet answered into {@code into}. */
    void drainRefusedTo(final List<Command> into)
    {
        into.addAll(refused);
        refused.clear();
    }

    /** @param action run on the core thread once it has stopped after a failure (journal closed). */
    void onStop(final Runnable action)
    {
        this.onStop = action;
    }

    /** Core thread, last: the kernel has stopped after a failure; run what waits for it (the lock's release). */
    void stopped()
    {
        if (onStop != null)
        {
            onStop.run();
        }
    }
}
