package ember.kernel.core;

import ember.journal.PayloadCodec;
import ember.kernel.state.Event;
import ember.kernel.state.JournalReplay;
import ember.kernel.state.KernelState;
import ember.kernel.state.ProcessEntry;
import ember.kernel.testing.CrashLoad;
import ember.kernel.testing.EmberProcess;
import ember.kernel.testing.JavaProcess;
import ember.kernel.testing.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real crashes: a separate JVM runs a syscall load and is killed with SIGKILL (kill -9); the
 * directory is then recovered and every syscall whose result had been returned must be there.
 */
class CrashRecoveryTest
{
    private final Path dir = TempDirs.create("ember-crash");

    @AfterEach
    void cleanup()
    {
        TempDirs.delete(dir);
    }

    @Test
    void kill9UnderLoadLosesNoAcknowledgedSyscall() throws Exception
    {
        final Process load = JavaProcess.start(CrashLoad.class, dir.toString());

        long acked = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(load.getInputStream(), StandardCharsets.UTF_8)))
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            String line;
            while ((line = out.readLine()) != null && acked < 20_000 && System.nanoTime() < deadline)
            {
                if (line.startsWith("ACK "))
                {
                    final String[] parts = line.split(" ");
                    acked = Long.parseLong(parts[2]);
                }
            }
            load.destroyForcibly(); // SIGKILL: no shutdown hook, no close
            assertTrue(load.waitFor(30, TimeUnit.SECONDS));
        }
        assertTrue(acked > 1000, "the load acknowledged only " + acked + " syscalls before the crash");

        final KernelState recovered = JournalReplay.replay(dir, Long.MAX_VALUE);
        final PayloadCodec codec = new PayloadCodec();
        final Set<Long> present = new HashSet<>();
        for (final long pid : recovered.pids())
        {
            final ProcessEntry process = recovered.process(pid);
            for (final Event event : process.queue())
            {
                if (event.name().equals("seq"))
                {
                    present.add((Long)event.params(codec).get("n"));
                }
            }
        }
        for (long n = 1; n <= acked; n++)
        {
            if (!present.contains(n))
            {
                throw new AssertionError("acknowledged queueEvent n=" + n + " is missing after recovery (acked " + acked + ")");
            }
        }
        System.out.printf("crash test: acknowledged=%d recovered-events=%d records=%d%n",
            acked, present.size(), recovered.lastIndex());

        // The kernel reopens on the crashed directory and recovers the same state.
        try (Kernel kernel = Kernel.open(KernelConfig.of(dir).withBlockSize(1 << 20)))
        {
            final String digest = kernel.digest();
            final long index = Long.parseLong(digest.substring(0, digest.indexOf(':')));
            assertTrue(index > recovered.lastIndex(), "recovery continues the index");
            assertEquals(digest, index + ":" + JournalReplay.replay(dir, index).digest());
        }
    }

    @Test
    void kill9OfTheShellLosesNothingItPrinted() throws Exception
    {
        final Process shell = EmberProcess.ember("shell", "--dir", dir.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        int printed = 0;
        try (OutputStream in = shell.getOutputStream();
            BufferedReader out = new BufferedReader(new InputStreamReader(shell.getInputStream(), StandardCharsets.UTF_8)))
        {
            for (int n = 1; n <= 300; n++)
            {
                in.write(("queue step {\"n\":" + n + "}\n").getBytes(StandardCharsets.UTF_8));
                in.flush();
                assertEquals("ok", out.readLine(), "result of command " + n);
                printed = n;
            }
            // One more command in flight when the crash comes: it may or may not be there.
            in.write("queue step {\"n\":301}\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            shell.destroyForcibly();
            assertTrue(shell.waitFor(30, TimeUnit.SECONDS));
        }

        final EmberProcess.Output after = EmberProcess.shell(dir, "peek\n" + "pull\n".repeat(printed));
        assertEquals(0, after.exitCode(), after.stderr());
        final List<String> lines = after.lines();
        assertEquals("step {\"n\":1}", lines.get(0));
        for (int n = 1; n <= printed; n++)
        {
            assertEquals("step {\"n\":" + n + "}", lines.get(n), "event " + n + " after recovery");
        }
    }
}
