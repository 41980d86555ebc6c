package ember.kernel.core;

import java.nio.file.Path;

/**
 * What writes a snapshot for the {@link SnapshotTaker}: a {@link ShadowState} in the kernel's
 * JVM, or a {@link FollowerProcess} that keeps the shadow in a JVM of its own (so that its
 * garbage collection never pauses the core). Called by one thread, the snapshot thread.
 */
interface SnapshotMaker extends AutoCloseable
{
    /**
     * Write a snapshot of the state after record {@code index} or a later one.
     *
     * @param index          the record the core asked for.
     * @param chronicleIndex where that record is in the journal.
     * @return the file written; its index is {@link SnapshotStore#indexOf(Path)}.
     * @throws java.util.concurrent.CancellationException when closing stopped it.
     * @throws RuntimeException with a one-line message when the snapshot failed (nothing left behind).
     */
    Path make(long index, long chronicleIndex);

    /** Stop: a snapshot in progress is abandoned. Idempotent. */
    @Override
    void close();
}
