package ember.cluster;

import io.aeron.cluster.service.ClusterTerminationException;
import org.agrona.ErrorHandler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Why a member stopped by itself, and the one way it stops: the first {@link #fail} prints one line
 * {@code ember member N: stopping: REASON} and runs the owner's {@code onTerminate}, which closes the
 * member (never from the failing thread itself).
 * <p>
 * Failures: this member's journal could not be written ({@link EmberClusteredService}); an Aeron agent
 * thread of this member died (its {@link #threadFactory() threads} report an uncaught error: a full
 * disk under DIR faults Aeron's memory-mapped mark, catalog and error-log files, and the agent's own
 * error handling faults again, so the thread ends while the process would otherwise stay up, looking
 * alive); Aeron ended the member with an unexpected termination ({@link #errorHandler}, after the last
 * error it reported). A reason names the full disk when DIR's file system has less than
 * {@link #NEARLY_FULL_BYTES} left at that moment.
 * <p>
 * Thread safety: any thread; the first reason wins.
 */
final class MemberFailure
{
    /** Below this much usable space under DIR a failure is reported as a full disk. */
    static final long NEARLY_FULL_BYTES = 4L << 20;

    private final int memberId;
    private final Path dir;
    private final Runnable onTerminate;
    private final AtomicReference<String> reason = new AtomicReference<>();
    private final AtomicReference<String> lastError = new AtomicReference<>();

    MemberFailure(final int memberId, final Path dir, final Runnable onTerminate)
    {
        this.memberId = memberId;
        this.dir = dir;
        this.onTerminate = onTerminate;
    }

    /** @return the first failure's reason, or null. */
    String reason()
    {
        return reason.get();
    }

    /** Record the member's failure (the first one counts), say so on stderr, and have the owner stop it. */
    void fail(final String why)
    {
        if (reason.compareAndSet(null, why))
        {
            System.err.println("ember member " + memberId + ": stopping: " + why);
            onTerminate.run();
        }
    }

    /** @return Aeron's agent threads for this member: an error that ends one fails the member. */
    ThreadFactory threadFactory()
    {
        return runnable ->
        {
            final Thread thread = new Thread(runnable);
            thread.setUncaughtExceptionHandler((t, error) ->
                fail("Aeron's " + t.getName() + " thread died: " + message(error) + diskFull()));
            return thread;
        };
    }

    /** @return the members' error handler: logs one line per error; an unexpected termination fails the member. */
    ErrorHandler errorHandler()
    {
        return error ->
        {
            if (error instanceof ClusterTerminationException && !((ClusterTerminationException)error).isExpected())
            {
                final String last = lastError.get();
                fail((last == null ? "Aeron ended the member unexpectedly" : last) + diskFull());
            }
            else
            {
                lastError.set(message(error));
            }
            System.err.println("ember member " + memberId + ": " + error);
        };
    }

    private static String message(final Throwable error)
    {
        return error.getMessage() == null ? error.toString() : error.getMessage();
    }

    /** @return "; disk full: …" when DIR's file system is (nearly) full now, else "". */
    private String diskFull()
    {
        try
        {
            final long usable = Files.getFileStore(dir).getUsableSpace();
            return usable < NEARLY_FULL_BYTES ? "; disk full: " + usable + " bytes free under " + dir : "";
        }
        catch (final IOException ex)
        {
            return "";
        }
    }
}
