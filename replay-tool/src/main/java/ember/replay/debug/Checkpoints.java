package ember.replay.debug;

import ember.kernel.state.KernelState;
import ember.kernel.state.SnapshotCodec;
import ember.replay.engine.Origin;

import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * States kept in memory so that moving backwards replays a bounded number of records: after
 * every record whose index is a multiple of the interval, the replay offers its state here and
 * its canonical image ({@link SnapshotCodec#encode}, what snapshots hold) is kept with the
 * record's Chronicle position. {@link #atOrBefore(long)} then gives a start at most one interval
 * before any index the replay has passed, so a seek there applies fewer than {@link #interval()}
 * records.
 * <p>
 * Memory is bounded: when more than {@code maxCount} images or {@code maxBytes} bytes are held,
 * the interval doubles and every image off the new grid is dropped (the bound per seek doubles
 * with it). The {@link Origin} the session started from is always a start.
 * <p>
 * Not thread-safe: the session's thread.
 */
final class Checkpoints
{
    private record Checkpoint(long chronicleIndex, byte[] image)
    {
    }

    private final Origin origin;
    private final int maxCount;
    private final long maxBytes;
    private final TreeMap<Long, Checkpoint> byIndex = new TreeMap<>();
    private long interval;
    private long bytes;

    /**
     * @param origin   the earliest start (the empty state or the snapshot a pruned journal needs).
     * @param interval records between two images (a power of two is not required).
     * @param maxCount images kept at most before thinning.
     * @param maxBytes image bytes kept at most before thinning.
     */
    Checkpoints(final Origin origin, final long interval, final int maxCount, final long maxBytes)
    {
        if (interval < 1)
        {
            throw new IllegalArgumentException("interval " + interval);
        }
        this.origin = origin;
        this.interval = interval;
        this.maxCount = maxCount;
        this.maxBytes = maxBytes;
    }

    /** @return records between two images now. */
    long interval()
    {
        return interval;
    }

    /** @return images held. */
    int count()
    {
        return byIndex.size();
    }

    /** @return the earliest start. */
    Origin origin()
    {
        return origin;
    }

    /**
     * Called after each record a replay applies; cheap unless the record is on the grid.
     *
     * @param state          the state after the record.
     * @param chronicleIndex where that record sits.
     */
    void offer(final KernelState state, final long chronicleIndex)
    {
        final long index = state.lastIndex();
        if (index % interval != 0 || index <= origin.index() || byIndex.containsKey(index))
        {
            return;
        }
        final byte[] image = SnapshotCodec.encode(state);
        byIndex.put(index, new Checkpoint(chronicleIndex, image));
        bytes += image.length;
        while (byIndex.size() > maxCount || (bytes > maxBytes && byIndex.size() > 1))
        {
            thin();
        }
    }

    private void thin()
    {
        interval *= 2;
        final Iterator<Map.Entry<Long, Checkpoint>> it = byIndex.entrySet().iterator();
        while (it.hasNext())
        {
            final Map.Entry<Long, Checkpoint> e = it.next();
            if (e.getKey() % interval != 0)
            {
                bytes -= e.getValue().image().length;
                it.remove();
            }
        }
    }

    /**
     * @param index a record index at or after the origin's.
     * @return the latest start at or before it: a kept image or the origin.
     */
    Origin atOrBefore(final long index)
    {
        final Map.Entry<Long, Checkpoint> e = byIndex.floorEntry(index);
        if (e == null)
        {
            return origin;
        }
        return origin.inMemory(e.getValue().image(), e.getKey(), e.getValue().chronicleIndex());
    }

    /** @return the index of {@link #atOrBefore(long)}, without building the start. */
    long indexAtOrBefore(final long index)
    {
        final Long key = byIndex.floorKey(index);
        return key == null ? origin.index() : key;
    }
}
