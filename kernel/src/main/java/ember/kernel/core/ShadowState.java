package ember.kernel.core;

import ember.journal.JournalReader;
import ember.kernel.state.KernelState;
import ember.kernel.state.SnapshotCodec;

import java.nio.file.Path;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A second copy of the kernel state, kept by reading the journal, from which snapshots are
 * encoded without touching the live state. Built once by the kernel's own recovery path
 * ({@link Recovery}: newest valid snapshot + replay of the journal, read-only), then brought
 * forward by replaying the records journaled since. Apply is deterministic, so the shadow at
 * index N has the digest the live state had after record N.
 * <p>
 * Used by {@link SnapshotTaker} in the kernel's JVM and by {@link SnapshotFollower} in a JVM of
 * its own. A failure of any kind drops the shadow; the next use rebuilds it.
 * <p>
 * Not thread-safe: one thread owns it.
 */
final class ShadowState implements SnapshotMaker
{
    private final Path dir;
    private final SnapshotStore store;
    private final Consumer<String> notice;
    private final BooleanSupplier stop;
    private KernelState state;
    private JournalReader reader;

    /**
     * @param dir   the kernel directory (journal read read-only).
     * @param store where snapshots go.
     * @param notice told of what recovery skipped (damaged or foreign snapshots).
     * @param stop  says true when the owner is closing: long replays end with {@link CancellationException}.
     */
    ShadowState(final Path dir, final SnapshotStore store, final Consumer<String> notice, final BooleanSupplier stop)
    {
        this.dir = dir;
        this.store = store;
        this.notice = notice;
        this.stop = stop;
    }

    /** @return the index the shadow has reached, -1 when it is not built. */
    long lastIndex()
    {
        return state == null ? -1 : state.lastIndex();
    }

    /**
     * Bring the shadow forward over every record the journal holds now (building it first if needed).
     *
     * @throws CancellationException when {@code stop} said true.
     */
    void catchUp()
    {
        advance(Long.MAX_VALUE);
    }

    /**
     * Bring the shadow to exactly {@code index}, encode and write it.
     *
     * @param chronicleIndex where record {@code index} is in the journal, as the core journaled it.
     * @return the file written.
     * @throws IllegalStateException when the journal does not hold record {@code index} at {@code chronicleIndex}.
     * @throws CancellationException when {@code stop} said true.
     */
    Path take(final long index, final long chronicleIndex)
    {
        if (state != null && state.lastIndex() > index)
        {
            drop(); // past it (a follower that caught up further): rebuilt from the newest snapshot
        }
        advance(index);
        if (state.lastIndex() != index || reader.chronicleIndex() != chronicleIndex)
        {
            final String found = "the journal ends at index " + state.lastIndex() + " (Chronicle index " +
                reader.chronicleIndex() + "), not at index " + index + " (Chronicle index " + chronicleIndex + ")";
            drop();
            throw new IllegalStateException(found);
        }
        return write();
    }

    /**
     * Encode and write the shadow at the index it has reached (built and brought forward first).
     *
     * @return the file written.
     */
    Path takeLatest()
    {
        catchUp();
        return write();
    }

    private Path write()
    {
        try
        {
            if (!reader.chain().isKnown())
            {
                throw new IllegalStateException("the hash chain at index " + state.lastIndex() + " is not known");
            }
            final byte[] image = SnapshotCodec.encode(state);
            if (stop.getAsBoolean())
            {
                throw new CancellationException("kernel closing");
            }
            return store.write(state.lastIndex(), reader.chronicleIndex(), reader.chain().head(), image);
        }
        catch (final RuntimeException | Error ex)
        {
            drop();
            throw ex;
        }
    }

    private void advance(final long index)
    {
        try
        {
            if (state == null)
            {
                reader = new JournalReader(dir, true);
                final Recovery.Result rebuilt = Recovery.recover(reader, store, index, notice, stop);
                if (rebuilt.damage() != null)
                {
                    throw new IllegalStateException("journal unreadable: " + rebuilt.damage().getMessage());
                }
                state = rebuilt.state();
            }
            else
            {
                Recovery.replay(reader, state, index, stop);
            }
        }
        catch (final RuntimeException | Error ex)
        {
            drop(); // whatever state it was left in, the next use starts afresh
            throw ex;
        }
    }

    /** Forget the shadow (rebuilt by the next use). */
    void drop()
    {
        state = null;
        if (reader != null)
        {
            reader.close();
            reader = null;
        }
    }

    /** SnapshotMaker: exactly at {@code index}, as the core asked. */
    @Override
    public Path make(final long index, final long chronicleIndex)
    {
        return take(index, chronicleIndex);
    }

    @Override
    public void close()
    {
        drop();
    }
}
