package ember.replay.engine;

import ember.journal.CorruptRecordException;
import ember.journal.JournalReader;

/**
 * Turns the JVM's {@link InternalError} for a memory-mapped read past the end of a file (a record
 * header whose length was damaged points beyond the data) into the same
 * {@link CorruptRecordException} the reader throws for other damage, naming the position.
 */
public final class Unreadable
{
    private Unreadable()
    {
    }

    /**
     * @param reader the reader that faulted.
     * @param error  the fault.
     * @return the exception to throw instead.
     */
    public static CorruptRecordException record(final JournalReader reader, final InternalError error)
    {
        return new CorruptRecordException("corrupt record after index " + reader.lastIndex() + " (" +
            reader.position() + "): its length runs past the end of the journal file (" + error.getMessage() + ")");
    }
}
