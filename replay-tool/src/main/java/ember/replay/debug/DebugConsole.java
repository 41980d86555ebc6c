package ember.replay.debug;

import ember.kernel.cli.ConsoleReaders;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * The debugger on a terminal (JLine 3, the reader the shell's {@code TerminalConsole} uses, from
 * {@link ConsoleReaders}): the prompt {@code debug INDEX> }, line editing, history in
 * {@code $HOME/.ember_debug_history} (0600), Tab completion of command names ({@link Commands}). Used only when stdin and stdout are a
 * terminal; pipes go to {@link Session#run} and never see a prompt.
 * <p>
 * Ctrl-C drops the line being edited; Ctrl-D on an empty line or {@code quit} leaves.
 * Not thread-safe: the session's thread.
 */
public final class DebugConsole implements AutoCloseable
{
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
        return ConsoleReaders.isInteractive();
    }

    /** @return {@code $HOME/.ember_debug_history} (the user's, not the kernel directory's). */
    public static Path historyFile()
    {
        return ConsoleReaders.historyFile(".ember_debug_history");
    }

    /**
     * @param history the history file: created 0600, never through a link, before JLine opens it
     *                ({@link ConsoleReaders#createPrivately}).
     * @return the console on the process's terminal.
     * @throws IOException when the terminal or the history file cannot be opened.
     */
    public static DebugConsole open(final Path history) throws IOException
    {
        final Terminal terminal = TerminalBuilder.builder().name("replay-tool debug").system(true).build();
        try
        {
            final List<String> names = new java.util.ArrayList<>();
            for (final Commands.Command c : Commands.ALL)
            {
                names.add(c.name());
            }
            return new DebugConsole(terminal, ConsoleReaders.open(terminal, "replay-tool debug", history, names));
        }
        catch (final IOException | RuntimeException ex)
        {
            terminal.close();
            throw ex;
        }
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
}
