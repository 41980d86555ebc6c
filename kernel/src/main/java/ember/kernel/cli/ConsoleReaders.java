package ember.kernel.cli;

import org.jline.keymap.KeyMap;
import org.jline.reader.Binding;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.Reference;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

/**
 * The JLine 3 line reader of Ember's interactive consoles (the kernel's {@code ember shell}, the
 * replay tool's {@code debug}), set up in one place: lines passed on exactly as typed (no quoting,
 * escaping or {@code !} history expansion: JSON arguments hold quotes and may hold {@code !}),
 * history in a private file, Tab completion of command names, arrows in either keypad mode.
 * Stateless; the readers it builds belong to the console's thread.
 */
public final class ConsoleReaders
{
    /** Lines of history kept in the file. */
    private static final int HISTORY_LINES = 10_000;

    private ConsoleReaders()
    {
    }

    /**
     * @return true when both stdin and stdout are a terminal (on Java 17, exactly when
     * {@link System#console()} is not null).
     */
    public static boolean isInteractive()
    {
        return System.console() != null;
    }

    /**
     * @param name the file's name, e.g. {@code .ember_history}.
     * @return {@code $HOME/name} (the user's, like a shell's history; not in a kernel directory,
     *     which belongs to the kernel's account), or under {@code user.home} when {@code HOME} is not set.
     */
    public static Path historyFile(final String name)
    {
        final String home = System.getenv("HOME");
        return Path.of(home != null && !home.isEmpty() ? home : System.getProperty("user.home"), name);
    }

    /**
     * A line reader on {@code terminal}: history in {@code history} (made private first, see
     * {@link #createPrivately}), completion of the first word and of the word after {@code help}
     * with {@code commandNames}.
     *
     * @throws IOException when the history file cannot be created.
     */
    public static LineReader open(final Terminal terminal, final String appName, final Path history,
        final List<String> commandNames) throws IOException
    {
        createPrivately(history);
        final DefaultParser parser = new DefaultParser()
            .quoteChars(new char[0])
            .escapeChars(new char[0])
            .eofOnUnclosedQuote(false)
            .eofOnEscapedNewLine(false);
        final List<String> names = List.copyOf(commandNames);
        final Completer completer = (reader, line, candidates) ->
        {
            final int word = line.wordIndex();
            if (word == 0 || (word == 1 && "help".equals(line.words().get(0))))
            {
                for (final String name : names)
                {
                    candidates.add(new Candidate(name));
                }
            }
        };
        final LineReader reader = LineReaderBuilder.builder()
            .terminal(terminal)
            .appName(appName)
            .parser(parser)
            .completer(completer)
            .variable(LineReader.HISTORY_FILE, history)
            .variable(LineReader.HISTORY_FILE_SIZE, HISTORY_LINES)
            .variable(LineReader.HISTORY_SIZE, HISTORY_LINES)
            .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
            .option(LineReader.Option.HISTORY_INCREMENTAL, true)
            .option(LineReader.Option.INSERT_TAB, false)
            .build();
        bindNormalModeArrows(reader);
        return reader;
    }

    /**
     * The history holds every line typed, JSON payloads included: only its owner may read it.
     * Created 0600 before JLine opens it, with {@code O_CREAT|O_EXCL} (so never through a link:
     * an existing link, dangling or not, is left as it is and not followed to change modes); a
     * regular file that an older Ember left readable by others is tightened. JLine rewrites it
     * through a temporary file, also 0600.
     *
     * @throws IOException when it cannot be created.
     */
    public static void createPrivately(final Path history) throws IOException
    {
        final Set<PosixFilePermission> own = PosixFilePermissions.fromString("rw-------");
        try
        {
            Files.createFile(history, PosixFilePermissions.asFileAttribute(own));
        }
        catch (final FileAlreadyExistsException exists)
        {
            if (Files.isRegularFile(history, LinkOption.NOFOLLOW_LINKS) &&
                !Files.getPosixFilePermissions(history, LinkOption.NOFOLLOW_LINKS).equals(own))
            {
                Files.setPosixFilePermissions(history, own);
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
}
