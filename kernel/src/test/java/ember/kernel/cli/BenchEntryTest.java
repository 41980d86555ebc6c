package ember.kernel.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The benchmarks are module {@code bench/}: the kernel (this module's class path, as a program that
 * embeds it sees it) holds neither them nor their libraries, and {@code ember bench} without them
 * says so in one line.
 */
final class BenchEntryTest
{
    @Test
    void theKernelDoesNotCarryTheBenchmarksOrTheirLibraries()
    {
        for (final String name : new String[] {
            EmberCli.BenchCommand.BENCH_CLI, "ember.kernel.bench.ServiceBench", "redis.clients.jedis.Jedis", "org.HdrHistogram.Histogram"})
        {
            assertThrows(ClassNotFoundException.class, () -> Class.forName(name), name + " is on the kernel's class path");
        }
    }

    @Test
    void benchWithoutTheBenchModuleFailsInOneLine()
    {
        final PrintStream err = System.err;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        final int code;
        try
        {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            code = new CommandLine(new EmberCli()).execute("bench", "--seconds", "1");
        }
        finally
        {
            System.setErr(err);
        }
        assertEquals(2, code);
        assertEquals("ember bench: the benchmarks (module bench/) are not on this class path: run bin/ember bench\n",
            captured.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpListsBench()
    {
        final String usage = new CommandLine(new EmberCli()).getUsageMessage();
        assertTrue(usage.lines().anyMatch(line -> line.startsWith("  bench ")), usage);
    }
}
