package ember.cluster;

import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.driver.ThreadingMode;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.TimeUnit;

/**
 * How the agents of a member (media driver, archive, consensus module, service) and of a
 * {@link ClusterClient} wait when idle, and how the driver and the archive share threads: the
 * settings that decide a round trip's latency and a member's CPU cost on a small machine.
 * <p>
 * Read once from system properties (an operator's override; the defaults are the ones measured best
 * on a 2-core machine running 3 members and their clients, see README's cluster section):
 * <ul>
 *   <li>{@code ember.cluster.maxParkNs}: the longest park of an idle agent;</li>
 *   <li>{@code ember.cluster.clientMaxParkNs}: the longest park of a client's io thread;</li>
 *   <li>{@code ember.cluster.spins} / {@code ember.cluster.yields}: busy spins, then
 *   {@link Thread#yield()}s, before an idle agent parks;</li>
 *   <li>{@code ember.cluster.driverThreading}: {@code SHARED}, {@code SHARED_NETWORK} or
 *   {@code DEDICATED} ({@link ThreadingMode}); {@code ember.cluster.archiveThreading}: {@code SHARED}
 *   or {@code DEDICATED} ({@link ArchiveThreadingMode}).</li>
 * </ul>
 * An invalid value fails the JVM's first use of the class with a one-line reason.
 */
public final class ClusterTuning
{
    /**
     * The longest park of every idle agent, in ns: each idle hop of a round trip (client driver,
     * leader's driver, consensus module, archive, followers, service, back) may wait this long. 50 us
     * measured best on 2 cores (README: halves the synced p50 against 1 ms); it costs CPU while idle.
     */
    public static final long MAX_PARK_NS = Long.getLong("ember.cluster.maxParkNs", TimeUnit.MICROSECONDS.toNanos(50));
    /**
     * The longest park of a {@link ClusterClient}'s io thread, in ns: it waits for answers on the
     * egress (a caller's request wakes it at once).
     */
    public static final long CLIENT_MAX_PARK_NS = Long.getLong("ember.cluster.clientMaxParkNs", TimeUnit.MICROSECONDS.toNanos(50));
    /** Busy spins of an idle agent before it yields. */
    public static final int SPINS = Integer.getInteger("ember.cluster.spins", 10);
    /** Yields of an idle agent before it parks. */
    public static final int YIELDS = Integer.getInteger("ember.cluster.yields", 20);
    /** The first (shortest) park; Linux rounds a park up to the thread's timer slack (~50 us) anyway. */
    static final long MIN_PARK_NS = TimeUnit.MICROSECONDS.toNanos(1);
    /** The media driver's threads. */
    public static final ThreadingMode DRIVER_THREADING =
        ThreadingMode.valueOf(System.getProperty("ember.cluster.driverThreading", ThreadingMode.SHARED.name()));
    /** The archive's threads. */
    public static final ArchiveThreadingMode ARCHIVE_THREADING =
        ArchiveThreadingMode.valueOf(System.getProperty("ember.cluster.archiveThreading", ArchiveThreadingMode.SHARED.name()));

    private ClusterTuning()
    {
    }

    /** @return a new idle strategy for one agent (idle strategies hold per-thread state: one each). */
    public static IdleStrategy idle()
    {
        return new BackoffIdleStrategy(SPINS, YIELDS, MIN_PARK_NS, MAX_PARK_NS);
    }

    /** @return a new idle strategy for a client's io thread. */
    public static IdleStrategy clientIdle()
    {
        return new BackoffIdleStrategy(SPINS, YIELDS, MIN_PARK_NS, CLIENT_MAX_PARK_NS);
    }

    /** @return the settings in one line, for a member's start-up log and the bench's output. */
    public static String describe()
    {
        return "idle spins=" + SPINS + " yields=" + YIELDS + " maxParkNs=" + MAX_PARK_NS + " clientMaxParkNs=" + CLIENT_MAX_PARK_NS +
            " driverThreading=" + DRIVER_THREADING + " archiveThreading=" + ARCHIVE_THREADING;
    }
}
