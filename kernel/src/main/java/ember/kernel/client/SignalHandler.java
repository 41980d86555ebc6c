package ember.kernel.client;

/** A signal handler; runs on a thread of the client that registered it (SPEC §3). */
@FunctionalInterface
public interface SignalHandler
{
    /** @param signal the signal number received. */
    void handle(long signal);
}
