package ember.replay.debug;

import ember.journal.JournalReader;
import ember.journal.SyscallRecord;
import ember.kernel.state.JournalReplay;
import ember.kernel.state.KernelState;
import ember.kernel.state.SyscallResult;
import ember.replay.engine.JournalDir;
import ember.replay.engine.Origin;
import ember.replay.engine.Replays;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/**
 * One segment of a {@link WhenSearch}: a fast replay ({@link Replays#observe}, no per-record view)
 * from its start (the search's origin, or a snapshot after it) up to and including its last
 * record (the next segment's start; the journal's end for the last segment), evaluating the
 * condition after every record and telling its sink each record where the condition starts to
 * hold: it holds after the record and did not before it. {@code before} starts as the condition
 * on the start state, so an edge at the record after the start is found here and one at the
 * start record itself by the segment before: a boundary is counted once. Only the first segment
 * reports a condition true on its start state (its start's index).
 * <p>
 * The segment stops early when the search's horizon (shared by all segments) drops below its
 * number: an earlier segment has the first hit of a first-only search, or failed, or the search
 * was abandoned. It checks that horizon every {@value #SPAN} records, so it stops within a span.
 * <p>
 * Thread ownership: built by the searching thread, then {@link #run()} or {@link #runKeepingFailure()}
 * by one thread, which builds its own state and reader there (both single-threaded); the
 * searching thread reads {@link #count()} and {@link #failure()} only after that returned
 * (a {@code Future}'s happens-before).
 */
final class WhenSegment implements JournalReplay.Observer
{
    /** Records replayed between checks of the horizon (and whether a first-only search is done). */
    static final long SPAN = 1 << 16;

    private final int number;
    private final Origin start;
    private final long last;
    private final long lastAtStart;
    private final Expr expr;
    private final boolean all;
    private final LongConsumer sink;
    private final AtomicInteger horizon;
    private boolean before;
    private long count;
    private RuntimeException failure;

    /**
     * @param number      the segment's place in the search, 0 first: only segment 0 reports its start state.
     * @param start       where it replays from.
     * @param last        the last record it applies (the next segment's start), {@code Long.MAX_VALUE}: to the end.
     * @param lastAtStart {@link JournalDir#lastIndex()} when the search began: reading must reach it.
     * @param expr        the condition.
     * @param all         every edge; else the segment stops at its first.
     * @param sink        told each edge's index, in order, on the running thread.
     * @param horizon     segments numbered above it stop; lowered by this segment on a first-only hit or a failure.
     */
    WhenSegment(final int number, final Origin start, final long last, final long lastAtStart, final Expr expr,
        final boolean all, final LongConsumer sink, final AtomicInteger horizon)
    {
        this.number = number;
        this.start = start;
        this.last = last;
        this.lastAtStart = lastAtStart;
        this.expr = expr;
        this.all = all;
        this.sink = sink;
        this.horizon = horizon;
    }

    /**
     * Replay the segment.
     *
     * @return the number of edges found.
     * @throws ember.journal.CorruptRecordException on a damaged record, or when reading stops
     *     before the segment's last record (or the journal's end as it was when the search began).
     */
    long run()
    {
        final KernelState state = start.newState();
        before = expr.test(state);
        if (before && number == 0)
        {
            found(state.lastIndex());
            if (!all)
            {
                return count;
            }
        }
        boolean stopped = false;
        try (JournalReader reader = start.openReplayReader())
        {
            while (state.lastIndex() < last)
            {
                if (horizon.get() < number)
                {
                    stopped = true; // an earlier segment decided the answer, or the search was abandoned
                    break;
                }
                final long upTo = Math.min(last, state.lastIndex() + SPAN);
                if (Replays.observe(reader, state, upTo, this) == 0 || (count > 0 && !all))
                {
                    break;
                }
            }
        }
        if (!stopped && (count == 0 || all) && state.lastIndex() < last)
        {
            JournalDir.checkReachedEnd(state.lastIndex(), lastAtStart);
        }
        return count;
    }

    /**
     * {@link #run()} on a pool thread: a failure is kept for the searching thread (which reports
     * it in its place in index order) and lowers the horizon, so later segments stop.
     */
    void runKeepingFailure()
    {
        try
        {
            run();
        }
        catch (final RuntimeException ex)
        {
            failure = ex;
            horizon.accumulateAndGet(number, Math::min);
        }
    }

    /** @return the edges found (read after the run). */
    long count()
    {
        return count;
    }

    /** @return what ended the run, null when it ended normally (read after the run). */
    RuntimeException failure()
    {
        return failure;
    }

    @Override
    public void applied(final SyscallRecord record, final SyscallResult result, final KernelState state)
    {
        final boolean now = expr.test(state);
        if (now && !before && (all || count == 0))
        {
            found(state.lastIndex());
        }
        before = now;
    }

    private void found(final long index)
    {
        sink.accept(index);
        count++;
        if (!all)
        {
            horizon.accumulateAndGet(number, Math::min); // later segments cannot hold the first hit
        }
    }
}
