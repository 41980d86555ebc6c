package ember.kernel.client;

/**
 * A client attached to a kernel. It acts for processes through {@link #as(long)} views and runs
 * the signal handlers it registered.
 * <p>
 * Handler calls run on the thread that issued a syscall, before that syscall returns (so a
 * handler caused by a syscall runs before its result is seen), or on the thread calling
 * {@link #runHandlers()}.
 */
public interface EmberClient extends AutoCloseable
{
    /** @return the syscalls of process {@code pid}, issued by this client. */
    Syscalls as(long pid);

    /** Run the handler calls that arrived since the last syscall. @return how many ran. */
    int runHandlers();

    /** Detach: the client's handlers fall back to queued {@code signal} events. */
    @Override
    void close();
}
