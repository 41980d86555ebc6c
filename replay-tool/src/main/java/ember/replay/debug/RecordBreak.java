package ember.replay.debug;

import ember.journal.SyscallType;
import ember.kernel.state.KernelState;
import ember.replay.audit.Outcome;
import ember.replay.audit.RecordFilter;
import ember.replay.engine.Step;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * A stop at every record a {@link RecordFilter} of {@code replay-tool log} keeps: {@code break
 * syscall NAME}, {@code pid P} (the caller), {@code user U} (the caller's user before the
 * record), {@code error [MESSAGE]} (a failed call; with MESSAGE, one whose message contains it,
 * ignoring case), {@code signal S} (kill sending S, signal setting it), {@code event NAME} (a
 * record naming, returning or queueing it). The matching is the log filter's, so {@code break}
 * and {@code log} agree on which records they mean.
 */
final class RecordBreak extends BreakpointBase
{
    private final RecordFilter filter;
    private final String message;

    private RecordBreak(final int id, final String description, final RecordFilter filter, final String message)
    {
        super(id, description, true);
        this.filter = filter;
        this.message = message == null ? null : message.toLowerCase(Locale.ROOT);
    }

    static RecordBreak syscall(final int id, final SyscallType type)
    {
        return new RecordBreak(id, "syscall " + type.syscallName(),
            filter(Set.of(), Set.of(), EnumSet.of(type), Set.of(), Set.of(), false), null);
    }

    static RecordBreak pid(final int id, final long pid)
    {
        return new RecordBreak(id, "pid " + pid, filter(Set.of(pid), Set.of(), EnumSet.noneOf(SyscallType.class),
            Set.of(), Set.of(), false), null);
    }

    static RecordBreak user(final int id, final String user)
    {
        return new RecordBreak(id, "user " + user, filter(Set.of(), Set.of(user), EnumSet.noneOf(SyscallType.class),
            Set.of(), Set.of(), false), null);
    }

    static RecordBreak error(final int id, final String message)
    {
        return new RecordBreak(id, message == null ? "error" : "error " + message,
            filter(Set.of(), Set.of(), EnumSet.noneOf(SyscallType.class), Set.of(), Set.of(), true), message);
    }

    static RecordBreak signal(final int id, final long signal, final String text)
    {
        return new RecordBreak(id, "signal " + text, filter(Set.of(), Set.of(), EnumSet.noneOf(SyscallType.class),
            Set.of(), Set.of(signal), false), null);
    }

    static RecordBreak event(final int id, final String name)
    {
        return new RecordBreak(id, "event " + name, filter(Set.of(), Set.of(), EnumSet.noneOf(SyscallType.class),
            Set.of(name), Set.of(), false), null);
    }

    private static RecordFilter filter(final Set<Long> pids, final Set<String> users, final Set<SyscallType> types,
        final Set<String> events, final Set<Long> signals, final boolean errors)
    {
        return new RecordFilter(pids, Set.of(), users, types, EnumSet.noneOf(SyscallType.class), events, null, null,
            signals, errors, false, null, null);
    }

    @Override
    public void reset(final KernelState state)
    {
    }

    @Override
    public boolean hit(final KernelState state, final Step step)
    {
        if (!filter.test(step))
        {
            return false;
        }
        return message == null || Outcome.error(step.result()).toLowerCase(Locale.ROOT).contains(message);
    }

    @Override
    public String detail(final KernelState state)
    {
        return "";
    }
}
