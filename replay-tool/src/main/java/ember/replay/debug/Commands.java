package ember.replay.debug;

import java.util.List;

/**
 * The debugger's commands: one table for {@code help}, {@code help COMMAND}, tab completion and
 * the README's list. The names are what scripts and tests type.
 */
final class Commands
{
    /** One command: its name, its arguments as typed, what it does. */
    record Command(String name, String usage, String summary)
    {
    }

    static final List<Command> ALL = List.of(
        new Command("where", "where", "current index, record (as replay-tool log prints it) and time"),
        new Command("goto", "goto N|TIME|start|end", "go to the state after record N (or the last record at or " +
            "before TIME; start: before the first record; end: the last record); N as in --at: 12, last, last-5"),
        new Command("step", "step [K]", "apply the next K records (default 1)"),
        new Command("back", "back [K]", "go back K records (default 1), from the nearest checkpoint in memory"),
        new Command("continue", "continue", "go forwards to the next stop of a breakpoint, or to the end"),
        new Command("reverse-continue", "reverse-continue", "go backwards to the previous stop of a breakpoint, or to " +
            "the start"),
        new Command("break", "break syscall NAME|pid P|user U|error [MESSAGE]|signal S|event NAME|when EXPR",
            "stop at records of a syscall, of a caller, of a caller's user, failing (with MESSAGE in the error), " +
                "sending or setting a signal, carrying an event; or where EXPR becomes true"),
        new Command("watch", "watch queue P|process P|disposition P S|service NAME",
            "stop where the value changes: P's queue length; P's existence, state, user, parent, name; " +
                "P's disposition of S; who holds service NAME"),
        new Command("delete", "delete [ID]", "delete breakpoint ID, or all"),
        new Command("info", "info breaks", "list the breakpoints"),
        new Command("print", "print process P|queue P [LIMIT]|timers [P]|services",
            "a process; its queue head first (LIMIT events, default 20); pending timers and alarms; services"),
        new Command("ps", "ps", "the process table: PID PPID USER STATE QUEUED NAME"),
        new Command("diff", "diff N", "what changed from record N to here (as replay-tool diff N HERE)"),
        new Command("effects", "effects", "what applying the current record did, as apply reported it"),
        new Command("when", "when EXPR [--all]", "the first record after which EXPR holds (--all: each record " +
            "where it starts to hold); the position does not change"),
        new Command("find", "find EXPR [--all]", "the same as when"),
        new Command("help", "help [COMMAND]", "list the commands, or describe one"),
        new Command("quit", "quit", "leave (as Ctrl-D or the end of input does)"));

    /** The expression language, for {@code help when} and {@code help break}. */
    static final String EXPRESSIONS = "EXPR: queued(P), timers(P), parent(P), index (numbers); exists(P), " +
        "stopped(P), handler(P, S) (conditions); user(P), name(P) (strings); == != < <= > >=, && || !, " +
        "parentheses; e.g. queued(7) > 100, user(4) == \"alice\", stopped(3) && !handler(3, TERM)";

    private Commands()
    {
    }

    /** @return the command named {@code name}, or null. */
    static Command named(final String name)
    {
        for (final Command c : ALL)
        {
            if (c.name().equals(name))
            {
                return c;
            }
        }
        return null;
    }
}
