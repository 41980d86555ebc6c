package ember.kernel.bench;

/**
 * A process that only burns one CPU for a while, never talking to the kernel: the baseline for
 * {@link FloodBench}. On a small machine any busy process of another account takes CPU from the
 * kernel and its callers; what a flood costs beyond that is what the kernel's defences answer for.
 * <pre>
 * java ... ember.kernel.bench.CpuHog SECONDS
 * </pre>
 */
public final class CpuHog
{
    private static volatile long sink;

    private CpuHog()
    {
    }

    public static void main(final String[] args)
    {
        final long end = System.nanoTime() + (long)(Double.parseDouble(args[0]) * 1e9);
        long spins = 0;
        while (System.nanoTime() < end)
        {
            spins++;
        }
        sink = spins;
        System.out.println("HOG spins=" + spins);
    }
}
