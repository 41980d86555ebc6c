package ember.replay.engine;

import ember.journal.JournalReader;
import ember.kernel.core.SnapshotStore;
import ember.kernel.state.KernelState;
import ember.kernel.state.SnapshotCodec;
import ember.replay.ToolException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Where replay of a journal starts: the empty state before record 1, or a valid snapshot (one
 * of {@code DIR/snapshots}, read by {@link SnapshotStore}, whose record sits where the snapshot
 * says). A journal whose first files were pruned ({@code ember prune}) starts at a record after
 * 1 and can only be replayed from a snapshot that covers the pruned records; one that was not
 * pruned may start from a snapshot to reach a later point faster, with the same result.
 * <p>
 * Immutable; {@link #newState()} and {@link #openReader()} give each caller its own copy.
 */
public final class Origin
{
    private final JournalDir dir;
    private final long firstIndex;
    private final long index;
    private final long chronicleIndex;
    private final byte[] image;
    private final Path file;
    private final byte[] chain;

    private Origin(final JournalDir dir, final long firstIndex, final long index, final long chronicleIndex,
        final byte[] image, final Path file, final byte[] chain)
    {
        this.chain = chain;
        this.dir = dir;
        this.firstIndex = firstIndex;
        this.index = index;
        this.chronicleIndex = chronicleIndex;
        this.image = image;
        this.file = file;
    }

    /**
     * The earliest start: the empty state when the journal holds record 1, else the oldest valid
     * snapshot that covers the pruned records (every later record can be replayed from it).
     *
     * @param dir the journal.
     * @return the start.
     * @throws ToolException when records were pruned and no valid snapshot covers them.
     */
    public static Origin earliest(final JournalDir dir)
    {
        return find(dir, Long.MAX_VALUE, false);
    }

    /**
     * The latest start at or before record {@code upTo}: the newest valid snapshot taken at or
     * before it, else the empty state when the journal holds record 1.
     *
     * @param dir  the journal.
     * @param upTo the record the caller wants the state after (or a walk to start after).
     * @return the start.
     * @throws ToolException when {@code upTo} lies before every point the pruned journal can be
     *     replayed from, or no valid snapshot covers the pruned records.
     */
    public static Origin atOrBefore(final JournalDir dir, final long upTo)
    {
        return find(dir, upTo, true);
    }

    private static Origin find(final JournalDir dir, final long upTo, final boolean newest)
    {
        final long first = dir.firstIndex();
        final boolean pruned = first > 1;
        final Origin empty = new Origin(dir, first, 0, -1, null, null, null);
        if (!pruned && !newest)
        {
            return empty; // -1 (undecodable first record) too: reading from the start names the damage
        }
        Origin found = null;
        Origin oldestUsable = null;
        for (final Path file : new SnapshotStore(dir.path()).list()) // newest first
        {
            final Origin origin = usable(dir, first, file);
            if (origin == null)
            {
                continue;
            }
            final long at = origin.index;
            oldestUsable = origin;
            if (at <= upTo && (found == null || !newest))
            {
                found = origin;
                if (newest)
                {
                    break;
                }
            }
        }
        if (found != null)
        {
            return found;
        }
        if (!pruned)
        {
            return empty;
        }
        if (oldestUsable == null)
        {
            throw new ToolException("records 1.." + (first - 1) + " of " + dir.path() + " were pruned and no valid " +
                "snapshot in " + dir.path().resolve(SnapshotStore.DIR) + " covers them: the journal cannot be replayed");
        }
        throw new ToolException("record " + upTo + " is in the pruned part of the journal: records 1.." + (first - 1) +
            " were pruned and the earliest snapshot to replay from is at record " + oldestUsable.index +
            "; ask for record " + oldestUsable.index + " or later");
    }

    /**
     * The valid snapshots after this start, oldest first: each one a start of its own (a search
     * in segments replays from each in parallel, {@code ember.replay.debug.WhenSearch}). Trusted as
     * {@link #earliest} trusts one: {@link SnapshotStore#read}'s checks and its record found where
     * it says; any other is left out.
     *
     * @return the starts, by increasing index; empty when there are none.
     */
    public List<Origin> snapshotsAfter()
    {
        final List<Origin> starts = new ArrayList<>();
        final List<Path> files = new SnapshotStore(dir.path()).list(); // newest first
        for (int i = files.size() - 1; i >= 0; i--)
        {
            final Origin origin = usable(dir, firstIndex, files.get(i));
            if (origin != null && origin.index > index)
            {
                starts.add(origin);
            }
        }
        starts.sort(Comparator.comparingLong(Origin::index));
        return starts;
    }

    /** @return a start from {@code file}, or null when it cannot be trusted or replayed from. */
    private static Origin usable(final JournalDir dir, final long first, final Path file)
    {
        final SnapshotStore.Loaded loaded;
        try
        {
            loaded = SnapshotStore.read(file);
        }
        catch (final SnapshotCodec.DamagedSnapshotException ex)
        {
            return null; // never trusted; the kernel logged it when it met it
        }
        final long at = loaded.state().lastIndex();
        if (at < first - 1 || !matches(dir, loaded))
        {
            return null; // does not cover the pruned records, or belongs to another journal
        }
        return new Origin(dir, first, at, loaded.chronicleIndex(), SnapshotCodec.encode(loaded.state()), file,
            loaded.chain());
    }

    private static boolean matches(final JournalDir dir, final SnapshotStore.Loaded loaded)
    {
        try (JournalReader reader = dir.openReader())
        {
            return reader.resumeAfter(loaded.state().lastIndex(), loaded.chronicleIndex());
        }
        catch (final InternalError ex)
        {
            return false; // its position lies in a damaged part of the file
        }
    }

    /**
     * A start kept in memory: the state after record {@code at}, as a canonical image
     * ({@link SnapshotCodec#encode}), whose record sits at Chronicle index {@code chronicleIndex}
     * (a debugger's checkpoints). Same journal, same first index as this origin. Its hash chain
     * value is not kept: a reader started there reads the records without checking the chain
     * (the debugger is not the auditor; {@code verify} is).
     *
     * @param image          the state's {@link SnapshotCodec} encoding; not copied, not to be modified.
     * @param at             the index of the last record applied to that state (&gt; 0).
     * @param chronicleIndex where that record sits ({@code JournalReader.chronicleIndex()} after reading it).
     * @return the start.
     */
    public Origin inMemory(final byte[] image, final long at, final long chronicleIndex)
    {
        return new Origin(dir, firstIndex, at, chronicleIndex, image, file, null);
    }

    /** @return the journal. */
    public JournalDir dir()
    {
        return dir;
    }

    /** @return the index of the state replay starts from: 0 for the empty state, else the snapshot's. */
    public long index()
    {
        return index;
    }

    /** @return the first record the journal holds: 1 when nothing was pruned (0 when it is empty). */
    public long firstIndex()
    {
        return firstIndex;
    }

    /** @return true when the journal's first records were pruned. */
    public boolean pruned()
    {
        return firstIndex > 1;
    }

    /** @return the snapshot file replay starts from, or null for the empty state. */
    public Path snapshot()
    {
        return file;
    }

    /** @return a fresh copy of the state replay starts from. */
    public KernelState newState()
    {
        if (image == null)
        {
            return new KernelState();
        }
        try
        {
            return SnapshotCodec.decode(image);
        }
        catch (final SnapshotCodec.DamagedSnapshotException ex)
        {
            throw new IllegalStateException("a snapshot image decoded once failed to decode again", ex);
        }
    }

    /**
     * @return a new reader positioned after {@link #index()}, its hash chain resumed from the
     *     snapshot's value (unknown for a snapshot written before the chain existed); the caller closes it.
     */
    public JournalReader openReader()
    {
        return openReader(true);
    }

    /**
     * @return a new reader positioned after {@link #index()} that checks each record's CRC32C and
     *     index but does not recompute the hash chain ({@link JournalReader#withoutChainChecks}):
     *     what the debugging commands replay with (log, state, diff, trace, report, timeline, debug,
     *     when, bench); the audit ({@code verify}, {@code head}, {@code prove}) uses {@link #openReader()}.
     */
    public JournalReader openReplayReader()
    {
        return openReader(false);
    }

    private JournalReader openReader(final boolean chainChecked)
    {
        final JournalReader reader = chainChecked ? dir.openReader() : dir.openReader().withoutChainChecks();
        if (image != null && !reader.resumeAfter(index, chronicleIndex))
        {
            reader.close();
            throw new ToolException("the snapshot at record " + index + " (" + file + ") no longer matches the journal");
        }
        if (image != null && chain != null)
        {
            reader.chain().resume(index, chain);
        }
        return reader;
    }

    /** @return {@code h(index())} as the snapshot carries it; null for the genesis value or a snapshot without it. */
    public byte[] chain()
    {
        return chain == null ? null : chain.clone();
    }

    /**
     * @return for a pruned journal, the one line that says so
     *     ({@code records 1..N were pruned; starting from snapshot at S}); null otherwise.
     */
    public String note()
    {
        if (!pruned())
        {
            return null;
        }
        return "records 1.." + (firstIndex - 1) + " were pruned; starting from snapshot at " + index +
            (index > firstIndex - 1 ? " (records " + firstIndex + ".." + index + " are kept but precede it)" : "");
    }
}
