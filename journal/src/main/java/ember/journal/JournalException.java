package ember.journal;

/** The journal cannot take a record (too large, I/O failure); nothing was written. */
public final class JournalException extends RuntimeException
{
    public JournalException(final String message)
    {
        super(message);
    }
}
