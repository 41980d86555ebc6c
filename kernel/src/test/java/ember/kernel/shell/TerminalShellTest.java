package ember.kernel.shell;

import ember.kernel.cli.ShellCommandTable;
import ember.kernel.testing.ServiceProcess;
import ember.kernel.testing.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code bin/ember shell} on a real pseudo-terminal ({@link PtyShell}): banner, prompt with pid
 * and user, {@code help}, tab completion, history recalled with the up arrow within a session and
 * from {@code $HOME/.ember_history} in the next one, {@code quit}, Ctrl-D, and the exit code.
 */
final class TerminalShellTest
{
    private Path dir;
    private Path home;

    @BeforeEach
    void createDirs()
    {
        assumeTrue(PtyShell.available(), "util-linux `script` is not installed: the terminal tests are skipped");
        dir = TempDirs.create("ember-pty-kernel").resolve("kernel");
        home = TempDirs.create("ember-pty-home");
    }

    @AfterEach
    void deleteDirs()
    {
        if (dir != null)
        {
            TempDirs.delete(dir.getParent());
            TempDirs.delete(home);
        }
    }

    @Test
    void promptHelpCompletionHistoryAndQuit() throws IOException
    {
        try (PtyShell shell = new PtyShell(home, "--dir", dir.toString()))
        {
            shell.await("opened " + dir + " embedded (new kernel)");
            shell.await("ember 1 root> ");
            shell.type("spawn w\r");
            shell.await("spawn w\n2\n");
            shell.await("ember 1 root> ");
            shell.type("as 2\r");
            shell.await("ok\n");
            shell.await("ember 2 root> ");
            shell.type("setuser bob\r");
            shell.await("ok\n");
            shell.await("ember 2 bob> ");

            shell.type("help\r");
            for (final String line : ShellCommandTable.helpLines())
            {
                shell.await(line + "\n");
            }
            shell.await("ember 2 bob> ");

            shell.type("getppid\r");
            shell.await("getppid\n1\n");
            shell.await("ember 2 bob> ");
            shell.type("\033[A\r"); // up arrow (as terminals outside keypad mode send it), Enter
            shell.await("getppid\n1\n");
            shell.await("ember 2 bob> ");
            shell.type("\033OA\r"); // up arrow in keypad-transmit mode
            shell.await("getppid\n1\n");
            shell.await("ember 2 bob> ");

            shell.type("looku\t"); // completes to the one command that starts so
            shell.await("lookup ");
            shell.type("nobody\r");
            shell.await("nil\n");
            shell.await("ember 2 bob> ");

            shell.type("quit\r");
            assertEquals(0, shell.exitCode(), "no command failed; drawn:\n" + shell.text());
        }
        final List<String> history = Files.readAllLines(home.resolve(".ember_history"));
        assertTrue(history.size() >= 3 && history.get(history.size() - 2).endsWith(":lookup nobody") &&
            history.get(history.size() - 1).endsWith(":quit"), history.toString());
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
            Files.getPosixFilePermissions(home.resolve(".ember_history"))), "the history is its owner's only");

        // The next session recalls the history of the last one, and says it recovered the kernel.
        try (PtyShell shell = new PtyShell(home, "--dir", dir.toString()))
        {
            shell.await("opened " + dir + " embedded: recovered ");
            shell.await("ember 1 root> ");
            shell.type("\033[A\033[A\r"); // quit, then lookup nobody
            shell.await("lookup nobody\nnil\n");
            shell.await("ember 1 root> ");
            shell.type("exit-shell\r");
            assertEquals(0, shell.exitCode(), "drawn:\n" + shell.text());
        }
    }

    @Test
    void anErrorMakesTheExitCodeOneAndCtrlDLeaves()
    {
        try (PtyShell shell = new PtyShell(home, "--dir", dir.toString()))
        {
            shell.await("ember 1 root> ");
            shell.type("frobnicate\r");
            shell.await("error: unknown command 'frobnicate'\n");
            shell.await("ember 1 root> ");
            shell.type("getpid\r"); // results go on after an error
            shell.await("getpid\n1\n");
            shell.await("ember 1 root> ");
            shell.type("\u0004"); // Ctrl-D on an empty line
            assertEquals(1, shell.exitCode(), "drawn:\n" + shell.text());
        }
    }

    @Test
    void bannerSaysItAttachedToTheService() throws InterruptedException
    {
        try (ServiceProcess service = ServiceProcess.start(dir); PtyShell shell = new PtyShell(home, "--dir", dir.toString()))
        {
            shell.await("attached to the service on " + dir);
            shell.await("ember 1 root> ");
            shell.type("getuser\r");
            shell.await("getuser\nroot\n");
            shell.type("quit\r");
            assertEquals(0, shell.exitCode(), "drawn:\n" + shell.text());
            service.stop();
        }
    }
}
