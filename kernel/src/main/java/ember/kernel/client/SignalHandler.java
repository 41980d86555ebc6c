package ember.kernel.client;

/**
 * A signal handler; runs on a thread of the client that registered it (SPEC §3): whichever thread is
 * dispatching that client's handler calls (a syscall's or {@code runHandlers}'), never two handlers
 * of one client at once, so a handler need not be thread-safe against the client's other handlers.
 */
@FunctionalInterface
public interface SignalHandler
{
    /** @param signal the signal number received. */
    void handle(long signal);
}
