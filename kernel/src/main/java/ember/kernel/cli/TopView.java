package ember.kernel.cli;

import ember.kernel.core.KernelCountersReader;
import ember.kernel.state.KernelState;
import ember.kernel.state.ProcessInfo;

import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * One frame of {@code ember top}: a header (mode, uptime, records, syscalls/s, journal size, last
 * snapshot; for a live kernel the core's figures and its syscalls by type), the attached clients (from the live counters) and the processes with their queue
 * depths, deepest first (from the journal and snapshot, read-only, as {@link KernelStatus} reads them).
 * Pure: renders what it is given, so a frame printed to a pipe is exactly what a terminal shows.
 * Keeps no state between frames; safe from any thread.
 */
final class TopView
{
    private TopView()
    {
    }

    /**
     * @param dir          the kernel directory.
     * @param status       what was read.
     * @param maxProcesses process rows to show at most (the rest are counted in one line).
     * @return the frame's lines.
     */
    static List<String> frame(final Path dir, final KernelStatus status, final int maxProcesses)
    {
        final List<String> lines = new ArrayList<>();
        final KernelStatus.Live live = status.live();
        final KernelState state = status.state();
        lines.add("ember top: " + dir + "  mode " + status.mode() +
            (status.holder() > 0 ? "  pid " + status.holder() : "") +
            (live != null ? "  uptime " + duration(live.uptimeMs()) : ""));
        lines.add("records " + state.lastIndex() +
            (live != null ? String.format(Locale.ROOT, "  syscalls/s %.1f  ok %d  error %d", live.syscallsPerS(),
                live.syscallsOk(), live.syscallsError()) : "") +
            "  journal " + bytes(status.journalBytes()) +
            (live != null ? " (" + bytes(live.appendedBytes()) + " appended since start)" : "") +
            "  last snapshot " + KernelStatus.snapshotText(status.snapshot()));
        if (live != null)
        {
            final KernelStatus.Core core = live.core();
            lines.add("core  parked pulls " + core.parkedPulls() + "  deepest queue " + core.eventQueueMax() +
                "  inbox max " + core.inboxMax() + "  duty cycle max " + KernelStatus.micros(core.dutyCycleMaxNs()) +
                " us (last 1-2 s " + KernelStatus.micros(core.dutyCycleRecentNs()) + " us)");
            lines.add("syscalls " + core.byTypeText());
        }
        lines.add("");
        if (live != null)
        {
            lines.add("CLIENTS " + live.clients().size());
            lines.add("ID ACCOUNT USER PID TRANSPORT SINCE SYSCALLS");
            for (final KernelCountersReader.Client client : live.clients())
            {
                lines.add(client.session() + " " + client.account() + " " + client.user() + " " + client.osPid() + " " +
                    client.transport() + " " + Instant.ofEpochMilli(client.sinceMs()).truncatedTo(ChronoUnit.SECONDS) +
                    " " + client.syscalls());
            }
        }
        else if (!"stopped".equals(status.mode()))
        {
            lines.add("CLIENTS " + state.clients().length + " (who they are is in the live counters, which only the " +
                "kernel's account may read)");
        }
        lines.add("");
        final List<ProcessInfo> processes = new ArrayList<>();
        for (final long pid : state.pids())
        {
            processes.add(state.process(pid).info());
        }
        processes.sort(Comparator.comparingInt(ProcessInfo::queued).reversed().thenComparingLong(ProcessInfo::id));
        lines.add("PROCESSES " + processes.size() + " (deepest queues first)");
        lines.add("PID PPID USER STATE QUEUED TIMERS NAME");
        final int shown = Math.min(processes.size(), Math.max(0, maxProcesses));
        for (int i = 0; i < shown; i++)
        {
            final ProcessInfo p = processes.get(i);
            lines.add(p.id() + " " + p.parent() + " " + p.user() + " " + p.state() + " " + p.queued() + " " + p.timers() +
                " " + p.name());
        }
        if (shown < processes.size())
        {
            lines.add("... " + (processes.size() - shown) + " more");
        }
        return lines;
    }

    /** @return e.g. {@code 2d 03:04:05} or {@code 00:00:07}. */
    static String duration(final long ms)
    {
        final long s = Math.max(0, ms / 1000);
        final String hms = String.format(Locale.ROOT, "%02d:%02d:%02d", s / 3600 % 24, s / 60 % 60, s % 60);
        return s >= 86_400 ? (s / 86_400) + "d " + hms : hms;
    }

    /** @return e.g. {@code 512 B}, {@code 20.1 MiB}. */
    static String bytes(final long n)
    {
        if (n < 1024)
        {
            return n + " B";
        }
        final String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int unit = -1;
        while (v >= 1024 && unit < units.length - 1)
        {
            v /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[unit]);
    }
}
