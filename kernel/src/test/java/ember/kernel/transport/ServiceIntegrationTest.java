package ember.kernel.transport;

import ember.journal.PayloadCodec;
import ember.kernel.client.EmberException;
import ember.kernel.client.IpcClient;
import ember.kernel.client.Syscalls;
import ember.kernel.state.Event;
import ember.kernel.state.JournalReplay;
import ember.kernel.state.KernelState;
import ember.kernel.testing.EmberProcess;
import ember.kernel.testing.IpcLoad;
import ember.kernel.testing.JavaProcess;
import ember.kernel.testing.ServiceProcess;
import ember.kernel.testing.ShellSession;
import ember.kernel.testing.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The service with real client JVMs: shells and loads in separate processes. */
class ServiceIntegrationTest
{
    private final Path dir = TempDirs.create("ember-serve");

    @AfterEach
    void cleanup()
    {
        TempDirs.delete(dir);
    }

    @Test
    void twoShellsInTwoJvmsExchangeEventsAndSignalsUnderPermissionRules() throws Exception
    {
        try (ServiceProcess service = ServiceProcess.start(dir); ShellSession a = new ShellSession(dir))
        {
            assertEquals("2", a.call("spawn alice-proc"));
            assertEquals("ok", a.call("as 2"));
            assertEquals("ok", a.call("setuser alice"));
            assertEquals("ok", a.call("signal 10 on"));

            final EmberProcess.Output b = EmberProcess.shell(dir, String.join("\n",
                "kill 2 10",
                "send 2 hello {\"from\":\"b\"}",
                "spawn bob-proc",
                "as 3",
                "setuser bob",
                "kill 2 15",
                "send 2 hi 5",
                "ps",
                ""));
            assertEquals(1, b.exitCode(), "the shell exits 1 after an error; " + b.stderr());
            assertEquals(java.util.List.of("ok", "true", "3", "ok", "ok", "error: Permission denied", "true",
                "PID PPID USER STATE QUEUED NAME",
                "1 0 root running 0 init",
                "2 1 alice running 2 alice-proc",
                "3 1 bob running 0 bob-proc"), b.lines());

            // The handler ran in the shell that registered it, while it was waiting for input.
            assertEquals("handler 2 10", a.next());
            assertEquals("remote_event {\"data\":{\"from\":\"b\"},\"sender\":1,\"type\":\"hello\"}", a.call("pull"));
            assertEquals("remote_event {\"data\":5,\"sender\":3,\"type\":\"hi\"}", a.call("pull"));
            assertEquals("nil", a.call("pull timeout=0.1"));
            a.close();
            service.stop();
            final String log = java.nio.file.Files.readString(dir.resolve("kernel.log"));
            assertTrue(log.contains("kernel closed: index="), "SIGTERM closes the journal cleanly:\n" + log);
        }
    }

    @Test
    void secondServeOnTheSameDirectoryRefuses() throws Exception
    {
        try (ServiceProcess service = ServiceProcess.start(dir))
        {
            final Process second = EmberProcess.ember("serve", "--dir", dir.toString(), "--idle", "sleep")
                .redirectErrorStream(true).start();
            assertTrue(second.waitFor(60, TimeUnit.SECONDS));
            final String text = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(1, second.exitValue(), text);
            assertTrue(text.contains("in use by another Ember process"), text);
            assertTrue(service.process().isAlive());
        }
    }

    @Test
    void clientsGetAClearErrorWhenNoServiceRunsOrItGoesAway() throws Exception
    {
        final EmberException none = assertThrows(EmberException.class, () -> IpcClient.connect(dir, 1000));
        assertTrue(none.getMessage().contains("no Ember service is running"), none.getMessage());
        try (ServiceProcess service = ServiceProcess.start(dir))
        {
            final IpcClient client = IpcClient.connect(dir, 5000);
            assertEquals("root", client.user());
            final Syscalls init = client.as(1);
            assertEquals(1, init.getpid());
            service.kill9();
            final EmberException gone = assertThrows(EmberException.class, () ->
            {
                for (int i = 0; i < 1000; i++)
                {
                    init.pullEvent(1.0); // blocks in the service until the crash is noticed
                }
            });
            assertTrue(gone.getMessage().contains("went away"), gone.getMessage());
            client.close();
        }
    }

    @Test
    void serviceKilledUnderLoadRestartsClientsReattachAndNothingAcknowledgedIsLost() throws Exception
    {
        ServiceProcess service = ServiceProcess.start(dir);
        final Process load = JavaProcess.start(IpcLoad.class, dir.toString());
        long acked = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(load.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = out.readLine()) != null && acked < 3000)
            {
                if (line.startsWith("ACK "))
                {
                    acked = Long.parseLong(line.substring(4));
                }
            }
            service.kill9();
            service = ServiceProcess.start(dir);
            boolean reattached = false;
            long after = 0;
            while ((line = out.readLine()) != null)
            {
                if (line.startsWith("ACK "))
                {
                    acked = Long.parseLong(line.substring(4));
                    if (reattached && ++after == 500)
                    {
                        break;
                    }
                }
                else if (line.equals("REATTACHED"))
                {
                    reattached = true;
                }
            }
            assertTrue(reattached, "the load re-attached to the restarted service");
            load.destroyForcibly();
            load.waitFor(30, TimeUnit.SECONDS);
            service.stop();
        }
        finally
        {
            load.destroyForcibly();
            service.close();
        }

        final KernelState state = JournalReplay.replay(dir, Long.MAX_VALUE);
        final PayloadCodec codec = new PayloadCodec();
        final Set<Long> present = new HashSet<>();
        for (final Event event : state.process(1).queue())
        {
            if (event.name().equals("seq"))
            {
                present.add((Long)event.params(codec).get("n"));
            }
        }
        for (long n = 1; n <= acked; n++)
        {
            assertTrue(present.contains(n), "acknowledged n=" + n + " lost (acked " + acked + ")");
        }
        assertNotEquals(0, acked);
        System.out.printf("service crash test: acknowledged=%d present=%d%n", acked, present.size());
    }
}
