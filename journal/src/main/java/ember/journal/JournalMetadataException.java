package ember.journal;

/**
 * The journal's Chronicle metadata ({@code metadata.cq4t}) is missing or half made: a kernel was
 * killed during its very first open, before that open wrote the journal's first cycle file. A
 * read-only reader cannot repair it (Chronicle would wait for a lock on it, then fail in its own
 * words); a read-write open of the kernel remakes it. Nothing was ever journaled in that state.
 * An {@link IllegalStateException}, as Chronicle's own failure to open a queue is.
 */
public final class JournalMetadataException extends IllegalStateException
{
    /** What every reader says, one line: what happened and what repairs it. */
    public static final String MESSAGE = "the journal's metadata is missing or half made " +
        "(a kernel was killed while creating it); open the kernel once to repair it";

    public JournalMetadataException()
    {
        super(MESSAGE);
    }
}
