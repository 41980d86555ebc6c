package ember.kernel.cli;

import ember.kernel.client.EmberClient;
import ember.kernel.client.EmberException;
import ember.kernel.client.ReceivedEvent;
import ember.kernel.client.Syscalls;
import ember.kernel.json.Json;
import ember.kernel.state.ProcessInfo;
import ember.kernel.state.SyscallValidator;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The {@code ember shell} command interpreter (SPEC §7): one command per line in, one result
 * per command out (a header and a line per process for {@code ps}), each preceded by the
 * {@code handler PID SIG} lines the command caused, every line flushed at once.
 * <p>
 * Besides the syscall commands it knows {@code help [COMMAND]}, {@code quit} and
 * {@code exit-shell} ({@link ShellCommandTable}); none of them changes what another command prints.
 * It remembers whether any command failed ({@link #anyFailed()}), for the exit code.
 * <p>
 * What reaches the journal: each syscall command journals its one syscall record, as typed
 * ({@code getpid}, {@code getplist}-like questions included). The shell's own bookkeeping does
 * not: {@code as} and {@code sleep} check the acting process, and {@code ps} reads the whole
 * process table, through unjournaled read-only queries ({@link EmberClient#processInfo},
 * {@link EmberClient#processTable}) — unless the kernel refuses one with {@code Permission denied},
 * which it journals as the syscall the query stands for; {@code help}, {@code quit} and
 * {@code exit-shell} ask the kernel nothing.
 * <p>
 * Threads: one thread drives the shell ({@link #run} or {@link #execute}, and
 * {@link #startHandlerPump()} / {@link #stopHandlerPump()}). {@link #startHandlerPump()} starts a
 * second, daemon thread, {@code ember-shell-handlers}, that runs the client's handler calls every
 * 20 ms while the shell waits for input. The two share the client and the output through the
 * shell's monitor: {@link #execute}, {@link #prompt()}, {@link #anyFailed()} and each pump round
 * hold it, so a command's lines and handler lines never interleave, and the acting process and
 * failure flag are seen consistently by both. The handler callbacks print from whichever of the two
 * threads runs them, always with the monitor held.
 */
public final class Shell
{
    private final EmberClient client;
    private final Consumer<String> out;
    private Syscalls self;
    private String user = "root";
    private boolean anyFailed;
    private Thread pump;

    /**
     * @param client attached to the kernel; the shell starts acting as pid 1.
     * @param out    where results go; flushed after every line.
     */
    public Shell(final EmberClient client, final PrintStream out)
    {
        this(client, line ->
        {
            out.println(line);
            out.flush();
        });
    }

    /**
     * @param client attached to the kernel; the shell starts acting as pid 1.
     * @param out    receives every result line, without its line end, as soon as it is printed.
     */
    public Shell(final EmberClient client, final Consumer<String> out)
    {
        this.client = client;
        this.out = out;
        this.self = client.as(1);
    }

    /** Run commands until end of input, {@code quit} or {@code exit-shell}. */
    public void run(final BufferedReader in) throws IOException
    {
        String line;
        while ((line = in.readLine()) != null)
        {
            if (!execute(line))
            {
                return;
            }
        }
    }

    /** @return true once any command printed {@code error: …}. */
    public synchronized boolean anyFailed()
    {
        return anyFailed;
    }

    /**
     * @return the interactive prompt, {@code ember PID USER> }: the acting pid and its user as the
     * shell last learned it ({@code as}, {@code setuser}, {@code getuser}; another client's
     * {@code setuser} on the same process is not seen until the next {@code as}).
     */
    public synchronized String prompt()
    {
        return "ember " + self.pid() + " " + user + "> ";
    }

    /**
     * Run handler calls that arrive while the shell waits for input (another client's
     * {@code kill}), printing their {@code handler} lines as they come. For shells attached to a
     * service; commands and this pump never print at the same time. Starts the daemon thread
     * {@code ember-shell-handlers}; call from the thread that drives the shell, once, and stop it
     * with {@link #stopHandlerPump()}.
     */
    public void startHandlerPump()
    {
        pump = new Thread(() ->
        {
            while (!Thread.currentThread().isInterrupted())
            {
                synchronized (this)
                {
                    client.runHandlers();
                }
                try
                {
                    Thread.sleep(20);
                }
                catch (final InterruptedException ex)
                {
                    return;
                }
            }
        }, "ember-shell-handlers");
        pump.setDaemon(true);
        pump.start();
    }

    /** Stop the thread {@link #startHandlerPump()} started, and wait for it; nothing when none runs. */
    public void stopHandlerPump()
    {
        final Thread thread = pump;
        if (thread == null)
        {
            return;
        }
        thread.interrupt();
        try
        {
            thread.join();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        pump = null;
    }

    /**
     * Execute one line and print its result.
     *
     * @return false when the line asks to leave the shell ({@code quit}, {@code exit-shell}).
     */
    public synchronized boolean execute(final String line)
    {
        final String trimmed = line.strip();
        if (trimmed.isEmpty() || trimmed.startsWith("#"))
        {
            return true;
        }
        final String[] words = trimmed.split("\\s+");
        if (words[0].equals("quit") || words[0].equals("exit-shell"))
        {
            return false;
        }
        final List<String> lines = new ArrayList<>(1);
        try
        {
            run(words, trimmed, lines);
        }
        catch (final EmberException ex)
        {
            lines.clear();
            lines.add("error: " + ex.getMessage());
            anyFailed = true;
        }
        for (final String result : lines)
        {
            print(result);
        }
        return true;
    }

    private void print(final String text)
    {
        out.accept(text);
    }

    private void run(final String[] w, final String line, final List<String> lines)
    {
        switch (w[0])
        {
            case "spawn":
                lines.add(Long.toString(self.spawn(w.length > 1 ? w[1] : null)));
                break;
            case "as":
            {
                final long pid = Words.integer(w, 1, 1, "as");
                // Bookkeeping, not a syscall: unjournaled; raises No such process unless pid is alive.
                user = client.processInfo(pid).user();
                self = client.as(pid);
                lines.add("ok");
                break;
            }
            case "getpid":
                lines.add(Long.toString(self.getpid()));
                break;
            case "getppid":
                lines.add(Long.toString(self.getppid()));
                break;
            case "getuser":
                user = self.getuser();
                lines.add(user);
                break;
            case "setuser":
            {
                final String name = Words.string(w, 1, 1, "setuser");
                self.setuser(name);
                user = name;
                lines.add("ok");
                break;
            }
            case "exit":
                self.exit(w.length > 1 ? Words.integer(w, 1, 1, "exit") : 0);
                lines.add("ok");
                break;
            case "kill":
            {
                final long pid = Words.integer(w, 1, 1, "kill");
                final long signal = Words.integer(w, 2, 2, "kill");
                self.kill(pid, signal);
                lines.add("ok");
                break;
            }
            case "signal":
                signal(w);
                lines.add("ok");
                break;
            case "queue":
            {
                final String name = Words.string(w, 1, 1, "queueEvent");
                self.queueEvent(name, table(rest(line, 2)));
                lines.add("ok");
                break;
            }
            case "peek":
                lines.add(format(self.peekEvent()));
                break;
            case "pull":
                lines.add(format(pull(w)));
                break;
            case "send":
            {
                final long pid = Words.integer(w, 1, 1, "sendEvent");
                final String name = Words.string(w, 2, 2, "sendEvent");
                lines.add(Boolean.toString(self.sendEvent(pid, name, data(rest(line, 3)))));
                break;
            }
            case "timer":
                lines.add(Long.toString(self.timer(Words.number(w, 1, 1, "timer"))));
                break;
            case "alarm":
                lines.add(Long.toString(self.alarm(Words.number(w, 1, 1, "alarm"))));
                break;
            case "cancel":
                self.cancel(Words.integer(w, 1, 1, "cancel"));
                lines.add("ok");
                break;
            case "register":
                lines.add(Boolean.toString(self.register(Words.string(w, 1, 1, "register"))));
                break;
            case "lookup":
            {
                final Long pid = self.lookup(Words.string(w, 1, 1, "lookup"));
                lines.add(pid == null ? "nil" : pid.toString());
                break;
            }
            case "ps":
                ps(lines);
                break;
            case "sleep":
            {
                final double seconds = Words.number(w, 1, 1, "sleep");
                // SPEC §7: after the acting process ended, every command fails until the next `as` (unjournaled check)
                client.processInfo(self.pid());
                sleep(seconds);
                lines.add("ok");
                break;
            }
            case "help":
                help(w, lines);
                break;
            default:
                throw new EmberException("unknown command '" + w[0] + "'");
        }
    }

    private static void help(final String[] w, final List<String> lines)
    {
        if (w.length < 2)
        {
            lines.addAll(ShellCommandTable.helpLines());
            return;
        }
        final ShellCommandTable.Command command = ShellCommandTable.find(w[1]);
        if (command == null)
        {
            throw new EmberException("unknown command '" + w[1] + "'");
        }
        lines.addAll(ShellCommandTable.helpLines(command));
    }

    private void signal(final String[] w)
    {
        final long signal = Words.integer(w, 1, 1, "signal");
        final String mode = w.length > 2 ? w[2] : null;
        if ("on".equals(mode))
        {
            final long pid = self.pid();
            self.signal(signal, sig -> print("handler " + pid + " " + sig));
        }
        else if ("off".equals(mode))
        {
            self.signal(signal, null);
        }
        else
        {
            throw new EmberException(SyscallValidator.typeError(2, "signal", "function", mode == null ? "nil" : "string"));
        }
    }

    private ReceivedEvent pull(final String[] w)
    {
        final List<String> names = new ArrayList<>();
        double timeout = Syscalls.FOREVER;
        for (int i = 1; i < w.length; i++)
        {
            if (w[i].startsWith("timeout="))
            {
                final String value = w[i].substring("timeout=".length());
                final Number n = Words.toNumber(value);
                if (n == null)
                {
                    throw new EmberException(SyscallValidator.typeError(i, "pullEvent", "number", "string"));
                }
                timeout = Math.max(0, n.doubleValue());
            }
            else
            {
                names.add(w[i]);
            }
        }
        return self.pullEvent(timeout, names.toArray(new String[0]));
    }

    /** One unjournaled query for the whole table: {@code ps} is bookkeeping, not an audited syscall. */
    private void ps(final List<String> lines)
    {
        final ProcessInfo[] table = client.processTable(self.pid());
        lines.add("PID PPID USER STATE QUEUED NAME");
        for (final ProcessInfo info : table)
        {
            lines.add(info.id() + " " + info.parent() + " " + info.user() + " " + info.state() + " " +
                info.queued() + " " + info.name());
        }
    }

    private static void sleep(final double seconds)
    {
        if (!(seconds > 0))
        {
            return;
        }
        try
        {
            Thread.sleep((long)Math.min(seconds * 1000, Long.MAX_VALUE / 2));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** The JSON of {@code queue}: an object, or {} when omitted. */
    private static Map<String, ?> table(final String json)
    {
        if (json.isEmpty())
        {
            return Map.of();
        }
        final Object value;
        try
        {
            value = Json.parse(json);
        }
        catch (final Json.NotJson ex)
        {
            throw new EmberException(SyscallValidator.typeError(2, "queueEvent", "table", "string"));
        }
        if (value instanceof Map<?, ?> map)
        {
            @SuppressWarnings("unchecked")
            final Map<String, ?> table = (Map<String, ?>)map;
            return table;
        }
        throw new EmberException(SyscallValidator.notATable(2, "queueEvent", value));
    }

    /** The JSON of {@code send}: any JSON value; text that is not JSON is passed as a string. */
    private static Object data(final String json)
    {
        if (json.isEmpty())
        {
            return Map.of();
        }
        try
        {
            return Json.parse(json);
        }
        catch (final Json.NotJson ex)
        {
            return json;
        }
    }

    private static String format(final ReceivedEvent event)
    {
        return event == null ? "nil" : event.name() + " " + Json.write(event.params());
    }

    /** @return the text of {@code line} after its first {@code words} words, stripped. */
    static String rest(final String line, final int words)
    {
        int i = 0;
        final int n = line.length();
        for (int k = 0; k < words; k++)
        {
            while (i < n && Character.isWhitespace(line.charAt(i)))
            {
                i++;
            }
            while (i < n && !Character.isWhitespace(line.charAt(i)))
            {
                i++;
            }
        }
        return line.substring(Math.min(i, n)).strip();
    }
}
