package ember.journal;

/**
 * The journal's file system cannot back the space the next record needs: the record was refused
 * before any of it was written. Not fatal: appending may succeed again once space is back.
 */
public final class JournalFullException extends JournalException
{
    public JournalFullException(final String message)
    {
        super(message);
    }
}
