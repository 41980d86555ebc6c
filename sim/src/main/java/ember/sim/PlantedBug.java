package ember.sim;

/** Known bugs the simulator plants, one at a time, to show it finds them (test-only). */
enum PlantedBug
{
    NONE,
    /** A pull takes an event off the queue and answers nil. */
    DROP_PULLED_EVENT,
    /** The timer wheel fires every timer one tick (~1 ms) before its deadline. */
    EARLY_TIMER,
    /** Under --sync always|batch some answered records were never synced. */
    UNSYNCED_ACK,
    /**
     * The canonical encoding, hence every digest and snapshot, skips each process's parent (writes
     * 0): digests cannot tell states apart by it, and a recovery from a snapshot loses it.
     */
    DIGEST_SKIPS_A_FIELD
}
