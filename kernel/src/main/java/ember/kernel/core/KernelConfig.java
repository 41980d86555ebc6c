package ember.kernel.core;

import ember.journal.Journal;
import ember.kernel.state.KernelLimits;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * How to open a kernel. Immutable; {@code with*} methods return modified copies.
 *
 * @param dir                the kernel directory (journal, snapshots, lock, log).
 * @param limits             resource limits, journaled at open.
 * @param idle               the core's idle strategy: busy-spin for lowest latency, backoff
 *                           ({@link DoorbellIdleStrategy}: parks, and new work wakes it) or sleep to
 *                           share a small machine.
 * @param clock              the kernel clock (epoch ns): record timestamps and timer expiry; read by
 *                           the core once per duty cycle and once per record journaled, and by the
 *                           IPC threads (thread-safe). The
 *                           default, {@link KernelClock}, is the system's real-time clock read
 *                           cheaply (a monotonic read plus an offset measured every second).
 * @param blockSize          Chronicle Queue block size (memory-mapped chunk).
 * @param sync               what is forced to disk before answering.
 * @param snapshotEvery      take a snapshot every this many records (0: never periodically).
 * @param snapshotIntervalMs take a snapshot when this long has passed and records were added (0: never).
 * @param snapshotOnClose    take a snapshot at clean shutdown.
 * @param rollCycle          journal files roll on this cycle ({@code minutely}, {@code hourly},
 *                           {@code daily}); an existing journal keeps its own.
 * @param cutDamagedJournal  when recovery meets a damaged record, cut the journal after the last
 *                           good one (kept aside, logged) instead of refusing to open: an
 *                           operator's explicit choice, since later records are given up.
 * @param maxParkedPulls     waiting {@code pullEvent} calls one process may have; one more that
 *                           would wait is refused with {@code Permission denied} before the
 *                           journal. Live-only (parked pulls belong to attached clients), so not
 *                           journaled: replay never depends on it.
 * @param snapshotInFollower periodic snapshots are taken by a {@link SnapshotFollower}: a JVM of
 *                           its own (at nice 19) that keeps its copy of the state by reading the
 *                           journal, so that copy's garbage collection never pauses the core
 *                           (what {@code serve} does). Otherwise by a thread of this JVM (the
 *                           default for embedded kernels: no second process).
 * @param checkpoints        when the core signs the hash chain's head ({@link CheckpointPolicy}).
 */
public record KernelConfig(
    Path dir,
    KernelLimits limits,
    Supplier<IdleStrategy> idle,
    EpochNanoClock clock,
    long blockSize,
    SyncMode sync,
    long snapshotEvery,
    long snapshotIntervalMs,
    boolean snapshotOnClose,
    boolean cutDamagedJournal,
    String rollCycle,
    int maxParkedPulls,
    boolean snapshotInFollower,
    CheckpointPolicy checkpoints)
{
    public static final long DEFAULT_SNAPSHOT_EVERY = 1_000_000;
    public static final int DEFAULT_MAX_PARKED_PULLS = 1_024;

    public KernelConfig
    {
        if (maxParkedPulls < 1)
        {
            throw new IllegalArgumentException("max parked pulls must be positive: " + maxParkedPulls);
        }
    }

    /** @return defaults for {@code dir}: default limits, backoff idle, system clock, no sync, snapshots every 1M records and at close, 1,024 parked pulls per process. */
    public static KernelConfig of(final Path dir)
    {
        return new KernelConfig(dir, KernelLimits.DEFAULTS, DoorbellIdleStrategy::new, new KernelClock(),
            Journal.DEFAULT_BLOCK_SIZE, SyncMode.NONE, DEFAULT_SNAPSHOT_EVERY, 0, true, false, "daily",
            DEFAULT_MAX_PARKED_PULLS, false, CheckpointPolicy.DEFAULTS);
    }

    public KernelConfig withLimits(final KernelLimits limits)
    {
        return new KernelConfig(dir, limits, idle, clock, blockSize, sync, snapshotEvery, snapshotIntervalMs, snapshotOnClose, cutDamagedJournal, rollCycle, maxParkedPulls, snapshotInFollower, checkpoints);
    }

    public KernelConfig withIdle(final Supplier<IdleStrategy> idle)
    {
        return new KernelConfig(dir, limits, idle, clock, blockSize, sync, snapshotEvery, snapshotIntervalMs, snapshotOnClose, cutDamagedJournal, rollCycle, maxParkedPulls, snapshotInFollower, checkpoints);
    }

    public KernelConfig withClock(final EpochNanoClock clock)
    {
        return new KernelConfig(dir, limits, idle, clock, blockSize, sync, snapshotEvery, snapshotIntervalMs, snapshotOnClose, cutDamagedJournal, rollCycle, maxParkedPulls, snapshotInFollower, checkpoints);
    }

    public KernelConfig withBlockSize(final long blockSize)
    {
        return new KernelConfig(dir, limits, idle, clock, blockSize, sync, snapshotEvery, snapshotIntervalMs, snapshotOnClose, cutDamagedJournal, rollCycle, maxParkedPulls, snapshotInFollower, checkpoints);
    }

    public KernelConfig withSync(final SyncMode sync)
    {
        return new KernelConfig(dir, limits, idle, clock, blockSize, sync, snapshotEvery, snapshotIntervalMs, snapshotOnClose, cutDamagedJournal, rollCycle, maxParkedPulls, snapshotInFollower, checkpoints);
    }

    /**
     * @param every      records between periodic snapshots, 0 for none.
     * @param intervalMs time between periodic snapshots, 0 for none.
     * @param onClose    snapshot at clean shutdown.
     */
    public KernelConfig withSnapshots(final long every, final long intervalMs, final boolean onClose)
    {
        return new KernelConfig(dir, limits, idle, clock, blockSize, sync, every, intervalMs, onClose, cutDamagedJournal, rollCycle, maxParkedPulls, snapshotInFollower, checkpoints);
    }

    /** @param inFollower whether periodic snapshots are taken by a follower JVM (see {@link #snapshotInFollower()}). */
    public KernelConfig withSnapshotInFollower(final boolean inFollower)
    {
        return new KernelConfig(dir, limits, idle, clock, blockSize, sync, snapshotEvery, snapshotIntervalMs,
            snapshotOnClose, cutDamagedJournal, rollCycle, maxParkedPulls, inFollower, checkpoints);
    }

    /** @param cut whether recovery may cut a damaged journal after its last good record. */
    public KernelConfig withCutDamagedJournal(final boolean cut)
    {
        return new KernelConfig(dir, limits, idle, clock, blockSize, sync, snapshotEvery, snapshotIntervalMs,
            snapshotOnClose, cut, rollCycle, maxParkedPulls, snapshotInFollower, checkpoints);
    }

    /** @param max waiting pullEvent calls per process (at least 1). */
    public KernelConfig withMaxParkedPulls(final int max)
    {
        return new KernelConfig(dir, limits, idle, clock, blockSize, sync, snapshotEvery, snapshotIntervalMs,
            snapshotOnClose, cutDamagedJournal, rollCycle, max, snapshotInFollower, checkpoints);
    }

    /** @param policy when to sign the hash chain's head. */
    public KernelConfig withCheckpoints(final CheckpointPolicy policy)
    {
        return new KernelConfig(dir, limits, idle, clock, blockSize, sync, snapshotEvery, snapshotIntervalMs,
            snapshotOnClose, cutDamagedJournal, rollCycle, maxParkedPulls, snapshotInFollower, policy);
    }

    /** @param name the journal's roll cycle (see {@link Journal#rollCycle(String)}). */
    public KernelConfig withRollCycle(final String name)
    {
        Journal.rollCycle(name); // validates
        return new KernelConfig(dir, limits, idle, clock, blockSize, sync, snapshotEvery, snapshotIntervalMs,
            snapshotOnClose, cutDamagedJournal, name, maxParkedPulls, snapshotInFollower, checkpoints);
    }

    /**
     * @param name {@code busy-spin}, {@code yield} (spins but lets other threads of a full
     *             machine run), {@code backoff} or {@code sleep}.
     * @return the idle strategy of that name.
     * @throws IllegalArgumentException for any other name.
     */
    public static Supplier<IdleStrategy> idleStrategy(final String name)
    {
        switch (name)
        {
            case "busy-spin":
                return BusySpinIdleStrategy::new;
            case "backoff":
                return DoorbellIdleStrategy::new;
            case "yield":
                return org.agrona.concurrent.YieldingIdleStrategy::new;
            case "sleep":
                return () -> new SleepingMillisIdleStrategy(1);
            default:
                throw new IllegalArgumentException("unknown idle strategy '" + name + "' (busy-spin, yield, backoff or sleep)");
        }
    }
}
