package ember.replay.debug;

import ember.journal.JournalReader;
import ember.kernel.state.JournalReplay;
import ember.kernel.state.KernelState;
import ember.replay.engine.JournalDir;
import ember.replay.engine.Origin;
import ember.replay.engine.Replays;

import java.util.function.LongConsumer;

/**
 * {@code when EXPR} (and {@code find}): the records after which a condition starts to hold, by
 * one fast replay ({@link Replays#observe}, no per-record view) that evaluates the condition
 * after every record. The start state counts too: a condition that holds before the first
 * record gives the origin's index (0).
 * <p>
 * Not thread-safe: one search per instance, on the caller's thread.
 */
public final class WhenSearch implements JournalReplay.Observer
{
    /** Records replayed between checks whether a first-only search is done. */
    private static final long SPAN = 1 << 20;

    private final Expr expr;
    private final boolean all;
    private final LongConsumer found;
    private boolean before;
    private long count;

    private WhenSearch(final Expr expr, final boolean all, final LongConsumer found)
    {
        this.expr = expr;
        this.all = all;
        this.found = found;
    }

    /**
     * @param origin where replay starts (the journal's earliest start).
     * @param expr   the condition.
     * @param all    every start of an interval where it holds; else only the first.
     * @param found  told each index, in order.
     * @return the number of indexes found.
     * @throws ember.journal.CorruptRecordException on a damaged record.
     */
    public static long search(final Origin origin, final Expr expr, final boolean all, final LongConsumer found)
    {
        return new WhenSearch(expr, all, found).run(origin);
    }

    private long run(final Origin origin)
    {
        final KernelState state = origin.newState();
        final long lastAtStart = origin.dir().lastIndex();
        before = expr.test(state);
        if (before)
        {
            found.accept(state.lastIndex());
            count++;
            if (!all)
            {
                return count;
            }
        }
        try (JournalReader reader = origin.openReplayReader())
        {
            if (all)
            {
                Replays.observe(reader, state, Long.MAX_VALUE, this);
            }
            else
            {
                while (count == 0 && Replays.observe(reader, state, state.lastIndex() + SPAN, this) > 0)
                {
                    // a first-only search stops within a span of the first hit
                }
            }
        }
        if (count == 0 || all)
        {
            JournalDir.checkReachedEnd(state.lastIndex(), lastAtStart);
        }
        return count;
    }

    @Override
    public void applied(final ember.journal.SyscallRecord record, final ember.kernel.state.SyscallResult result,
        final KernelState state)
    {
        final boolean now = expr.test(state);
        if (now && !before && (all || count == 0))
        {
            found.accept(state.lastIndex());
            count++;
        }
        before = now;
    }
}
