package ember.kernel.core;

/**
 * What the kernel forces to the storage device before it answers (the journal is a memory-mapped
 * Chronicle Queue: every appended record survives a crash of the kernel process in any mode,
 * since the OS keeps the mapped pages; the modes differ on an OS crash or power loss).
 */
public enum SyncMode
{
    /** Never msync: the OS writes pages back on its own. An OS crash may lose the last seconds. */
    NONE,
    /**
     * Group commit: the records of one core duty cycle are msync'ed together, then their callers
     * are answered. Nothing acknowledged is lost on an OS crash; costs one msync per batch.
     */
    BATCH,
    /** msync after every record, before it is applied and answered. Safest, slowest. */
    ALWAYS;

    /** @return the mode named {@code none}, {@code batch} or {@code always}. */
    public static SyncMode parse(final String name)
    {
        switch (name)
        {
            case "none":
                return NONE;
            case "batch":
                return BATCH;
            case "always":
                return ALWAYS;
            default:
                throw new IllegalArgumentException("unknown sync mode '" + name + "' (none, batch or always)");
        }
    }
}
