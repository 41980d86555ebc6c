package ember.journal;

/** The journal cannot take a record (too large, no space); nothing of it was written. */
public class JournalException extends RuntimeException
{
    public JournalException(final String message)
    {
        super(message);
    }
}
