package ember.replay.debug;

import ember.kernel.state.JournalReplay;
import ember.kernel.state.KernelState;
import ember.replay.ToolException;
import ember.replay.engine.Origin;
import ember.replay.engine.Step;
import ember.replay.engine.Stepper;

import java.util.List;

/**
 * The debugger's position in the journal: the state after record {@link #index()} (replayed
 * through the engine's {@link Stepper}, so every outcome is {@code KernelState.apply}'s), the
 * current record as a {@link Step} (its outcome and effects), and the {@link Checkpoints} that
 * make any move cost at most about one checkpoint interval of replay once the replay has passed
 * that part of the journal: a seek starts from the latest of the current state and the nearest
 * checkpoint before the target, never from record 1 each time.
 * <p>
 * Searches for stops ({@link #scanForward}, {@link #scanBackward}) replay forwards in spans and
 * test each {@link Breakpoint} after each record; a backward search takes the last stop of the
 * span before the current record, then the span before that, and so on.
 * <p>
 * Not thread-safe: the session's thread. Closing releases the journal readers.
 */
final class Cursor implements AutoCloseable
{
    /** Records a fast forward search replays before it checks for a stop. */
    private static final long SPAN = 65_536;

    private final Checkpoints checkpoints;
    private final JournalReplay.Observer keep;
    private Stepper stepper;
    private Step current;
    private long replayed;

    /** A stop a search found: the record and the breakpoint that stopped there. */
    record Stop(long index, Breakpoint by)
    {
    }

    /**
     * @param checkpoints where seeks start from; its origin is the start of the session.
     */
    Cursor(final Checkpoints checkpoints)
    {
        this.checkpoints = checkpoints;
        this.keep = (record, result, state) ->
        {
            replayed++;
            checkpoints.offer(state, stepper.chronicleIndex());
        };
        restart(checkpoints.origin());
    }

    /** @return the index of the last record applied: the current position. */
    long index()
    {
        return stepper.state().lastIndex();
    }

    /** @return the first position: 0 (the empty state), or the snapshot a pruned journal starts from. */
    long start()
    {
        return checkpoints.origin().index();
    }

    /** @return the state after the current record; read only. */
    KernelState state()
    {
        return stepper.state();
    }

    /** @return the current record as replayed, null at {@link #start()}. */
    Step current()
    {
        return current;
    }

    /** @return the checkpoints (for seeks of other tools, e.g. {@code diff}). */
    Checkpoints checkpoints()
    {
        return checkpoints;
    }

    /** @return records applied by the last move (its replay cost); reset by every move. */
    long lastReplayed()
    {
        return replayed;
    }

    /**
     * Go to the state after record {@code target}.
     *
     * @param target an index from {@link #start()} to the journal's last.
     * @throws ToolException when the journal ends before it.
     */
    void seek(final long target)
    {
        replayed = 0;
        if (target == index() && (current != null || target == start()))
        {
            return;
        }
        if (target < start())
        {
            throw new ToolException("record " + target + " is before the start of this journal's replay, " + start());
        }
        final long base = target == start() ? target : target - 1;
        final long here = index();
        if (here > base || checkpoints.indexAtOrBefore(base) > here)
        {
            restart(checkpoints.atOrBefore(base));
        }
        if (stepper.skipTo(base, keep) < base)
        {
            throw new ToolException("the journal ends at record " + index() + "; there is no record " + target);
        }
        current = null;
        if (target > base)
        {
            stepOne();
        }
    }

    private void stepOne()
    {
        if (!stepper.hasNext())
        {
            throw new ToolException("the journal ends at record " + index() + "; there is no record " + (index() + 1));
        }
        current = stepper.step();
        replayed++;
        checkpoints.offer(stepper.state(), stepper.chronicleIndex());
    }

    private void restart(final Origin origin)
    {
        if (stepper != null)
        {
            stepper.close();
        }
        stepper = new Stepper(origin);
        current = null;
    }

    /**
     * Move forwards to the first record after the current one where a breakpoint stops, or to
     * {@code end} when none does.
     *
     * @param breaks the breakpoints (at least one).
     * @param end    the last record to consider (the journal's last).
     * @return the stop, or null when the search reached {@code end}.
     */
    Stop scanForward(final List<Breakpoint> breaks, final long end)
    {
        replayed = 0;
        for (final Breakpoint b : breaks)
        {
            b.reset(stepper.state());
        }
        if (needsSteps(breaks))
        {
            while (index() < end && stepper.hasNext())
            {
                stepOne();
                final Breakpoint by = test(breaks, current);
                if (by != null)
                {
                    return new Stop(index(), by);
                }
            }
            final long reached = replayed;
            seek(Math.min(end, index()));
            replayed += reached;
            return null;
        }
        final Found found = new Found();
        final JournalReplay.Observer observer = (record, result, state) ->
        {
            keep.applied(record, result, state);
            final Breakpoint by = test(breaks, null);
            if (by != null && found.index < 0)
            {
                found.index = state.lastIndex();
                found.by = by;
            }
        };
        while (index() < end)
        {
            final long from = index();
            stepper.skipTo(Math.min(end, from + SPAN), observer);
            if (found.index >= 0)
            {
                final long cost = replayed;
                seek(found.index);
                replayed += cost;
                return new Stop(found.index, found.by);
            }
            if (index() == from)
            {
                break; // the journal ends before end
            }
        }
        final long cost = replayed;
        current = null;
        seek(index());
        replayed += cost;
        return null;
    }

    /**
     * Move backwards to the last record before the current one where a breakpoint stops, or to
     * {@link #start()} when none does.
     *
     * @param breaks the breakpoints (at least one).
     * @return the stop, or null when the search reached the start.
     */
    Stop scanBackward(final List<Breakpoint> breaks)
    {
        long cost = 0;
        long upper = index() - 1;
        final boolean steps = needsSteps(breaks);
        while (upper > start())
        {
            final long spanStart = checkpoints.indexAtOrBefore(upper - 1);
            restart(checkpoints.atOrBefore(upper - 1));
            replayed = 0;
            for (final Breakpoint b : breaks)
            {
                b.reset(stepper.state());
            }
            final Found found = new Found();
            if (steps)
            {
                while (index() < upper && stepper.hasNext())
                {
                    stepOne();
                    final Breakpoint by = test(breaks, current);
                    if (by != null)
                    {
                        found.index = index();
                        found.by = by;
                    }
                }
            }
            else
            {
                stepper.skipTo(upper, (record, result, state) ->
                {
                    keep.applied(record, result, state);
                    final Breakpoint by = test(breaks, null);
                    if (by != null)
                    {
                        found.index = state.lastIndex();
                        found.by = by;
                    }
                });
            }
            cost += replayed;
            if (found.index >= 0)
            {
                seek(found.index);
                replayed += cost;
                return new Stop(found.index, found.by);
            }
            upper = spanStart;
        }
        seek(start());
        replayed += cost;
        return null;
    }

    /** @return the first breakpoint that stops at this record; every one is tested, so each keeps its value. */
    private Breakpoint test(final List<Breakpoint> breaks, final Step step)
    {
        Breakpoint by = null;
        final KernelState state = stepper.state();
        for (int i = 0; i < breaks.size(); i++)
        {
            final Breakpoint b = breaks.get(i);
            if (b.hit(state, step) && by == null)
            {
                by = b;
            }
        }
        return by;
    }

    private static boolean needsSteps(final List<Breakpoint> breaks)
    {
        for (final Breakpoint b : breaks)
        {
            if (b.needsSteps())
            {
                return true;
            }
        }
        return false;
    }

    /** The stop a span's replay found (the observer's result). */
    private static final class Found
    {
        long index = -1;
        Breakpoint by;
    }

    @Override
    public void close()
    {
        stepper.close();
    }
}
