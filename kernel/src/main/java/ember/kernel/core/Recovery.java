package ember.kernel.core;

import ember.journal.CorruptRecordException;
import ember.journal.JournalReader;
import ember.kernel.state.JournalReplay;
import ember.kernel.state.KernelState;
import ember.kernel.state.SnapshotCodec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The one recovery path: the newest valid snapshot that belongs to the journal, then replay of
 * the journal after it, up to an index. {@link Kernel#open} recovers with it up to the journal's
 * end; the {@link SnapshotTaker} rebuilds with it the state at the index it is asked to snapshot
 * (apply is deterministic, so that state is the live state at that index).
 * <p>
 * The reader checks the hash chain of the tail it replays from the snapshot's chain value: a
 * checkpoint whose signed value the records do not give is damage like a bad checksum.
 * <p>
 * What to do about damage or a journal that ends too early is the caller's policy: this class
 * only reports what it found. Not thread-safe; each call uses its own reader.
 */
final class Recovery
{
    /** How often a replay checks whether it was asked to stop. */
    private static final long STOP_CHECK_MASK = 4095;

    /**
     * What a recovery found.
     *
     * @param state          the state rebuilt (up to the damage, when there is damage).
     * @param from           what it started from, for the log ({@code snapshot FILE} or {@code an empty kernel}).
     * @param replayed       journal records applied after the snapshot.
     * @param chronicleIndex the Chronicle index of the state's last record, -1 when none was read.
     * @param damage         the damaged record that stopped the replay, or null.
     * @param beyond         valid snapshots that do not match the journal and lie beyond where the
     *                       recovered state ends: evidence that the journal was truncated; newest first.
     * @param chain          the hash chain value {@code h(state.lastIndex())} the records read give
     *                       (from the snapshot's value), null for the genesis value (nothing read).
     */
    record Result(
        KernelState state, String from, long replayed, long chronicleIndex, CorruptRecordException damage,
        List<SnapshotStore.Loaded> beyond, byte[] chain)
    {
        /** @return the highest index a snapshot proves the journal reached, 0 for none. */
        long snapshotClaim()
        {
            return beyond.isEmpty() ? 0 : beyond.get(0).state().lastIndex();
        }
    }

    private Recovery()
    {
    }

    /**
     * Rebuild a state from a directory's snapshots and journal.
     *
     * @param reader    a fresh reader of the journal (positioned at its start); null when the
     *                  directory has no journal (every valid snapshot is then beyond its end).
     * @param snapshots the directory's snapshots.
     * @param upToIndex the last record to apply; {@code Long.MAX_VALUE} for the journal's end.
     *                  Snapshots beyond it are not used.
     * @param notice    told of each snapshot that is damaged or does not belong to the journal.
     * @param stop      polled during the replay; when it says true the recovery ends with a
     *                  {@link CancellationException}.
     * @return what was found; a damaged record ends the replay and is reported in {@link Result#damage()}.
     */
    static Result recover(
        final JournalReader reader, final SnapshotStore snapshots, final long upToIndex,
        final Consumer<String> notice, final BooleanSupplier stop)
    {
        KernelState state = null;
        String from = "an empty kernel";
        final List<SnapshotStore.Loaded> mismatched = new ArrayList<>();
        for (final Path file : snapshots.list())
        {
            if (SnapshotStore.indexOf(file) > upToIndex)
            {
                continue; // newer than the state asked for
            }
            try
            {
                final SnapshotStore.Loaded loaded = SnapshotStore.read(file);
                if (loaded.chain() == null)
                {
                    // Without h(INDEX) the chain of the records after it could be neither checked nor continued.
                    notice.accept("snapshot " + file + " carries no hash chain value (written before the chain existed): skipped");
                    continue;
                }
                if (reader != null && reader.resumeAfter(loaded.state().lastIndex(), loaded.chronicleIndex()))
                {
                    reader.chain().resume(loaded.state().lastIndex(), loaded.chain());
                    state = loaded.state();
                    from = "snapshot " + file.getFileName();
                    break;
                }
                mismatched.add(loaded);
            }
            catch (final SnapshotCodec.DamagedSnapshotException ex)
            {
                notice.accept("damaged snapshot " + file + " skipped: " + ex.getMessage());
            }
        }
        if (state == null)
        {
            state = new KernelState();
        }
        final long start = state.lastIndex();
        CorruptRecordException damage = null;
        try
        {
            if (reader != null)
            {
                replay(reader, state, upToIndex, stop);
            }
        }
        catch (final CorruptRecordException ex)
        {
            damage = ex;
        }
        final List<SnapshotStore.Loaded> beyond = new ArrayList<>();
        for (final SnapshotStore.Loaded loaded : mismatched)
        {
            if (loaded.state().lastIndex() > state.lastIndex())
            {
                beyond.add(loaded); // the caller decides: truncation evidence
            }
            else
            {
                notice.accept("snapshot " + loaded.file() + " does not match the journal: skipped");
            }
        }
        final long chronicleIndex = reader == null || state.lastIndex() == 0 ? -1 : reader.chronicleIndex();
        final byte[] chain = reader == null || state.lastIndex() == 0 ? null : reader.chain().head();
        return new Result(state, from, state.lastIndex() - start, chronicleIndex, damage, beyond, chain);
    }

    /**
     * Replay the journal into {@code state} up to {@code upToIndex}, stoppably.
     *
     * @param reader positioned after {@code state.lastIndex()}.
     * @throws CancellationException when {@code stop} said true (checked every 4096 records).
     * @throws CorruptRecordException on a damaged record.
     */
    static void replay(final JournalReader reader, final KernelState state, final long upToIndex, final BooleanSupplier stop)
    {
        JournalReplay.replay(reader, state, upToIndex, (record, result, s) ->
        {
            if ((record.index & STOP_CHECK_MASK) == 0 && stop.getAsBoolean())
            {
                throw new CancellationException("replay stopped at index " + record.index);
            }
        });
    }
}
