package ember.replay.debug;

import ember.replay.engine.Origin;
import org.agrona.collections.LongArrayList;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/**
 * {@code when EXPR} (and {@code find}): the records after which a condition starts to hold (it
 * holds after the record and did not before it). The start state counts too: a condition that
 * holds before the first record gives the origin's index (0).
 * <p>
 * One replay from the origin would evaluate the condition after every record on one thread (about
 * 10 M records/s). The state machine is deterministic, so the search runs in segments instead:
 * segment 0 from the origin, segment k from the k-th valid snapshot after it
 * ({@link Origin#snapshotsAfter()}), each up to and including the next one's start
 * ({@link WhenSegment}), on a small pool of threads; the edges are exactly those one replay
 * finds. A segment shorter than {@link #MIN_SEGMENT} records is merged into the one before it.
 * Results go to the caller in index order, a segment's once every earlier segment is done; a
 * first-only search stops the later segments once an earlier one has a hit and never reports a
 * later segment's. No snapshot after the origin, or one thread: one replay from the origin.
 * <p>
 * Thread ownership: {@link #search} runs on the caller's thread and calls {@code found} there;
 * the pool's daemon threads ({@code ember-when-N}) each own their segment's state and reader and
 * have ended when it returns.
 */
public final class WhenSearch
{
    /** Records a segment needs to be worth a thread of its own. */
    public static final long MIN_SEGMENT = 200_000;

    /**
     * What a search did.
     *
     * @param found    the number of indexes found.
     * @param segments the segments the journal was searched in (1: one replay from the origin).
     * @param threads  the threads that searched them.
     */
    public record Outcome(long found, int segments, int threads)
    {
    }

    private WhenSearch()
    {
    }

    /**
     * Search with as many threads as there are processors and segments.
     *
     * @see #search(Origin, Expr, boolean, int, long, LongConsumer)
     */
    public static Outcome search(final Origin origin, final Expr expr, final boolean all, final LongConsumer found)
    {
        return search(origin, expr, all, Integer.MAX_VALUE, MIN_SEGMENT, found);
    }

    /**
     * @param origin     where the search starts (the journal's earliest start, or a debugger's).
     * @param expr       the condition.
     * @param all        every start of an interval where it holds; else only the first.
     * @param maxThreads at most this many threads (also at most the processors and the segments);
     *                   1: one replay from the origin on the caller's thread.
     * @param minSegment the fewest records a segment may have ({@link #MIN_SEGMENT}; tests use fewer).
     * @param found      told each index, in order, on the caller's thread.
     * @return what was found, in how many segments and threads.
     * @throws ember.journal.CorruptRecordException on a damaged record (the first one replay from
     *     the origin meets; the indexes before it were told).
     * @throws ember.replay.ToolException when a snapshot stops matching the journal while searching.
     */
    public static Outcome search(final Origin origin, final Expr expr, final boolean all, final int maxThreads,
        final long minSegment, final LongConsumer found)
    {
        if (maxThreads < 1 || minSegment < 1)
        {
            throw new IllegalArgumentException("maxThreads " + maxThreads + " and minSegment " + minSegment + " must be >= 1");
        }
        final long lastAtStart = origin.dir().lastIndex();
        final int processors = Runtime.getRuntime().availableProcessors();
        final List<Origin> starts = Math.min(maxThreads, processors) > 1 ? starts(origin, lastAtStart, minSegment) :
            List.of(origin);
        final int threads = Math.min(starts.size(), Math.min(maxThreads, processors));
        final AtomicInteger horizon = new AtomicInteger(Integer.MAX_VALUE);
        if (threads == 1)
        {
            final long count = new WhenSegment(0, origin, Long.MAX_VALUE, lastAtStart, expr, all, found, horizon).run();
            return new Outcome(count, 1, 1);
        }
        return new Outcome(inParallel(starts, lastAtStart, expr, all, threads, horizon, found), starts.size(), threads);
    }

    /**
     * The segments' starts: the origin, then each valid snapshot at least {@code minSegment}
     * records after the start before it; a last segment shorter than that is merged too.
     */
    private static List<Origin> starts(final Origin origin, final long lastAtStart, final long minSegment)
    {
        final List<Origin> starts = new ArrayList<>();
        starts.add(origin);
        for (final Origin snapshot : origin.snapshotsAfter())
        {
            if (snapshot.index() - starts.get(starts.size() - 1).index() >= minSegment)
            {
                starts.add(snapshot);
            }
        }
        while (starts.size() > 1 && lastAtStart - starts.get(starts.size() - 1).index() < minSegment)
        {
            starts.remove(starts.size() - 1); // also drops a snapshot after the end read at the start
        }
        return starts;
    }

    private static long inParallel(final List<Origin> starts, final long lastAtStart, final Expr expr, final boolean all,
        final int threads, final AtomicInteger horizon, final LongConsumer found)
    {
        final int n = starts.size();
        final List<WhenSegment> segments = new ArrayList<>(n);
        final List<LongArrayList> hits = new ArrayList<>(n);
        for (int k = 0; k < n; k++)
        {
            final LongArrayList list = new LongArrayList();
            final long last = k + 1 < n ? starts.get(k + 1).index() : Long.MAX_VALUE;
            hits.add(list);
            segments.add(new WhenSegment(k, starts.get(k), last, lastAtStart, expr, all, list::addLong, horizon));
        }
        final AtomicInteger named = new AtomicInteger();
        final ExecutorService pool = Executors.newFixedThreadPool(threads, runnable ->
        {
            final Thread thread = new Thread(runnable, "ember-when-" + named.incrementAndGet());
            thread.setDaemon(true); // never keeps the tool's JVM alive
            return thread;
        });
        try
        {
            final List<Future<?>> done = new ArrayList<>(n);
            for (final WhenSegment segment : segments) // submitted in order: earlier segments start first
            {
                done.add(pool.submit(segment::runKeepingFailure));
            }
            long count = 0;
            for (int k = 0; k < n; k++)
            {
                await(done.get(k));
                final LongArrayList list = hits.get(k);
                for (int i = 0; i < list.size() && (all || count == 0); i++)
                {
                    found.accept(list.getLong(i));
                    count++;
                }
                final RuntimeException failure = segments.get(k).failure();
                if (failure != null)
                {
                    throw failure; // where one replay from the origin would have stopped, after the same indexes
                }
                if (!all && count > 0)
                {
                    break;
                }
            }
            return count;
        }
        finally
        {
            horizon.set(-1); // whatever still runs stops within a span
            pool.shutdown(); // no interrupt: Chronicle's file channels would close under it
            awaitQuietly(pool);
        }
    }

    private static void await(final Future<?> future)
    {
        try
        {
            future.get();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("when search interrupted", ex);
        }
        catch (final ExecutionException ex)
        {
            if (ex.getCause() instanceof Error error)
            {
                throw error;
            }
            throw new IllegalStateException("when segment failed", ex.getCause()); // runKeepingFailure keeps RuntimeExceptions
        }
    }

    /** Wait for the pool's threads to end (each closes its reader), keeping an interrupt for the caller. */
    private static void awaitQuietly(final ExecutorService pool)
    {
        boolean interrupted = false;
        while (!pool.isTerminated())
        {
            try
            {
                pool.awaitTermination(1, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }
}
