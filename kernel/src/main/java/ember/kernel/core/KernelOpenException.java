package ember.kernel.core;

/** A kernel directory cannot be opened: in use, unreadable, or its journal is damaged. */
public final class KernelOpenException extends RuntimeException
{
    public KernelOpenException(final String message)
    {
        super(message);
    }
}
