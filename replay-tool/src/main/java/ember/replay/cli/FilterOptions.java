package ember.replay.cli;

import ember.journal.SyscallType;
import ember.replay.audit.RecordFilter;
import ember.replay.engine.Point;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;

/** The record filters shared by {@code log} and {@code report}; all given filters must hold. */
final class FilterOptions
{
    @Option(names = "--pid", paramLabel = "PID", split = ",", description = "records made by process PID (repeatable)")
    List<Long> pids = new ArrayList<>();

    @Option(names = "--target", paramLabel = "PID", split = ",",
        description = "records acting on process PID: kill/sendEvent/getpinfo target, or an event queued to it, " +
            "its spawn, its end, its timer firing (repeatable)")
    List<Long> targets = new ArrayList<>();

    @Option(names = "--user", paramLabel = "USER", split = ",",
        description = "records whose caller had user USER at that moment (repeatable)")
    List<String> users = new ArrayList<>();

    @Option(names = "--syscall", paramLabel = "NAME", split = ",", converter = SyscallConverter.class,
        description = "records of syscall NAME, e.g. kill, queueEvent; kernel actions: kernelOpen, clientAttach, " +
            "clientDetach, timerFired, alarmFired (repeatable)")
    List<SyscallType> syscalls = new ArrayList<>();

    @Option(names = "--event", paramLabel = "NAME", split = ",",
        description = "records that name event NAME (queueEvent, sendEvent type, pullEvent filter), return it, " +
            "or queue it (e.g. process_complete, signal, timer) (repeatable)")
    List<String> events = new ArrayList<>();

    @Option(names = "--signal", paramLabel = "N", split = ",",
        description = "kill records sending signal N and signal records setting its disposition (repeatable)")
    List<Long> signals = new ArrayList<>();

    @Option(names = "--errors", description = "failed syscalls only")
    boolean errors;

    @Option(names = "--denied", description = "'Permission denied' failures only")
    boolean denied;

    @Option(names = "--from", paramLabel = "INDEX|TIME", converter = PointConverter.class,
        description = "first record: an index, or the first record at or after an ISO-8601 time")
    Point from;

    @Option(names = "--to", paramLabel = "INDEX|TIME", converter = PointConverter.class,
        description = "last record: an index, or the last record at or before an ISO-8601 time")
    Point to;

    /** @return the filter these options describe. */
    RecordFilter filter()
    {
        final EnumSet<SyscallType> types = EnumSet.noneOf(SyscallType.class);
        types.addAll(syscalls);
        return new RecordFilter(new LinkedHashSet<>(pids), new LinkedHashSet<>(targets), new LinkedHashSet<>(users),
            types, new LinkedHashSet<>(events), new LinkedHashSet<>(signals), errors, denied, from, to);
    }
}
