package ember.kernel.core;

/**
 * Test-only seam of the deterministic simulator (module {@code sim}) into the core, installed in
 * {@link KernelCore#probe} (null in production, so none of these is ever called there). The
 * simulator observes syncs through it and, to prove that its invariants can fail, plants known
 * bugs through it one at a time. Called on the core thread; must not throw.
 */
interface CoreProbe
{
    /** A command is about to be answered (its result may be changed: a planted bug). */
    default void beforeAnswer(final Command command)
    {
    }

    /** @return true to skip the msync that would make record {@code index} durable (a planted bug). */
    default boolean skipSync(final long index)
    {
        return false;
    }

    /** The journal was forced to disk up to record {@code index}. */
    default void onSynced(final long index)
    {
    }

    /** @return the deadline the timer wheel gets for timer {@code id} (anything but {@code deadlineNs}: a planted bug). */
    default long wheelDeadline(final long id, final long deadlineNs)
    {
        return deadlineNs;
    }

    /** A digest query is being answered from {@code state} (the simulator reads the live state, field by field). */
    default void onDigestQuery(final ember.kernel.state.KernelState state)
    {
    }

    /**
     * @return whether a snapshot thread lowers its priority as it starts (one {@code renice} process
     *     per kernel opened, which a kernel closed right away waits for). Called on the snapshot thread.
     */
    default boolean niceSnapshotThread()
    {
        return true;
    }
}
