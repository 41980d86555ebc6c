package ember.kernel.state;

/**
 * The simulator's (module sim) door into the state package's test-only seams, as
 * {@code ember.kernel.core.SimulationAccess} is into the core's. Lives in the sim module, in the
 * state's package, so that production code exposes none of this publicly.
 * <p>
 * Thread: the one simulator thread (set before a kernel opens, cleared after it is gone).
 */
public final class SimulationStateAccess
{
    private SimulationStateAccess()
    {
    }

    /** @param skip whether the canonical encoding (digest, snapshots) writes 0 for every parent (a planted bug). */
    public static void plantSkipParent(final boolean skip)
    {
        SnapshotCodec.plantedSkipParent = skip;
    }
}
