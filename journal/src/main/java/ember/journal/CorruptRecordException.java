package ember.journal;

/**
 * A journal record that fails its integrity check or cannot be decoded. The message names the
 * record's position so an operator can find it.
 * <p>
 * Usually the record read is the bad one. When the fault can only be placed in a range (records
 * rewritten with their chain recomputed, caught at the checkpoint after them),
 * {@link #rewrittenFrom()} names the range's first record.
 */
public final class CorruptRecordException extends RuntimeException
{
    private final long rewrittenFrom;

    public CorruptRecordException(final String message)
    {
        this(message, 0);
    }

    /**
     * @param rewrittenFrom the first record of the range the fault lies in; 0 when the record read
     *                      is itself the first bad one.
     */
    public CorruptRecordException(final String message, final long rewrittenFrom)
    {
        super(message);
        this.rewrittenFrom = rewrittenFrom;
    }

    /** @return the first record of the rewritten range the fault lies in, 0 when the fault is exactly at the record read. */
    public long rewrittenFrom()
    {
        return rewrittenFrom;
    }
}
