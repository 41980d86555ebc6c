package ember.kernel.cli;

import ember.kernel.core.KernelConfig;
import ember.kernel.core.SyncMode;
import ember.kernel.state.KernelLimits;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * The kernel options shared by {@code serve} and {@code shell} (picocli mixin). Filled by picocli
 * and read by the command on the CLI's main thread only.
 */
final class KernelOptions
{
    @Mixin
    KernelDirOption directory;

    @Option(names = "--sync", paramLabel = "MODE", defaultValue = "none",
        description = {"what is forced to disk before answering (default: ${DEFAULT-VALUE}):",
            "none: survives a kernel crash; batch: group commit, also survives an OS crash or power loss;",
            "always: msync after every record"})
    String sync;

    @Option(names = "--snapshot-every", paramLabel = "RECORDS", defaultValue = "1000000",
        description = "snapshot every RECORDS journal records, 0 for never (default: ${DEFAULT-VALUE})")
    long snapshotEvery;

    @Option(names = "--snapshot-interval", paramLabel = "SECONDS", defaultValue = "0",
        description = "snapshot every SECONDS when records were added, 0 for never (default: ${DEFAULT-VALUE})")
    long snapshotIntervalSeconds;

    @Option(names = "--roll-cycle", paramLabel = "CYCLE", defaultValue = "daily",
        description = "one journal file per CYCLE for a new journal: minutely, hourly or daily (default: ${DEFAULT-VALUE})")
    String rollCycle;

    @Option(names = "--cut-damaged-journal",
        description = {"if recovery meets a damaged record, or a journal that ends before the index it reached,",
            "keep the records up to the last good one (the old journal is kept aside and the cut is logged)",
            "instead of refusing to start"})
    boolean cutDamagedJournal;

    @Option(names = "--checkpoint-every", paramLabel = "RECORDS", defaultValue = "100000",
        description = "sign the hash chain's head every RECORDS records (default: ${DEFAULT-VALUE}; also every second and at close)")
    long checkpointEvery;

    @Option(names = "--checkpoint-key", paramLabel = "FILE",
        description = "install this Ed25519 key file as DIR/checkpoint.key at first start (default: the kernel makes one)")
    java.nio.file.Path checkpointKey;

    @Option(names = "--max-queue", paramLabel = "EVENTS", description = "events per process queue (default: 10000)")
    Integer maxQueue;

    @Option(names = "--max-payload", paramLabel = "BYTES", description = "encoded bytes of a parameter table or event data (default: 65536)")
    Integer maxPayload;

    @Option(names = "--max-processes", paramLabel = "N", description = "live processes in all (default: 100000)")
    Integer maxProcesses;

    @Option(names = "--max-processes-per-user", paramLabel = "N", description = "live processes of one user (default: 50000)")
    Integer maxProcessesPerUser;

    @Option(names = "--max-timers", paramLabel = "N", description = "pending timers and alarms of one process (default: 1000000)")
    Integer maxTimers;

    @Option(names = "--max-parked-pulls", paramLabel = "N",
        description = "waiting pullEvent calls of one process; one more is refused (default: 1024)")
    Integer maxParkedPulls;

    /** @return DIR. */
    Path dir()
    {
        return directory.dir;
    }

    /**
     * @return the configuration these options describe.
     * @throws IllegalArgumentException for an unknown sync mode or a limit below 1.
     */
    KernelConfig config()
    {
        final KernelLimits d = KernelLimits.DEFAULTS;
        final KernelLimits limits = new KernelLimits(
            maxQueue != null ? maxQueue : d.maxQueueLength(),
            maxPayload != null ? maxPayload : d.maxPayloadBytes(),
            maxProcesses != null ? maxProcesses : d.maxProcesses(),
            maxProcessesPerUser != null ? maxProcessesPerUser : d.maxProcessesPerUser(),
            maxTimers != null ? maxTimers : d.maxTimersPerProcess());
        if (snapshotEvery < 0 || snapshotIntervalSeconds < 0)
        {
            throw new IllegalArgumentException("snapshot settings must not be negative");
        }
        return KernelConfig.of(dir()).withLimits(limits).withSync(SyncMode.parse(sync))
            .withSnapshots(snapshotEvery, snapshotIntervalSeconds * 1000, true).withCutDamagedJournal(cutDamagedJournal)
            .withRollCycle(rollCycle)
            .withCheckpoints(new ember.kernel.core.CheckpointPolicy(checkpointEvery,
                ember.kernel.core.CheckpointPolicy.DEFAULTS.intervalMs(), true, checkpointKey))
            .withMaxParkedPulls(maxParkedPulls != null ? maxParkedPulls : KernelConfig.DEFAULT_MAX_PARKED_PULLS);
    }
}
