package ember.kernel.client;

/**
 * A syscall raised an error. The message is exactly the SPEC's (§3, §5): {@code No such process},
 * {@code Permission denied}, {@code bad argument #1 to 'timer' (expected number, got string)}, …
 * Thrown on the thread whose syscall failed; immutable.
 */
public final class EmberException extends RuntimeException
{
    public EmberException(final String message)
    {
        super(message);
    }
}
