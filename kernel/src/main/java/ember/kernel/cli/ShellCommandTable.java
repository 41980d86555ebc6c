package ember.kernel.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The one table of {@code ember shell} commands (SPEC §7 plus the shell's own {@code help},
 * {@code quit} and {@code exit-shell}): name, arguments and a one-line description. {@code help},
 * tab completion and the README's commands table are all rendered from it, so they cannot drift
 * apart ({@code ShellCommandTableTest} checks the README).
 * <p>
 * Immutable; safe from any thread.
 */
public final class ShellCommandTable
{
    /** One shell command: {@code name}, its {@code arguments} as a user types them, what it does. */
    public record Command(String name, String arguments, String description)
    {
        /** @return the name followed by the arguments, as {@code help} and the README show it. */
        public String usage()
        {
            return arguments.isEmpty() ? name : name + " " + arguments;
        }
    }

    /** Every command, in the order {@code help} lists them. */
    public static final List<Command> COMMANDS = List.of(
        new Command("spawn", "[NAME]", "start a child of the acting process; prints its pid"),
        new Command("as", "PID", "act as PID from now on (any live process); prints ok"),
        new Command("getpid", "", "print the acting process's pid"),
        new Command("getppid", "", "print the acting process's parent pid"),
        new Command("getuser", "", "print the acting process's user"),
        new Command("setuser", "USER", "change the acting process's user; prints ok"),
        new Command("exit", "[CODE]", "end the acting process with CODE (default 0); prints ok"),
        new Command("kill", "PID SIG", "send signal SIG to process PID; prints ok"),
        new Command("signal", "SIG on|off", "install (on) or remove (off) a handler for SIG; it prints `handler PID SIG`"),
        new Command("queue", "NAME [JSON]", "queue event NAME with a JSON object (default {}) to the acting process"),
        new Command("peek", "", "show the next event without taking it: NAME JSON, or nil"),
        new Command("pull", "[NAME...] [timeout=S]", "take the next event (named NAME if given), waiting up to S seconds (default: forever)"),
        new Command("send", "PID NAME [JSON]", "send event NAME with any JSON value (default {}) to PID; prints true or false"),
        new Command("timer", "SECONDS", "a timer event after SECONDS; prints its id"),
        new Command("alarm", "HOUR", "an alarm event at HOUR of the day (UTC, fractions allowed); prints its id"),
        new Command("cancel", "ID", "cancel the timer or alarm ID; prints ok"),
        new Command("register", "NAME", "register the acting process under NAME; prints true or false"),
        new Command("lookup", "NAME", "print the pid registered under NAME, or nil"),
        new Command("ps", "", "list live processes: PID PPID USER STATE QUEUED NAME"),
        new Command("sleep", "SECONDS", "wait SECONDS in the shell; prints ok"),
        new Command("help", "[COMMAND]", "list the commands, or describe COMMAND"),
        new Command("quit", "", "leave the shell (as Ctrl-D or the end of input does)"),
        new Command("exit-shell", "", "leave the shell, as quit does"));

    private ShellCommandTable()
    {
    }

    /** @return the command named {@code name}, or null. */
    public static Command find(final String name)
    {
        for (final Command command : COMMANDS)
        {
            if (command.name().equals(name))
            {
                return command;
            }
        }
        return null;
    }

    /** @return the names of all commands, in table order. */
    public static List<String> names()
    {
        final List<String> names = new ArrayList<>(COMMANDS.size());
        for (final Command command : COMMANDS)
        {
            names.add(command.name());
        }
        return names;
    }

    /** @return what {@code help} prints: one line per command, usage padded to one column, then the description. */
    public static List<String> helpLines()
    {
        int width = 0;
        for (final Command command : COMMANDS)
        {
            width = Math.max(width, command.usage().length());
        }
        final List<String> lines = new ArrayList<>(COMMANDS.size() + 1);
        for (final Command command : COMMANDS)
        {
            lines.add(pad(command.usage(), width + 2) + command.description());
        }
        lines.add("Words are numbers when they read as numbers, otherwise strings; lines starting with # are comments.");
        return lines;
    }

    /** @return what {@code help COMMAND} prints for {@code command}. */
    public static List<String> helpLines(final Command command)
    {
        return List.of("usage: " + command.usage(), "  " + command.description());
    }

    /** @return the README's commands table (Markdown), one row per command. */
    public static String markdownTable()
    {
        final StringBuilder table = new StringBuilder("| command | what it does |\n|---|---|\n");
        for (final Command command : COMMANDS)
        {
            table.append("| `").append(command.usage().replace("|", "\\|")).append("` | ")
                .append(command.description().replace("|", "\\|")).append(" |\n");
        }
        return table.toString();
    }

    private static String pad(final String text, final int width)
    {
        final StringBuilder padded = new StringBuilder(width).append(text);
        while (padded.length() < width)
        {
            padded.append(' ');
        }
        return padded.toString();
    }
}
