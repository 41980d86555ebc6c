package ember.replay.engine;

import ember.journal.JournalReader;
import ember.journal.SyscallRecord;

/**
 * A point in a journal: a record index or a time in epoch nanoseconds, as {@link PointSpec}
 * resolves what the user wrote. A time stands for the last record written at or before it.
 * Times are printed to the microsecond, so a time given to the microsecond (or coarser) covers
 * its whole microsecond: {@code --to} the printed time of a record includes that record.
 *
 * @param index  the record index, or -1 for a time.
 * @param timeNs the time in epoch nanoseconds, when {@code index} is -1.
 * @param text   as the user wrote it.
 */
public record Point(long index, long timeNs, String text)
{
    /** @return true when this point is a time, false for an index. */
    public boolean isTime()
    {
        return index < 0;
    }

    /**
     * @param dir the journal.
     * @return the record index this point stands for: the index itself, or for a time the last
     * record whose timestamp is at or before it (0 when none is; for a pruned journal, the
     * record before its first when none of its records is).
     */
    public long resolve(final JournalDir dir)
    {
        if (!isTime())
        {
            return index;
        }
        final SyscallRecord record = new SyscallRecord();
        try (JournalReader reader = dir.openReaderFromFirst())
        {
            long last = reader.lastIndex();
            try
            {
                while (reader.next(record) && record.timestamp <= lastNs())
                {
                    last = record.index;
                }
            }
            catch (final InternalError ex)
            {
                throw Unreadable.record(reader, ex);
            }
            return last;
        }
    }

    /**
     * @param timestamp a record's timestamp.
     * @param index     the record's index.
     * @return true when the record lies at or before this point.
     */
    public boolean covers(final long index, final long timestamp)
    {
        return isTime() ? timestamp <= lastNs() : index <= this.index;
    }

    /** @return the last nanosecond this time covers: the end of its microsecond when given to the microsecond. */
    private long lastNs()
    {
        return timeNs % 1_000 == 0 ? timeNs + 999 : timeNs;
    }

    /** @return true when the record lies at or after this point. */
    public boolean reachedBy(final long index, final long timestamp)
    {
        return isTime() ? timestamp >= timeNs : index >= this.index;
    }
}
