package ember.kernel.cli;

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
import java.nio.file.Path;
import java.util.List;

/**
 * The shell's terminal front end (JLine 3), used only when stdin and stdout are a terminal
 * ({@link #isInteractive()}): a prompt with the acting pid and user, line editing, history kept
 * in a file, tab completion of command names from {@link ShellCommandTable}. Pipes never get
 * here, so what they read and print is untouched by it.
 * <p>
 * Lines are passed to {@link Shell#execute} exactly as typed: no quoting, escaping or {@code !}
 * history expansion (JSON arguments hold quotes and may hold {@code !}). Ctrl-C clears the line
 * being edited; Ctrl-D on an empty line leaves the shell.
 * <p>
 * Threads: {@link #run} on the shell's thread; {@link #print} from any thread (the handler pump
 * prints while the prompt waits: the line being edited is redrawn below the output).
 */
final class TerminalConsole implements AutoCloseable
{
    /** Lines of history kept in the file. */
    private static final int HISTORY_LINES = 10_000;

    private final Terminal terminal;
    private final LineReader reader;

    private TerminalConsole(final Terminal terminal, final LineReader reader)
    {
        this.terminal = terminal;
        this.reader = reader;
    }

    /**
     * @return true when both stdin and stdout are a terminal (on Java 17, exactly when
     * {@link System#console()} is not null).
     */
    static boolean isInteractive()
    {
        return System.console() != null;
    }

    /**
     * @return where history is kept: {@code $HOME/.ember_history} (the user's, like a shell's
     * history; not in the kernel directory, which belongs to the kernel's account), or under
     * {@code user.home} when {@code HOME} is not set.
     */
    static Path historyFile()
    {
        final String home = System.getenv("HOME");
        return Path.of(home != null && !home.isEmpty() ? home : System.getProperty("user.home"), ".ember_history");
    }

    /**
     * Take over the process's terminal.
     *
     * @param history the history file; created on the first command, appended after every command.
     * @throws IOException when the terminal cannot be opened.
     */
    static TerminalConsole open(final Path history) throws IOException
    {
        createPrivately(history);
        final Terminal terminal = TerminalBuilder.builder().name("ember").system(true).build();
        final DefaultParser parser = new DefaultParser()
            .quoteChars(new char[0])
            .escapeChars(new char[0])
            .eofOnUnclosedQuote(false)
            .eofOnEscapedNewLine(false);
        final LineReader reader = LineReaderBuilder.builder()
            .terminal(terminal)
            .appName("ember")
            .parser(parser)
            .completer(new CommandNameCompleter())
            .variable(LineReader.HISTORY_FILE, history)
            .variable(LineReader.HISTORY_FILE_SIZE, HISTORY_LINES)
            .variable(LineReader.HISTORY_SIZE, HISTORY_LINES)
            .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
            .option(LineReader.Option.HISTORY_INCREMENTAL, true)
            .option(LineReader.Option.INSERT_TAB, false)
            .build();
        bindNormalModeArrows(reader);
        return new TerminalConsole(terminal, reader);
    }

    /**
     * The history holds every line typed, JSON payloads included: only its owner may read it.
     * Created 0600 (not through a link) before JLine opens it; one that an older Ember left
     * readable by others is tightened. JLine rewrites it through a temporary file, also 0600.
     */
    private static void createPrivately(final Path history) throws IOException
    {
        final java.util.Set<java.nio.file.attribute.PosixFilePermission> own =
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------");
        try
        {
            java.nio.file.Files.createFile(history, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(own));
        }
        catch (final java.nio.file.FileAlreadyExistsException exists)
        {
            if (java.nio.file.Files.isRegularFile(history, java.nio.file.LinkOption.NOFOLLOW_LINKS) &&
                !java.nio.file.Files.getPosixFilePermissions(history, java.nio.file.LinkOption.NOFOLLOW_LINKS).equals(own))
            {
                java.nio.file.Files.setPosixFilePermissions(history, own);
            }
        }
        catch (final UnsupportedOperationException noPosix)
        {
            // a file system without modes: JLine creates it as it would
        }
    }

    /**
     * JLine binds the arrows the terminal database names, which in keypad-transmit mode are
     * {@code ESC O A}…; terminals and multiplexers that ignore that mode send {@code ESC [ A}…
     * (the {@code ^[[A} users saw printed): bind those too.
     */
    private static void bindNormalModeArrows(final LineReader reader)
    {
        for (final String name : new String[] {LineReader.EMACS, LineReader.VIINS})
        {
            final KeyMap<Binding> keys = reader.getKeyMaps().get(name);
            keys.bind(new Reference(LineReader.UP_LINE_OR_HISTORY), "\033[A");
            keys.bind(new Reference(LineReader.DOWN_LINE_OR_HISTORY), "\033[B");
            keys.bind(new Reference(LineReader.FORWARD_CHAR), "\033[C");
            keys.bind(new Reference(LineReader.BACKWARD_CHAR), "\033[D");
        }
    }

    /** Print one line that is not a command's result (the banner). */
    void banner(final String line)
    {
        print(line);
    }

    /** Print one line above the prompt, at once; safe from any thread. */
    void print(final String line)
    {
        reader.printAbove(line);
    }

    /** Read and execute lines until Ctrl-D, {@code quit} or {@code exit-shell}. */
    void run(final Shell shell)
    {
        while (true)
        {
            final String line;
            try
            {
                line = reader.readLine(shell.prompt());
            }
            catch (final UserInterruptException ex)
            {
                continue; // Ctrl-C: drop the line being edited, as a shell does
            }
            catch (final EndOfFileException ex)
            {
                return;
            }
            if (!shell.execute(line))
            {
                return;
            }
        }
    }

    /** Give the terminal back as it was (mode, echo). */
    @Override
    public void close() throws IOException
    {
        terminal.writer().flush();
        terminal.close();
    }

    /** Completes the first word (and the word after {@code help}) with command names. */
    private static final class CommandNameCompleter implements Completer
    {
        private final List<String> names = ShellCommandTable.names();

        @Override
        public void complete(final LineReader reader, final ParsedLine line, final List<Candidate> candidates)
        {
            final int word = line.wordIndex();
            if (word == 0 || (word == 1 && "help".equals(line.words().get(0))))
            {
                for (final String name : names)
                {
                    candidates.add(new Candidate(name));
                }
            }
        }
    }
}
