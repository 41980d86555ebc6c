package ember.kernel.core;

import java.util.function.LongPredicate;

/**
 * The simulator's (module sim) only door into the core's package-private seams: a driven kernel
 * (no core thread), an in-process crash, the digest question, and the test-only probes. Lives in
 * the sim module, in the core's package, so that production code exposes none of this publicly.
 * <p>
 * Thread: the one simulator thread that drives the kernel.
 */
public final class SimulationAccess
{
    private SimulationAccess()
    {
    }

    /** Observes and perturbs the core; see {@link CoreProbe}. */
    public interface Probe
    {
        /** A command is about to be answered (a planted bug may change its result). */
        void beforeAnswer(Command command);

        /** @return true to skip the sync of record {@code index} (a planted bug). */
        boolean skipSync(long index);

        /** The journal was synced up to {@code index}. */
        void onSynced(long index);

        /** A digest query is answered from the live {@code state} (read it now, on this thread; keep no reference). */
        void onDigestQuery(ember.kernel.state.KernelState state);

        /** @return the deadline the timer wheel gets. */
        long wheelDeadline(long id, long deadlineNs);
    }

    /** @return a kernel whose duty cycles run on the caller's thread ({@link Kernel#openDriven}). */
    public static Kernel openDriven(final KernelConfig config)
    {
        return Kernel.openDriven(config);
    }

    /** @return the work done by one duty cycle of a driven kernel. */
    public static int dutyCycle(final Kernel kernel)
    {
        return kernel.dutyCycle();
    }

    /**
     * Wait until the kernel's snapshot thread has taken the snapshot the core asked for, if any:
     * which snapshots exist (and whether a failing write hit one) then depends on the seed alone.
     */
    public static void awaitSnapshot(final Kernel kernel)
    {
        while (!kernel.snapshotIdle())
        {
            Thread.yield(); // the snapshot thread may need this core
        }
    }

    /** Kill a driven kernel as a dead process would be ({@link Kernel#crash}). */
    public static void crash(final Kernel kernel)
    {
        kernel.crash();
    }

    /** @return a not-journaled question for the live state's {@code INDEX:DIGEST} (answered as {@code result.number}, {@code result.value}). */
    public static Command digestQuery()
    {
        final Command command = new Command(c -> { });
        command.digestQuery = true;
        return command;
    }

    /** @param probe the probe, or null to remove it. */
    public static void probe(final Probe probe)
    {
        KernelCore.probe = probe == null ? null : new CoreProbe()
        {
            @Override
            public void beforeAnswer(final Command command)
            {
                probe.beforeAnswer(command);
            }

            @Override
            public boolean skipSync(final long index)
            {
                return probe.skipSync(index);
            }

            @Override
            public void onSynced(final long index)
            {
                probe.onSynced(index);
            }

            @Override
            public long wheelDeadline(final long id, final long deadlineNs)
            {
                return probe.wheelDeadline(id, deadlineNs);
            }

            @Override
            public void onDigestQuery(final ember.kernel.state.KernelState state)
            {
                probe.onDigestQuery(state);
            }

            @Override
            public boolean niceSnapshotThread()
            {
                return false; // hundreds of kernels a minute: no renice process for each
            }
        };
    }

    /** @param fault snapshot writes at the indexes it accepts fail; null for none. */
    public static void snapshotWriteFault(final LongPredicate fault)
    {
        SnapshotStore.writeFault = fault;
    }
}
