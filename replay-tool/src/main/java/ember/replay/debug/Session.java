package ember.replay.debug;

import ember.journal.CorruptRecordException;
import ember.journal.SyscallType;
import ember.kernel.state.KernelState;
import ember.replay.ToolException;
import ember.replay.audit.Diff;
import ember.replay.audit.LogEntry;
import ember.replay.audit.SignalNames;
import ember.replay.engine.Effect;
import ember.replay.engine.JournalDir;
import ember.replay.engine.Origin;
import ember.replay.engine.PointSpec;
import ember.replay.engine.Step;
import ember.replay.render.DiffRender;
import ember.replay.render.EffectText;
import ember.replay.render.TextLogWriter;
import ember.replay.render.Times;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * One debugging session over a journal: a {@link Cursor} and the breakpoints, driven one command
 * line at a time ({@link Commands}). Each command prints one answer block and flushes it; a
 * command that fails prints one line {@code error: MESSAGE} and the session goes on.
 * <p>
 * Not thread-safe: the thread that reads the commands.
 */
public final class Session implements AutoCloseable
{
    /** Records between two checkpoints by default: a back step replays fewer than this. */
    public static final long DEFAULT_CHECKPOINT_INTERVAL = 65_536;
    private static final int MAX_CHECKPOINTS = 4_096;
    private static final long MAX_CHECKPOINT_BYTES = 512L << 20;

    private final JournalDir journal;
    private final ZoneId zone;
    private final Cursor cursor;
    private final List<Breakpoint> breaks = new ArrayList<>();
    private int nextBreak = 1;
    private boolean quit;

    /**
     * @param origin   the earliest start of the journal ({@link Origin#earliest}).
     * @param zone     the zone of times typed without one ({@code goto 12:00}).
     * @param interval records between two checkpoints.
     */
    public Session(final Origin origin, final ZoneId zone, final long interval)
    {
        this.journal = origin.dir();
        this.zone = zone;
        this.cursor = new Cursor(new Checkpoints(origin, interval, MAX_CHECKPOINTS, MAX_CHECKPOINT_BYTES));
    }

    /** @return the prompt on a terminal: {@code debug INDEX> }. */
    public String prompt()
    {
        return "debug " + cursor.index() + "> ";
    }

    /** @return the current index. */
    public long index()
    {
        return cursor.index();
    }

    /** @return records the last command replayed (what a move cost). */
    public long lastReplayed()
    {
        return cursor.lastReplayed();
    }

    /** @return true once {@code quit} was read. */
    public boolean quitRequested()
    {
        return quit;
    }

    /**
     * Read commands from a pipe until the end of input or {@code quit}: no prompt, one answer block
     * per command, flushed.
     *
     * @return the exit code: 0 when every command succeeded, 1 when any printed {@code error: …}.
     */
    public int run(final BufferedReader in, final PrintWriter out)
    {
        return run(in, out, null);
    }

    /**
     * As {@link #run(BufferedReader, PrintWriter)}, printing {@code marker} on a line of its own
     * after each command's answer (not after blank and {@code #} lines, which answer nothing), so
     * that a script driving the session through a pipe knows where an answer ends.
     *
     * @param marker null for none.
     */
    public int run(final BufferedReader in, final PrintWriter out, final String marker)
    {
        boolean ok = true;
        try
        {
            String line;
            while (!quit && (line = in.readLine()) != null)
            {
                ok &= execute(line, out);
                final String text = line.strip();
                if (marker != null && !text.isEmpty() && !text.startsWith("#"))
                {
                    out.println(marker);
                }
                out.flush();
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return ok ? 0 : 1;
    }

    /**
     * Execute one command line; blank lines and lines starting with {@code #} print nothing.
     *
     * @return false when the command failed (it printed {@code error: …}).
     */
    public boolean execute(final String line, final PrintWriter out)
    {
        final String text = line.strip();
        if (text.isEmpty() || text.startsWith("#"))
        {
            return true;
        }
        try
        {
            dispatch(text, out);
            return true;
        }
        catch (final ToolException | ExprException | IllegalArgumentException ex)
        {
            out.println("error: " + ex.getMessage());
        }
        catch (final CorruptRecordException ex)
        {
            out.println("error: journal damaged: " + ex.getMessage());
        }
        return false;
    }

    private void dispatch(final String text, final PrintWriter out)
    {
        final int space = text.indexOf(' ');
        final String name = space < 0 ? text : text.substring(0, space);
        final String rest = space < 0 ? "" : text.substring(space + 1).strip();
        final String[] args = rest.isEmpty() ? new String[0] : rest.split("\\s+");
        switch (name)
        {
            case "where" -> where(out);
            case "goto" -> goTo(one(args, "goto N|TIME|start|end"), out);
            case "step" -> move(count(args, "step [K]"), out);
            case "back" -> move(-count(args, "back [K]"), out);
            case "continue" -> proceed(true, out);
            case "reverse-continue" -> proceed(false, out);
            case "break" -> breakOn(args, rest, out);
            case "watch" -> watch(args, out);
            case "delete" -> delete(args, out);
            case "info" -> info(args, out);
            case "print" -> print(args, out);
            case "ps" -> StateViews.ps(cursor.state(), out);
            case "diff" -> diff(one(args, "diff N"), out);
            case "effects" -> effects(out);
            case "when", "find" -> when(rest, out);
            case "help" -> help(args, out);
            case "quit" -> quit = true;
            default -> throw new IllegalArgumentException("unknown command '" + name + "'; type help");
        }
    }

    private void where(final PrintWriter out)
    {
        final Step step = cursor.current();
        if (step == null)
        {
            final long start = cursor.start();
            out.println(start + (start == 0 ? " start: the empty state, before record 1" :
                " start: the snapshot at record " + start + ", before record " + (start + 1)));
            return;
        }
        out.println(TextLogWriter.line(LogEntry.of(step)));
    }

    private void goTo(final String arg, final PrintWriter out)
    {
        final long target = resolve(arg);
        final long last = last();
        if (target > last)
        {
            throw new ToolException("the journal ends at record " + last + "; there is no record " + target);
        }
        cursor.seek(Math.max(target, cursor.start()));
        where(out);
    }

    private long resolve(final String arg)
    {
        switch (arg)
        {
            case "start":
                return cursor.start();
            case "end":
                return last();
            default:
                final PointSpec spec = PointSpec.parse(arg);
                return spec.resolve(zone, Instant.now(), journal::lastIndex).resolve(journal);
        }
    }

    private long last()
    {
        return Math.max(journal.lastIndex(), cursor.index());
    }

    private void move(final long delta, final PrintWriter out)
    {
        final long here = cursor.index();
        if (delta > 0)
        {
            final long last = last();
            if (here >= last)
            {
                throw new ToolException("at the end of the journal (record " + last + ")");
            }
            cursor.seek(Math.min(last, here + delta));
        }
        else
        {
            if (here <= cursor.start())
            {
                throw new ToolException("at the start (record " + cursor.start() + ")");
            }
            cursor.seek(Math.max(cursor.start(), here + delta));
        }
        where(out);
    }

    private void proceed(final boolean forwards, final PrintWriter out)
    {
        final long here = cursor.index();
        if (forwards && here >= last())
        {
            throw new ToolException("at the end of the journal (record " + last() + ")");
        }
        if (!forwards && here <= cursor.start())
        {
            throw new ToolException("at the start (record " + cursor.start() + ")");
        }
        final Cursor.Stop stop = breaks.isEmpty() ? null :
            forwards ? cursor.scanForward(breaks, last()) : cursor.scanBackward(breaks);
        if (stop == null)
        {
            cursor.seek(forwards ? last() : cursor.start());
            out.println(forwards ? "reached the end: no breakpoint stops after record " + here :
                "reached the start: no breakpoint stops before record " + here);
        }
        else
        {
            final String detail = stop.by().detail(cursor.state());
            out.println("stopped at " + stop.index() + " by breakpoint " + stop.by().id() + " (" + stop.by().describe() +
                ")" + (detail.isEmpty() ? "" : ": " + detail));
        }
        where(out);
    }

    private void breakOn(final String[] args, final String rest, final PrintWriter out)
    {
        if (args.length == 0)
        {
            throw new IllegalArgumentException("usage: " + Commands.named("break").usage());
        }
        final int id = nextBreak;
        final String value = rest.substring(args[0].length()).strip();
        final Breakpoint b = switch (args[0])
        {
            case "syscall" -> RecordBreak.syscall(id, syscall(value));
            case "pid" -> RecordBreak.pid(id, number(value, "break pid P"));
            case "user" -> RecordBreak.user(id, required(value, "break user U"));
            case "error" -> RecordBreak.error(id, value.isEmpty() ? null : value);
            case "signal" -> RecordBreak.signal(id, signal(value), value);
            case "event" -> RecordBreak.event(id, required(value, "break event NAME"));
            case "when" -> new ConditionBreak(id, ExprParser.parse(required(value, "break when EXPR")));
            default -> throw new IllegalArgumentException("unknown breakpoint kind '" + args[0] +
                "'; syscall, pid, user, error, signal, event or when");
        };
        add(b, out);
    }

    private void watch(final String[] args, final PrintWriter out)
    {
        if (args.length == 0)
        {
            throw new IllegalArgumentException("usage: " + Commands.named("watch").usage());
        }
        final int id = nextBreak;
        final Breakpoint b = switch (args[0])
        {
            case "queue" -> new WatchBreak.Queue(id, number(arg(args, 1, "watch queue P"), "watch queue P"));
            case "process" -> new WatchBreak.Process(id, number(arg(args, 1, "watch process P"), "watch process P"));
            case "disposition" -> new WatchBreak.DispositionOf(id,
                number(arg(args, 1, "watch disposition P S"), "watch disposition P S"),
                signal(arg(args, 2, "watch disposition P S")));
            case "service" -> new ServiceWatch(id, arg(args, 1, "watch service NAME"));
            default -> throw new IllegalArgumentException("unknown watch kind '" + args[0] +
                "'; queue, process, disposition or service");
        };
        add(b, out);
    }

    private void add(final Breakpoint b, final PrintWriter out)
    {
        breaks.add(b);
        nextBreak++;
        out.println("breakpoint " + b.id() + ": " + b.describe());
    }

    private void delete(final String[] args, final PrintWriter out)
    {
        if (args.length == 0)
        {
            out.println("deleted " + breaks.size() + " breakpoint" + (breaks.size() == 1 ? "" : "s"));
            breaks.clear();
            return;
        }
        final long id = number(args[0], "delete [ID]");
        if (!breaks.removeIf(b -> b.id() == id))
        {
            throw new IllegalArgumentException("no breakpoint " + id + "; info breaks lists them");
        }
        out.println("deleted breakpoint " + id);
    }

    private void info(final String[] args, final PrintWriter out)
    {
        if (args.length != 1 || !args[0].equals("breaks"))
        {
            throw new IllegalArgumentException("usage: info breaks");
        }
        if (breaks.isEmpty())
        {
            out.println("no breakpoints");
            return;
        }
        for (final Breakpoint b : breaks)
        {
            out.println(b.id() + " " + b.describe());
        }
    }

    private void print(final String[] args, final PrintWriter out)
    {
        final String usage = "print process P|queue P [LIMIT]|timers [P]|services";
        final KernelState state = cursor.state();
        switch (args.length == 0 ? "" : args[0])
        {
            case "process" -> StateViews.process(state, number(arg(args, 1, "print process P"), usage), out);
            case "queue" -> StateViews.queue(state, number(arg(args, 1, "print queue P [LIMIT]"), usage),
                args.length > 2 ? (int)Math.min(Integer.MAX_VALUE, number(args[2], usage)) :
                    StateViews.DEFAULT_QUEUE_LIMIT, out);
            case "timers" -> StateViews.timers(state, args.length > 1 ? number(args[1], usage) : 0, out);
            case "services" -> StateViews.services(state, out);
            default -> throw new IllegalArgumentException("usage: " + usage);
        }
    }

    private void diff(final String arg, final PrintWriter out)
    {
        final long n = resolve(arg);
        final long here = cursor.index();
        final long from = Math.min(n, here);
        final long to = Math.max(n, here);
        if (to > last())
        {
            throw new ToolException("the journal ends at record " + last() + "; there is no record " + to);
        }
        if (from < cursor.start())
        {
            throw new ToolException("record " + from + " is before the start of this journal's replay, " +
                cursor.start());
        }
        DiffRender.text(Diff.compute(cursor.checkpoints().atOrBefore(from), from, to), false, out);
    }

    private void effects(final PrintWriter out)
    {
        final Step step = cursor.current();
        if (step == null)
        {
            out.println("no record: at the start, before record " + (cursor.start() + 1));
            return;
        }
        final List<Effect> effects = step.effects();
        out.println("record " + step.index() + " " + step.record().type.syscallName() + " at " +
            Times.iso(step.record().timestamp) + ": " + (effects.isEmpty() ? "no effects" : effects.size() +
            (effects.size() == 1 ? " effect" : " effects")));
        for (final Effect effect : effects)
        {
            out.println("  " + EffectText.of(effect));
        }
    }

    private void when(final String rest, final PrintWriter out)
    {
        String expr = rest;
        boolean all = false;
        if (expr.endsWith("--all"))
        {
            all = true;
            expr = expr.substring(0, expr.length() - "--all".length()).strip();
        }
        final Expr parsed = ExprParser.parse(required(expr, "when EXPR [--all]"));
        final long found = WhenSearch.search(cursor.checkpoints().origin(), parsed, all, out::println).found();
        if (found == 0)
        {
            out.println("never: " + parsed + " holds after no record");
        }
    }

    private void help(final String[] args, final PrintWriter out)
    {
        if (args.length == 0)
        {
            for (final Commands.Command c : Commands.ALL)
            {
                out.println(String.format("%-20s %s", c.name(), c.summary()));
            }
            return;
        }
        final Commands.Command c = Commands.named(args[0]);
        if (c == null)
        {
            throw new IllegalArgumentException("unknown command '" + args[0] + "'; type help");
        }
        out.println(c.usage());
        out.println("  " + c.summary());
        if (c.name().equals("break") || c.name().equals("when") || c.name().equals("find"))
        {
            out.println("  " + Commands.EXPRESSIONS);
        }
    }

    private static String one(final String[] args, final String usage)
    {
        if (args.length != 1)
        {
            throw new IllegalArgumentException("usage: " + usage);
        }
        return args[0];
    }

    private static String arg(final String[] args, final int i, final String usage)
    {
        if (args.length <= i)
        {
            throw new IllegalArgumentException("usage: " + usage);
        }
        return args[i];
    }

    private static String required(final String value, final String usage)
    {
        if (value.isEmpty())
        {
            throw new IllegalArgumentException("usage: " + usage);
        }
        return value;
    }

    private static long count(final String[] args, final String usage)
    {
        if (args.length == 0)
        {
            return 1;
        }
        final long k = number(one(args, usage), usage);
        if (k < 1)
        {
            throw new IllegalArgumentException("K must be at least 1: " + usage);
        }
        return k;
    }

    private static long number(final String text, final String usage)
    {
        try
        {
            return Long.parseLong(text);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("expected a number, got '" + text + "' (" + usage + ")");
        }
    }

    private static SyscallType syscall(final String name)
    {
        final SyscallType type = SyscallType.fromName(required(name, "break syscall NAME"));
        if (type == null)
        {
            throw new IllegalArgumentException("unknown syscall '" + name + "'; e.g. kill, spawn, queueEvent, pullEvent");
        }
        return type;
    }

    private static long signal(final String text)
    {
        final long signal = SignalNames.parse(required(text, "break signal S"));
        if (signal < 0)
        {
            throw new IllegalArgumentException("unknown signal '" + text + "'; a number or one of " + SignalNames.table());
        }
        return signal;
    }

    @Override
    public void close()
    {
        cursor.close();
    }
}
