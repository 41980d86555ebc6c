package ember.kernel.bench;

import ember.kernel.cli.EmberCli;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ember bench} reaches this module's {@link BenchCli} through the kernel's {@code EmberCli}
 * (by class name, the kernel not depending on this module), with its options and exit codes.
 */
final class BenchCliTest
{
    @Test
    void emberCliHandsBenchOnWithItsWords()
    {
        final Captured help = run("bench", "--help");
        assertEquals(0, help.code);
        assertTrue(help.out.startsWith("Usage: ember bench [-hV] [--clients=<clients>] [--idle=STRATEGY] [--only=GROUP]"), help.out);
        assertTrue(help.out.contains("--recovery-records="), help.out);
        assertTrue(help.out.contains("--snapshot-timers="), help.out);

        final Captured bad = run("bench", "--bogus");
        assertEquals(2, bad.code);
        assertTrue(bad.err.startsWith("Unknown option: '--bogus'"), bad.err);
        assertEquals("", bad.out);
    }

    private static Captured run(final String... args)
    {
        final PrintStream out = System.out;
        final PrintStream err = System.err;
        final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        try
        {
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
            final int code = new picocli.CommandLine(new EmberCli()).execute(args);
            return new Captured(code, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
        }
        finally
        {
            System.setOut(out);
            System.setErr(err);
        }
    }

    private record Captured(int code, String out, String err)
    {
    }
}
