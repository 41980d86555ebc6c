package ember.replay.cli;

import ember.journal.SyscallType;
import ember.replay.audit.RecordFilter;
import ember.replay.engine.JournalDir;
import ember.replay.engine.PointSpec;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Pattern;

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

    @Option(names = "--exclude-syscall", paramLabel = "NAME", split = ",", converter = SyscallConverter.class,
        description = "drop records of syscall NAME, e.g. clientAttach (repeatable)")
    List<SyscallType> excludedSyscalls = new ArrayList<>();

    @Option(names = "--event", paramLabel = "NAME", split = ",",
        description = "records that name event NAME (queueEvent, sendEvent type, pullEvent filter), return it, " +
            "or queue it (e.g. process_complete, signal, timer) (repeatable)")
    List<String> events = new ArrayList<>();

    @Option(names = "--event-regex", paramLabel = "RE", converter = PatternConverter.class,
        description = "records carrying an event (as --event) whose name RE finds, e.g. '^process_'")
    Pattern eventRegex;

    @Option(names = "--grep", paramLabel = "RE", converter = PatternConverter.class,
        description = "records whose arguments or result, as JSON (the args and result of --format json: " +
            "event names and params, service names, ...), RE finds, e.g. 'NEEDLE-\\d+'")
    Pattern grep;

    @Option(names = "--signal", paramLabel = "SIG", split = ",", converter = SignalConverter.class,
        description = "kill records sending signal SIG and signal records setting its disposition: a number or " +
            "a name (15, TERM, SIGTERM, term) (repeatable)")
    List<Long> signals = new ArrayList<>();

    @Option(names = "--errors", description = "failed syscalls only")
    boolean errors;

    @Option(names = "--denied", description = "'Permission denied' failures only")
    boolean denied;

    @Option(names = "--from", paramLabel = "POINT", converter = PointConverter.class,
        description = "first record: " + PointConverter.FORMS + "; a time: the first record at or after it")
    PointSpec from;

    @Option(names = "--to", paramLabel = "POINT", converter = PointConverter.class,
        description = "last record: an index or a time as for --from; a time: the last record at or before it")
    PointSpec to;

    /**
     * @param journal the journal ({@code last} is its last record).
     * @param zone    the zone and moment times are read in.
     * @return the filter these options describe.
     */
    RecordFilter filter(final JournalDir journal, final ZoneOption zone)
    {
        final EnumSet<SyscallType> types = EnumSet.noneOf(SyscallType.class);
        types.addAll(syscalls);
        final EnumSet<SyscallType> excluded = EnumSet.noneOf(SyscallType.class);
        excluded.addAll(excludedSyscalls);
        return new RecordFilter(new LinkedHashSet<>(pids), new LinkedHashSet<>(targets), new LinkedHashSet<>(users),
            types, excluded, new LinkedHashSet<>(events), eventRegex, grep, new LinkedHashSet<>(signals), errors, denied,
            zone.resolve(from, journal), zone.resolve(to, journal));
    }
}
