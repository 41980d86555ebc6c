package ember.replay.verify;

import java.util.List;

/**
 * The outcome of {@code replay-tool verify}.
 *
 * @param lastIndex    the last record read and applied.
 * @param records      records read and applied in the first pass (after the snapshot replay
 *                     started from, when the journal was pruned).
 * @param firstTimeNs  timestamp of the first record (0 when none).
 * @param lastTimeNs   timestamp of the last record read.
 * @param seconds      duration of the first pass (read, check, apply).
 * @param digest       the final state digest of the first pass.
 * @param notes        what was checked, one line each.
 * @param fault        the first fault found, or null when the journal verified.
 */
public record Verification(long lastIndex, long records, long firstTimeNs, long lastTimeNs, double seconds, String digest,
    List<String> notes, String fault)
{
    /** @return true when no fault was found. */
    public boolean ok()
    {
        return fault == null;
    }

    /** @return records per second of the first pass. */
    public double recordsPerSecond()
    {
        return seconds > 0 ? records / seconds : 0;
    }
}
