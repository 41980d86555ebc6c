package ember.kernel.client;

/**
 * A signal handler the kernel asks this client to run: process {@code pid} received
 * {@code signal}. The client's own type (the core's {@code HandlerCall} stays in the core).
 */
public record SignalCall(long pid, long signal)
{
}
