package ember.replay.debug;

import ember.kernel.state.KernelState;
import ember.replay.engine.Step;

/**
 * Where {@code continue} and {@code reverse-continue} stop. A breakpoint is tested after each
 * record a scan applies, in journal order, also when the scan serves a backward move (the
 * {@link Cursor} scans the span before the current record forwards and takes the last stop), so a
 * stop means the same record in both directions of travel.
 * <p>
 * A conditional stop is edge-triggered: its {@link #reset} takes the value before the first
 * record tested, and {@link #hit} says whether the record just applied changed it the way the
 * breakpoint waits for (a condition becoming true, a watched value changing).
 * <p>
 * Not thread-safe: the session's thread; {@link #reset} and {@link #hit} keep the last value.
 */
interface Breakpoint
{
    /** @return the number {@code info breaks} and {@code delete} use. */
    int id();

    /** @return what it stops on, e.g. {@code when queued(7) > 100}, {@code syscall kill}. */
    String describe();

    /**
     * @return true when {@link #hit} needs the record's {@link Step} (record, outcome, caller's
     *     user, effects); false when the state after the record decides (the fast scan).
     */
    boolean needsSteps();

    /** Take the value before the first record a scan tests. */
    void reset(KernelState state);

    /**
     * @param state the state after the record.
     * @param step  the record, its outcome and effects; null when {@link #needsSteps()} is false.
     * @return true when the scan stops at this record.
     */
    boolean hit(KernelState state, Step step);

    /** @return what a stop here shows after the breakpoint, e.g. {@code queued(7) = 101}; may be empty. */
    String detail(KernelState state);
}
