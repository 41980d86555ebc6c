package ember.replay.engine;

import ember.journal.JournalReader;
import ember.journal.SyscallRecord;
import ember.replay.ToolException;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * A point in a journal as a user names it: a record index ({@code 1234}) or an ISO-8601 time
 * ({@code 2025-06-01T12:00:00.123456Z}; without a zone it is UTC; a date alone is its midnight).
 * A time stands for the last record written at or before it. Times are printed to the
 * microsecond, so a time given to the microsecond (or coarser) covers its whole microsecond:
 * {@code --to} the printed time of a record includes that record.
 *
 * @param index  the record index, or -1 for a time.
 * @param timeNs the time in epoch nanoseconds, when {@code index} is -1.
 * @param text   as the user wrote it.
 */
public record Point(long index, long timeNs, String text)
{
    /**
     * @param text an index or a time.
     * @return the point.
     * @throws ToolException (usage) when {@code text} is neither.
     */
    public static Point parse(final String text)
    {
        final String t = text.trim();
        if (!t.isEmpty() && t.chars().allMatch(Character::isDigit))
        {
            try
            {
                return new Point(Long.parseLong(t), 0, text);
            }
            catch (final NumberFormatException ex)
            {
                throw new ToolException("index out of range: " + text, ToolException.USAGE);
            }
        }
        return new Point(-1, epochNanos(parseTime(t, text)), text);
    }

    private static Instant parseTime(final String t, final String text)
    {
        try
        {
            return Instant.parse(t);
        }
        catch (final DateTimeParseException ignored)
        {
            // try the next form
        }
        try
        {
            return OffsetDateTime.parse(t).toInstant();
        }
        catch (final DateTimeParseException ignored)
        {
            // try the next form
        }
        try
        {
            return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
        }
        catch (final DateTimeParseException ignored)
        {
            // try the next form
        }
        try
        {
            return LocalDate.parse(t).atStartOfDay().toInstant(ZoneOffset.UTC);
        }
        catch (final DateTimeParseException ex)
        {
            throw new ToolException("not a record index or an ISO-8601 time: '" + text + "'", ToolException.USAGE);
        }
    }

    private static long epochNanos(final Instant instant)
    {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
    }

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
