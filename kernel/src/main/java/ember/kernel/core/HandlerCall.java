package ember.kernel.core;

/**
 * A signal handler that must run in a client: process {@code pid} received {@code signal}.
 */
public record HandlerCall(long pid, long signal)
{
}
