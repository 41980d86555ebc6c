package ember.kernel.state;

/**
 * Configurable resource limits (SPEC §2). They are part of the deterministic state: the kernel
 * journals them in each {@code kernelOpen} record, so replay applies the limits that were in
 * force when each syscall ran.
 *
 * @param maxQueueLength  events a process may hold before {@code queueEvent} fails and
 *                        {@code sendEvent} returns false (kernel events are never refused).
 * @param maxPayloadBytes encoded size of a parameter table or event data.
 */
public record KernelLimits(int maxQueueLength, int maxPayloadBytes)
{
    public static final KernelLimits DEFAULTS = new KernelLimits(10_000, 64 * 1024);

    public KernelLimits
    {
        if (maxQueueLength < 1 || maxPayloadBytes < 1)
        {
            throw new IllegalArgumentException("limits must be positive: " + maxQueueLength + ", " + maxPayloadBytes);
        }
    }

    /** @return the journaled form, e.g. {@code maxQueueLength=10000;maxPayloadBytes=65536}. */
    public String encode()
    {
        return "maxQueueLength=" + maxQueueLength + ";maxPayloadBytes=" + maxPayloadBytes;
    }

    /**
     * @param text the journaled form; unknown keys are ignored, missing keys take the defaults.
     * @return the limits.
     */
    public static KernelLimits decode(final String text)
    {
        int queue = DEFAULTS.maxQueueLength;
        int payload = DEFAULTS.maxPayloadBytes;
        if (text != null)
        {
            for (final String pair : text.split(";"))
            {
                final int eq = pair.indexOf('=');
                if (eq <= 0)
                {
                    continue;
                }
                final String key = pair.substring(0, eq);
                final int value;
                try
                {
                    value = Integer.parseInt(pair.substring(eq + 1));
                }
                catch (final NumberFormatException ex)
                {
                    continue;
                }
                if (value < 1)
                {
                    continue;
                }
                if ("maxQueueLength".equals(key))
                {
                    queue = value;
                }
                else if ("maxPayloadBytes".equals(key))
                {
                    payload = value;
                }
            }
        }
        return new KernelLimits(queue, payload);
    }
}
