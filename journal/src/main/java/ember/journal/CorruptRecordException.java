package ember.journal;

/**
 * A journal record that fails its integrity check or cannot be decoded. The message names the
 * record's position so an operator can find it.
 */
public final class CorruptRecordException extends RuntimeException
{
    public CorruptRecordException(final String message)
    {
        super(message);
    }
}
