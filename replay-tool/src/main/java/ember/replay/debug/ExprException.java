package ember.replay.debug;

/**
 * An expression of {@code break when}, {@code when} or {@code find} that does not parse or does
 * not type-check; the message is one line naming the column ({@code at column 12: expected ')'}).
 */
public final class ExprException extends RuntimeException
{
    public ExprException(final String message)
    {
        super(message);
    }
}
