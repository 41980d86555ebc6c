package ember.kernel.cli;

import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.NonBlockingReader;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code ember top} on a terminal (JLine): redraws a {@link TopView} frame every interval on the
 * alternate screen, cut to the terminal's size, until q, Q or Ctrl-C. The terminal is given back
 * as it was (mode, screen, cursor) however it ends. One thread.
 */
final class TopScreen
{
    private static final String ALTERNATE_SCREEN = "\033[?1049h";
    private static final String MAIN_SCREEN = "\033[?1049l";
    private static final String HOME_AND_CLEAR = "\033[H\033[2J";
    private static final String HIDE_CURSOR = "\033[?25l";
    private static final String SHOW_CURSOR = "\033[?25h";
    private static final int CTRL_C = 3;

    private TopScreen()
    {
    }

    /**
     * @param intervalMs between frames.
     * @param sampleMs   counter sampling window of each frame's syscall rate.
     * @return the exit code, 0.
     * @throws ember.kernel.core.KernelOpenException when the journal cannot be read.
     */
    static int run(final Path dir, final long intervalMs, final long sampleMs) throws IOException, InterruptedException
    {
        try (Terminal terminal = TerminalBuilder.builder().name("ember top").system(true).build())
        {
            final Attributes saved = terminal.enterRawMode(); // keys arrive one by one, unechoed
            final PrintWriter out = terminal.writer();
            final boolean[] interrupted = {false};
            terminal.handle(Terminal.Signal.INT, signal -> interrupted[0] = true);
            out.print(ALTERNATE_SCREEN + HIDE_CURSOR);
            try
            {
                final NonBlockingReader keys = terminal.reader();
                while (!interrupted[0])
                {
                    // A terminal that cannot tell its size (0) is taken as 80x24.
                    final int height = terminal.getHeight() > 0 ? terminal.getHeight() : 24;
                    final int width = terminal.getWidth() > 0 ? terminal.getWidth() : 80;
                    final List<String> frame = TopView.frame(dir, KernelStatus.read(dir, sampleMs), Math.max(1, height - 9));
                    final StringBuilder screen = new StringBuilder(HOME_AND_CLEAR);
                    for (int i = 0; i < frame.size() && i < height - 1; i++)
                    {
                        final String line = frame.get(i);
                        screen.append(line.length() > width ? line.substring(0, width) : line).append("\r\n");
                    }
                    screen.append("(refresh ").append(intervalMs / 1000.0).append(" s; q quits)");
                    out.print(screen);
                    out.flush();
                    final long deadline = System.currentTimeMillis() + Math.max(0, intervalMs - sampleMs);
                    for (long left; !interrupted[0] && (left = deadline - System.currentTimeMillis()) > 0; )
                    {
                        final int key = keys.read(left);
                        if (key == 'q' || key == 'Q' || key == CTRL_C || key == NonBlockingReader.EOF)
                        {
                            return 0;
                        }
                    }
                }
                return 0;
            }
            finally
            {
                out.print(SHOW_CURSOR + MAIN_SCREEN);
                out.flush();
                terminal.setAttributes(saved);
            }
        }
    }
}
