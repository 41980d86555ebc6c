package ember.replay.debug;

import org.jline.keymap.KeyMap;
import org.jline.reader.Binding;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.ParsedLine;
import org.jline.reader.Reference;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * The debugger on a terminal (JLine 3, as the shell's {@code TerminalConsole}): the prompt
 * {@code debug INDEX> }, line editing, history in {@code $HOME/.ember_debug_history}, Tab
 * completion of command names ({@link Commands}). Used only when stdin and stdout are a
 * terminal; pipes go to {@link Session#run} and never see a prompt.
 * <p>
 * Ctrl-C drops the line being edited; Ctrl-D on an empty line or {@code quit} leaves.
 * Not thread-safe: the session's thread.
 */
public final class DebugConsole implements AutoCloseable
{
    private static final int HISTORY_LINES = 10_000;

    private final Terminal terminal;
    private final LineReader reader;

    private DebugConsole(final Terminal terminal, final LineReader reader)
    {
        this.terminal = terminal;
        this.reader = reader;
    }

    /** @return true when both stdin and stdout are a terminal. */
    public static boolean isInteractive()
    {
        return System.console() != null;
    }

    /** @return {@code $HOME/.ember_debug_history} (the user's, not the kernel directory's). */
    public static Path historyFile()
    {
        final String home = System.getenv("HOME");
        return Path.of(home != null && !home.isEmpty() ? home : System.getProperty("user.home"),
            ".ember_debug_history");
    }

    /**
     * @param history the history file.
     * @return the console on the process's terminal.
     * @throws IOException when the terminal cannot be opened.
     */
    public static DebugConsole open(final Path history) throws IOException
    {
        final Terminal terminal = TerminalBuilder.builder().name("replay-tool debug").system(true).build();
        final DefaultParser parser = new DefaultParser().quoteChars(new char[0]).escapeChars(new char[0])
            .eofOnUnclosedQuote(false).eofOnEscapedNewLine(false);
        final LineReader reader = LineReaderBuilder.builder()
            .terminal(terminal)
            .appName("replay-tool debug")
            .parser(parser)
            .completer(new CommandNameCompleter())
            .variable(LineReader.HISTORY_FILE, history)
            .variable(LineReader.HISTORY_FILE_SIZE, HISTORY_LINES)
            .variable(LineReader.HISTORY_SIZE, HISTORY_LINES)
            .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
            .option(LineReader.Option.HISTORY_INCREMENTAL, true)
            .option(LineReader.Option.INSERT_TAB, false)
            .build();
        for (final String name : new String[] {LineReader.EMACS, LineReader.VIINS})
        {
            // Terminals that ignore keypad-transmit mode send ESC [ A for the arrows.
            final KeyMap<Binding> keys = reader.getKeyMaps().get(name);
            keys.bind(new Reference(LineReader.UP_LINE_OR_HISTORY), "\033[A");
            keys.bind(new Reference(LineReader.DOWN_LINE_OR_HISTORY), "\033[B");
            keys.bind(new Reference(LineReader.FORWARD_CHAR), "\033[C");
            keys.bind(new Reference(LineReader.BACKWARD_CHAR), "\033[D");
        }
        return new DebugConsole(terminal, reader);
    }

    /**
     * Read and execute commands until Ctrl-D or {@code quit}.
     *
     * @return 0 when every command succeeded, 1 when any printed {@code error: …}.
     */
    public int run(final Session session)
    {
        final PrintWriter out = terminal.writer();
        boolean ok = true;
        out.println("replay-tool debug: at record " + session.index() + "; type help for the commands, quit to leave");
        while (!session.quitRequested())
        {
            final String line;
            try
            {
                line = reader.readLine(session.prompt());
            }
            catch (final UserInterruptException ex)
            {
                continue;
            }
            catch (final EndOfFileException ex)
            {
                break;
            }
            ok &= session.execute(line, out);
            out.flush();
        }
        return ok ? 0 : 1;
    }

    @Override
    public void close() throws IOException
    {
        terminal.writer().flush();
        terminal.close();
    }

    /** Completes the first word, and the word after {@code help}, with command names. */
    private static final class CommandNameCompleter implements Completer
    {
        @Override
        public void complete(final LineReader reader, final ParsedLine line, final List<Candidate> candidates)
        {
            final int word = line.wordIndex();
            if (word == 0 || (word == 1 && "help".equals(line.words().get(0))))
            {
                for (final Commands.Command c : Commands.ALL)
                {
                    candidates.add(new Candidate(c.name()));
                }
            }
        }
    }
}
