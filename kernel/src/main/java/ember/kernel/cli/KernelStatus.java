package ember.kernel.cli;

import ember.journal.SyscallType;
import ember.kernel.core.CountersLayout;
import ember.kernel.core.ErrorsLayout;
import ember.kernel.core.Kernel;
import ember.kernel.core.KernelCountersReader;
import ember.kernel.core.KernelErrorsReader;
import ember.kernel.core.OfflineState;
import ember.kernel.state.KernelState;
import ember.kernel.transport.IpcLayout;

import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * What {@code ember status} and {@code ember top} show about a kernel directory, gathered without
 * touching the kernel: the state from the files ({@link OfflineState}, read-only, no lock) and,
 * for a running kernel whose counters this account may read, the live counters
 * ({@link KernelCountersReader}: memory reads, never a request to the core). An immutable value,
 * gathered by {@link #read} on the calling thread.
 *
 * @param mode          {@code service}, {@code embedded} or {@code stopped}.
 * @param holder        the OS pid holding the kernel lock, or -1.
 * @param state         the state after the journal's last complete record.
 * @param journalBytes  the journal files' size on disk.
 * @param snapshot      the newest snapshot (from the counters when live, else from the files), or null.
 * @param live          the live counters' figures, or null (stopped, or not readable by this account).
 * @param errors        distinct unexpected errors in the errors file of the kernel's last run (0 without one).
 */
record KernelStatus(String mode, long holder, KernelState state, long journalBytes, OfflineState.SnapshotMark snapshot,
    Live live, int errors)
{
    /**
     * Figures from the live counters.
     *
     * @param uptimeMs        since the kernel opened.
     * @param syscallsPerS    answered syscalls per second over the sampling window (ok and errors).
     * @param syscallsOk      answered ok since open.
     * @param syscallsError   answered with an error or refused since open.
     * @param appendedBytes   journal bytes appended since open.
     * @param clients         attached clients, from their counters.
     * @param core            the core's own figures.
     */
    record Live(long uptimeMs, double syscallsPerS, long syscallsOk, long syscallsError, long appendedBytes,
        List<KernelCountersReader.Client> clients, Core core)
    {
    }

    /**
     * The core's figures from the live counters.
     *
     * @param parkedPulls       pulls waiting now.
     * @param eventQueueMax     the deepest event queue since open.
     * @param inboxMax          the most commands one duty cycle took from the core's inbox since open.
     * @param dutyCycleMaxNs    the longest duty cycle since open.
     * @param dutyCycleRecentNs the longest duty cycle over the last one to two seconds.
     * @param syscallsByType    answered client syscalls by type (those answered at least once).
     */
    record Core(long parkedPulls, long eventQueueMax, long inboxMax, long dutyCycleMaxNs, long dutyCycleRecentNs,
        Map<SyscallType, Long> syscallsByType)
    {
        /** @return e.g. {@code getpid:12,pullEvent:3}, or {@code none}. */
        String byTypeText()
        {
            if (syscallsByType.isEmpty())
            {
                return "none";
            }
            final StringBuilder text = new StringBuilder();
            for (final Map.Entry<SyscallType, Long> entry : syscallsByType.entrySet())
            {
                text.append(text.length() == 0 ? "" : ",").append(entry.getKey().syscallName()).append(':')
                    .append(entry.getValue());
            }
            return text.toString();
        }
    }

    /**
     * @param dir      a kernel directory holding a journal.
     * @param sampleMs how long to wait between the two counter reads the syscall rate comes from
     *                 (in this process: the core is not waited on).
     * @throws ember.kernel.core.KernelOpenException when the journal cannot be read.
     */
    static KernelStatus read(final Path dir, final long sampleMs) throws InterruptedException
    {
        final boolean service = IpcLayout.serviceAlive(dir, System.currentTimeMillis());
        final long holder = Kernel.lockHolder(dir);
        final String mode = service ? "service" : holder > 0 ? "embedded" : "stopped";
        Live live = null;
        OfflineState.SnapshotMark snapshot = null;
        if (!"stopped".equals(mode))
        {
            try (KernelCountersReader counters = KernelCountersReader.open(dir))
            {
                // A kernel that crashed leaves its file: trust it only when its maker holds the lock.
                if (counters != null && (holder <= 0 || holder == counters.osPid()))
                {
                    final long t0 = System.nanoTime();
                    final long n0 = answered(counters);
                    Thread.sleep(sampleMs);
                    final long n1 = answered(counters);
                    final double seconds = (System.nanoTime() - t0) / 1e9;
                    live = new Live(System.currentTimeMillis() - counters.startMs(), (n1 - n0) / seconds,
                        counters.value(CountersLayout.SYSCALLS_OK), counters.value(CountersLayout.SYSCALLS_ERROR),
                        counters.value(CountersLayout.JOURNAL_BYTES), counters.clients(), new Core(
                            counters.value(CountersLayout.PARKED_PULLS), counters.value(CountersLayout.EVENT_QUEUE_MAX),
                            counters.value(CountersLayout.INBOX_MAX), counters.value(CountersLayout.DUTY_CYCLE_MAX_NS),
                            counters.value(CountersLayout.DUTY_CYCLE_RECENT_MAX_NS), counters.syscallsByType()));
                    final long index = counters.value(CountersLayout.SNAPSHOT_INDEX);
                    snapshot = index > 0 ? new OfflineState.SnapshotMark(index,
                        counters.value(CountersLayout.SNAPSHOT_TIME_MS)) : null;
                }
            }
        }
        if (live == null)
        {
            snapshot = OfflineState.newestSnapshot(dir);
        }
        final KernelState state = OfflineState.read(dir);
        return new KernelStatus(mode, holder, state, OfflineState.journalBytesOnDisk(dir), snapshot, live, errors(dir));
    }

    /** @return the distinct errors in {@code DIR/errors.dat}, 0 when there is none this account may read. */
    private static int errors(final Path dir)
    {
        try (KernelErrorsReader reader = KernelErrorsReader.open(ErrorsLayout.file(dir)))
        {
            return reader == null ? 0 : reader.distinctErrors();
        }
    }

    private static long answered(final KernelCountersReader counters)
    {
        return counters.value(CountersLayout.SYSCALLS_OK) + counters.value(CountersLayout.SYSCALLS_ERROR);
    }

    /** @return {@code ns} in microseconds, one decimal. */
    static String micros(final long ns)
    {
        return String.format(java.util.Locale.ROOT, "%.1f", ns / 1000.0);
    }

    /** @return {@code INDEX@TIME} (UTC, seconds) or {@code none}. */
    static String snapshotText(final OfflineState.SnapshotMark snapshot)
    {
        return snapshot == null ? "none" :
            snapshot.index() + "@" + Instant.ofEpochMilli(snapshot.timeMs()).truncatedTo(ChronoUnit.SECONDS);
    }

    /** @return the one {@code key=value} line of {@code ember status} (SPEC §8's keys first, unchanged). */
    String line()
    {
        final StringBuilder line = new StringBuilder()
            .append("mode=").append(mode)
            .append(" records=").append(state.lastIndex())
            .append(" digest=").append(state.digest());
        if (!"stopped".equals(mode))
        {
            line.append(" clients=").append(state.clients().length);
            if (holder > 0)
            {
                line.append(" pid=").append(holder);
            }
        }
        line.append(" processes=").append(state.pids().length);
        if (live != null)
        {
            line.append(" uptime=").append(live.uptimeMs() / 1000)
                .append(" syscalls_per_s=").append(String.format(java.util.Locale.ROOT, "%.1f", live.syscallsPerS()))
                .append(" syscalls_ok=").append(live.syscallsOk())
                .append(" syscalls_error=").append(live.syscallsError())
                .append(" journal_appended_bytes=").append(live.appendedBytes());
            final Core core = live.core();
            line.append(" parked_pulls=").append(core.parkedPulls())
                .append(" event_queue_max=").append(core.eventQueueMax())
                .append(" inbox_max=").append(core.inboxMax())
                .append(" duty_cycle_max_us=").append(micros(core.dutyCycleMaxNs()))
                .append(" duty_cycle_recent_max_us=").append(micros(core.dutyCycleRecentNs()))
                .append(" syscalls_by_type=").append(core.byTypeText());
        }
        line.append(" journal_bytes=").append(journalBytes)
            .append(" last_snapshot=").append(snapshotText(snapshot))
            .append(" errors=").append(errors);
        return line.toString();
    }
}
