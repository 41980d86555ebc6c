package ember.kernel.core;

/** The kernel is closed or closing: the command was not journaled. */
public final class KernelClosedException extends RuntimeException
{
    public KernelClosedException(final String message)
    {
        super(message);
    }
}
