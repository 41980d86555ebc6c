package ember.kernel.cli;

import ember.kernel.client.IpcClient;
import ember.kernel.client.EmberException;
import ember.kernel.core.CountersLayout;
import ember.kernel.core.KernelCountersReader;
import ember.kernel.state.JournalReplay;
import ember.kernel.testing.EmberProcess;
import ember.kernel.testing.ServiceProcess;
import ember.kernel.testing.TempDirs;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator's view of a real {@code bin/ember serve}: its live counters read from this JVM
 * (another process than the service's), {@code status}'s added keys live and stopped,
 * {@code top --once}, {@code help}, the labelled {@code serve} lines, the attached shell's
 * warning about options that do not apply, and the silenced Chronicle warnings.
 */
class OperatorViewTest
{
    private static EmberProcess.Output run(final String... args) throws Exception
    {
        final Process process = EmberProcess.ember(args).start();
        process.getOutputStream().close();
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        final String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        return new EmberProcess.Output(process.exitValue(), out, err);
    }

    private static Map<String, String> fields(final String line)
    {
        final Map<String, String> fields = new HashMap<>();
        for (final String pair : line.trim().split(" "))
        {
            final int eq = pair.indexOf('=');
            fields.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return fields;
    }

    /** Wait (bounded) for what the core publishes once per duty cycle. */
    private static void eventually(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadline, what);
            Thread.sleep(10);
        }
    }

    @Test
    void countersStatusAndTopOfALiveServiceAndThenAStoppedOne() throws Exception
    {
        final Path dir = TempDirs.create("ember-ops");
        try (ServiceProcess service = ServiceProcess.start(dir))
        {
            final Path file = CountersLayout.file(dir);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            try (IpcClient client = IpcClient.connect(dir, 5000); KernelCountersReader counters = KernelCountersReader.open(dir))
            {
                assertNotNull(counters, "the service publishes its counters");
                assertEquals(service.process().pid(), counters.osPid());
                final long worker = client.as(1).spawn("worker");
                client.as(1).queueEvent("job", Map.of("n", 1));
                client.as(1).queueEvent("job", Map.of("n", 2));
                client.as(worker).queueEvent("job", Map.of());
                assertThrows(EmberException.class, () -> client.as(1).kill(999, 9));
                // The service signs the chain head within a second of records being added: wait for that
                // checkpoint, after which the idle service appends nothing.
                eventually(() -> headSigned(dir), "the checkpoint signing the head after the syscalls");
                final long last = JournalReplay.replay(dir, Long.MAX_VALUE).lastIndex();
                eventually(() -> counters.value(CountersLayout.RECORDS) == last, "records counter reaches " + last);
                assertEquals(4, counters.value(CountersLayout.SYSCALLS_OK));
                assertEquals(1, counters.value(CountersLayout.SYSCALLS_ERROR));
                assertTrue(counters.value(CountersLayout.JOURNAL_BYTES) > 0);
                assertEquals(1, counters.value(CountersLayout.CLIENTS));
                assertEquals(3, counters.syscalls(ember.journal.SyscallType.QUEUE_EVENT));
                assertEquals(1, counters.syscalls(ember.journal.SyscallType.KILL));
                assertEquals(2, counters.value(CountersLayout.EVENT_QUEUE_MAX));
                assertEquals(0, counters.value(CountersLayout.PARKED_PULLS));
                assertTrue(counters.startMs() <= System.currentTimeMillis() &&
                    counters.startMs() == counters.value(CountersLayout.START_TIME_MS));
                final List<KernelCountersReader.Client> clients = counters.clients();
                assertEquals(1, clients.size(), clients.toString());
                final KernelCountersReader.Client me = clients.get(0);
                assertEquals(ProcessHandle.current().pid(), me.osPid());
                assertEquals("root", me.user());
                assertEquals(Files.getOwner(Path.of("/proc/self")).getName(), me.account());
                assertEquals("shared-memory", me.transport());
                assertEquals(5, me.syscalls());

                final EmberProcess.Output status = run("status", "--dir", dir.toString());
                assertEquals(0, status.exitCode(), status.stderr());
                final Map<String, String> live = fields(status.stdout());
                assertEquals("service", live.get("mode"));
                assertEquals(Long.toString(last), live.get("records"));
                assertTrue(Long.parseLong(live.get("uptime")) >= 0);
                assertTrue(Double.parseDouble(live.get("syscalls_per_s")) >= 0);
                assertEquals("4", live.get("syscalls_ok"));
                assertEquals("1", live.get("syscalls_error"));
                assertTrue(Long.parseLong(live.get("journal_bytes")) > 0);
                assertEquals("none", live.get("last_snapshot"));
                assertEquals("spawn:1,queueEvent:3,kill:1", live.get("syscalls_by_type"));
                assertEquals("2", live.get("event_queue_max"));
                assertEquals("0", live.get("parked_pulls"));
                assertTrue(Long.parseLong(live.get("inbox_max")) >= 1, status.stdout());
                assertTrue(Double.parseDouble(live.get("duty_cycle_max_us")) > 0, status.stdout());
                assertTrue(Double.parseDouble(live.get("duty_cycle_recent_max_us")) >= 0, status.stdout());

                final EmberProcess.Output top = run("top", "--dir", dir.toString(), "--once");
                assertEquals(0, top.exitCode(), top.stderr());
                final List<String> lines = top.lines();
                assertTrue(lines.get(0).startsWith("ember top: " + dir + "  mode service  pid " + service.process().pid()),
                    top.stdout());
                assertTrue(lines.get(1).startsWith("records " + last + "  syscalls/s "), top.stdout());
                assertTrue(lines.get(2).startsWith("core  parked pulls 0  deepest queue 2  inbox max "), top.stdout());
                assertEquals("syscalls spawn:1,queueEvent:3,kill:1", lines.get(3), top.stdout());
                final int clientsAt = lines.indexOf("CLIENTS 1");
                assertTrue(clientsAt > 0, top.stdout());
                assertTrue(lines.get(clientsAt + 2).matches("\\d+ \\S+ root " + ProcessHandle.current().pid() +
                    " shared-memory \\S+Z 5"), top.stdout());
                final int processesAt = lines.indexOf("PROCESSES 2 (deepest queues first)");
                assertEquals("1 0 root running 2 0 init", lines.get(processesAt + 2), top.stdout());
                assertEquals("2 1 root running 1 0 worker", lines.get(processesAt + 3), top.stdout());
            }
            final KernelCountersReader after = KernelCountersReader.open(dir);
            try
            {
                eventually(() -> after.clients().isEmpty() && after.value(CountersLayout.CLIENTS) == 0,
                    "the client's counter is freed when it detaches");
            }
            finally
            {
                after.close();
            }

            service.stop();
            assertFalse(Files.exists(file), "a stopped kernel has no live counters");
            assertTrue(service.output().stream().anyMatch(l -> l.startsWith("ember serve: recovered: a new kernel, index=1 ")),
                service.output().toString());
        }
        try
        {
            final EmberProcess.Output status = run("status", "--dir", dir.toString());
            final Map<String, String> stopped = fields(status.stdout());
            assertEquals("stopped", stopped.get("mode"));
            assertNull(stopped.get("uptime"), "uptime only for a running kernel");
            assertTrue(Long.parseLong(stopped.get("journal_bytes")) > 0);
            final long last = JournalReplay.replay(dir, Long.MAX_VALUE).lastIndex();
            assertTrue(stopped.get("last_snapshot").matches(last + "@\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"),
                "the closing snapshot: " + status.stdout());

            // Recovery from that snapshot is labelled as such.
            try (ServiceProcess again = ServiceProcess.start(dir))
            {
                assertTrue(again.output().stream().anyMatch(l -> l.startsWith("ember serve: recovered: snapshot at " + last +
                    " + 0 journal record(s) replayed, index=" + (last + 1) + " digest=")), again.output().toString());
                final EmberProcess.Output live = run("status", "--dir", dir.toString());
                assertTrue(fields(live.stdout()).get("last_snapshot").startsWith(last + "@"), live.stdout());
            }
        }
        finally
        {
            TempDirs.delete(dir);
        }
    }

    @Test
    void helpWorksAsTheHelpOption() throws Exception
    {
        assertEquals(run("--help").stdout(), run("help").stdout());
        final EmberProcess.Output help = run("help", "status");
        assertEquals(0, help.exitCode());
        assertEquals(run("status", "--help").stdout(), help.stdout());
        assertTrue(help.stdout().contains("last_snapshot="), help.stdout());
    }

    @Test
    void anAttachedShellSaysWhichOptionsDoNotApply() throws Exception
    {
        final Path dir = TempDirs.create("ember-ops-opts");
        try (ServiceProcess service = ServiceProcess.start(dir))
        {
            final Process process = EmberProcess.ember("shell", "--dir", dir.toString(), "--sync", "always",
                "--max-queue", "5").start();
            process.getOutputStream().write("getpid\n".getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().close();
            final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            final String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, process.exitValue(), err);
            assertEquals("1\n", out, "stdout stays the results");
            assertEquals("ember shell: --sync, --max-queue do not apply: attached to the service on " + dir +
                ", which runs with the options it was started with\n", err);
            final EmberProcess.Output plain = EmberProcess.shell(dir, "getpid\n");
            assertEquals("", plain.stderr(), "no warning without such options");
        }
        finally
        {
            TempDirs.delete(dir);
        }
    }

    @Test
    void reopeningAMinutelyJournalPrintsNoChronicleWarnings() throws Exception
    {
        final Path dir = TempDirs.create("ember-ops-warn");
        try
        {
            for (int i = 0; i < 2; i++)
            {
                final Process process = EmberProcess.ember("shell", "--dir", dir.toString(), "--roll-cycle", "minutely")
                    .start();
                process.getOutputStream().write("spawn a\n".getBytes(StandardCharsets.UTF_8));
                process.getOutputStream().close();
                process.getInputStream().readAllBytes();
                final String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(process.waitFor(60, TimeUnit.SECONDS));
                assertFalse(err.contains("WARN"), err);
            }
            final EmberProcess.Output status = run("status", "--dir", dir.toString());
            assertEquals(0, status.exitCode());
            assertFalse(status.stderr().contains("WARN"), status.stderr());
        }
        finally
        {
            TempDirs.delete(dir);
        }
    }

    /**
     * @return true when the journal's last record is a checkpoint signing the record just before
     *     it: the head is signed, and an idle service appends nothing more (a checkpoint signed off
     *     the core may cover an earlier record; the next one then signs the head).
     */
    private static boolean headSigned(final Path dir)
    {
        final ember.journal.SyscallRecord record = new ember.journal.SyscallRecord();
        boolean signed = false;
        try (ember.journal.JournalReader reader = new ember.journal.JournalReader(dir, true))
        {
            while (reader.next(record))
            {
                signed = record.type == ember.journal.SyscallType.CHECKPOINT && record.arg0 == record.index - 1;
            }
        }
        return signed;
    }
}
