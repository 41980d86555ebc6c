package ember.kernel.cli;

import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The shell's terminal front end (JLine 3), used only when stdin and stdout are a terminal
 * ({@link #isInteractive()}): a prompt with the acting pid and user, line editing, history kept
 * in a file, tab completion of command names from {@link ShellCommandTable} (the reader as
 * {@link ConsoleReaders} sets it up). Pipes never get
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
    private final Terminal terminal;
    private final LineReader reader;

    private TerminalConsole(final Terminal terminal, final LineReader reader)
    {
        this.terminal = terminal;
        this.reader = reader;
    }

    /** @return true when both stdin and stdout are a terminal ({@link ConsoleReaders#isInteractive}). */
    static boolean isInteractive()
    {
        return ConsoleReaders.isInteractive();
    }

    /** @return where history is kept: {@code $HOME/.ember_history} ({@link ConsoleReaders#historyFile}). */
    static Path historyFile()
    {
        return ConsoleReaders.historyFile(".ember_history");
    }

    /**
     * Take over the process's terminal.
     *
     * @param history the history file; created 0600 at once ({@link ConsoleReaders#createPrivately}),
     *                appended after every command.
     * @throws IOException when the terminal cannot be opened.
     */
    static TerminalConsole open(final Path history) throws IOException
    {
        final Terminal terminal = TerminalBuilder.builder().name("ember").system(true).build();
        try
        {
            return new TerminalConsole(terminal, ConsoleReaders.open(terminal, "ember", history, ShellCommandTable.names()));
        }
        catch (final IOException | RuntimeException ex)
        {
            terminal.close();
            throw ex;
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
}
