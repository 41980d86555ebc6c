package ember.kernel.state;

/**
 * Configurable resource limits. They are part of the deterministic state: the kernel journals
 * them in each {@code kernelOpen} record, so replay applies the limits that were in force when
 * each syscall ran.
 *
 * @param maxQueueLength       events a process may hold before {@code queueEvent} fails with
 *                             {@code Event queue full} and {@code sendEvent} returns false
 *                             (events the kernel queues itself are never refused).
 * @param maxPayloadBytes      encoded size of a parameter table or event data ({@code Payload too large}).
 * @param maxProcesses         live processes in all; {@code spawn} beyond fails with {@code Permission denied}.
 * @param maxProcessesPerUser  live processes of one user; likewise.
 * @param maxTimersPerProcess  pending timers and alarms of one process; {@code timer}/{@code alarm}
 *                             beyond fail with {@code Permission denied}.
 */
public record KernelLimits(
    int maxQueueLength, int maxPayloadBytes, int maxProcesses, int maxProcessesPerUser, int maxTimersPerProcess)
{
    public static final KernelLimits DEFAULTS = new KernelLimits(10_000, 64 * 1024, 100_000, 50_000, 1_000_000);

    /** Queue and payload limits with the other defaults. */
    public KernelLimits(final int maxQueueLength, final int maxPayloadBytes)
    {
        this(maxQueueLength, maxPayloadBytes, DEFAULTS.maxProcesses, DEFAULTS.maxProcessesPerUser,
            DEFAULTS.maxTimersPerProcess);
    }

    public KernelLimits
    {
        if (maxQueueLength < 1 || maxPayloadBytes < 1 || maxProcesses < 1 || maxProcessesPerUser < 1 ||
            maxTimersPerProcess < 1)
        {
            throw new IllegalArgumentException("limits must be positive");
        }
    }

    /** @return the journaled form, {@code key=value;...}. */
    public String encode()
    {
        return "maxQueueLength=" + maxQueueLength + ";maxPayloadBytes=" + maxPayloadBytes +
            ";maxProcesses=" + maxProcesses + ";maxProcessesPerUser=" + maxProcessesPerUser +
            ";maxTimersPerProcess=" + maxTimersPerProcess;
    }

    /**
     * @param text the journaled form; unknown keys and bad values are ignored, missing keys take
     *             the defaults (journals written before a limit existed replay as they ran).
     * @return the limits.
     */
    public static KernelLimits decode(final String text)
    {
        final int[] values = {DEFAULTS.maxQueueLength, DEFAULTS.maxPayloadBytes, DEFAULTS.maxProcesses,
            DEFAULTS.maxProcessesPerUser, DEFAULTS.maxTimersPerProcess};
        final String[] keys = {"maxQueueLength", "maxPayloadBytes", "maxProcesses", "maxProcessesPerUser",
            "maxTimersPerProcess"};
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
                try
                {
                    final int value = Integer.parseInt(pair.substring(eq + 1));
                    for (int i = 0; i < keys.length; i++)
                    {
                        if (keys[i].equals(key) && value >= 1)
                        {
                            values[i] = value;
                        }
                    }
                }
                catch (final NumberFormatException ignored)
                {
                    // keep the default
                }
            }
        }
        return new KernelLimits(values[0], values[1], values[2], values[3], values[4]);
    }
}
