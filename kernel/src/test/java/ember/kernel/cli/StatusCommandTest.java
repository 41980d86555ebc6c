package ember.kernel.cli;

import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.IpcClient;
import ember.kernel.core.Kernel;
import ember.kernel.core.KernelConfig;
import ember.kernel.state.JournalReplay;
import ember.kernel.testing.EmberProcess;
import ember.kernel.testing.ServiceProcess;
import ember.kernel.testing.TempDirs;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bin/ember status} (SPEC §8) on a stopped kernel, a service, an embedded kernel and no kernel. */
class StatusCommandTest
{
    private record Status(int exit, Map<String, String> fields, String out, String err)
    {
    }

    private static Status status(final Path dir) throws Exception
    {
        final Process process = EmberProcess.ember("status", "--dir", dir.toString()).start();
        process.getOutputStream().close();
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        final String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        final Map<String, String> fields = new HashMap<>();
        for (final String pair : out.trim().split(" "))
        {
            final int eq = pair.indexOf('=');
            if (eq > 0)
            {
                fields.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return new Status(process.exitValue(), fields, out, err);
    }

    /** @return every file under {@code dir} with its size and modification time. */
    private static Map<Path, String> listing(final Path dir) throws Exception
    {
        final Map<Path, String> files = new HashMap<>();
        try (Stream<Path> walk = Files.walk(dir))
        {
            for (final Path path : walk.toList())
            {
                if (Files.isRegularFile(path))
                {
                    files.put(path, Files.size(path) + "@" + Files.getLastModifiedTime(path).toMillis());
                }
            }
        }
        return files;
    }

    @Test
    void aStoppedKernelReportsItsLastIndexAndDigestAndStaysUnchanged() throws Exception
    {
        final Path dir = TempDirs.create("ember-status");
        try
        {
            try (Kernel kernel = Kernel.open(KernelConfig.of(dir).withBlockSize(1 << 20));
                 EmbeddedClient client = new EmbeddedClient(kernel))
            {
                client.as(1).spawn("a");
                client.as(1).queueEvent("x", Map.of());
            }
            final Map<Path, String> before = listing(dir);
            final Status status = status(dir);
            assertEquals(0, status.exit(), status.err());
            assertEquals(1, status.out().lines().count(), status.out());
            final var replayed = JournalReplay.replay(dir, Long.MAX_VALUE);
            assertEquals("stopped", status.fields().get("mode"));
            assertEquals(Long.toString(replayed.lastIndex()), status.fields().get("records"));
            assertEquals(replayed.digest(), status.fields().get("digest"));
            assertFalse(status.fields().containsKey("clients"), "clients only for a running kernel");
            assertEquals(before, listing(dir), "status changes no file");
        }
        finally
        {
            TempDirs.delete(dir);
        }
    }

    @Test
    void aServiceReportsItsModeClientsAndPid() throws Exception
    {
        final Path dir = TempDirs.create("ember-status-svc");
        try (ServiceProcess service = ServiceProcess.start(dir); IpcClient client = IpcClient.connect(dir, 5000))
        {
            client.as(1).spawn("b");
            final Status status = status(dir);
            assertEquals(0, status.exit(), status.err());
            assertEquals("service", status.fields().get("mode"));
            assertEquals("1", status.fields().get("clients"), status.out());
            assertEquals(Long.toString(service.process().pid()), status.fields().get("pid"));
            final var replayed = JournalReplay.replay(dir, Long.MAX_VALUE);
            assertEquals(Long.toString(replayed.lastIndex()), status.fields().get("records"));
            assertEquals(replayed.digest(), status.fields().get("digest"));
            assertEquals(1L, client.as(1).getpid(), "the service serves on");
        }
        finally
        {
            TempDirs.delete(dir);
        }
    }

    @Test
    void anEmbeddedKernelIsNamedByTheProcessHoldingItsLock() throws Exception
    {
        final Path dir = TempDirs.create("ember-status-emb");
        try (Kernel kernel = Kernel.open(KernelConfig.of(dir).withBlockSize(1 << 20));
             EmbeddedClient client = new EmbeddedClient(kernel))
        {
            client.as(1).spawn("c");
            final Status status = status(dir);
            assertEquals(0, status.exit(), status.err());
            assertEquals("embedded", status.fields().get("mode"));
            assertEquals(Long.toString(ProcessHandle.current().pid()), status.fields().get("pid"));
            assertEquals("1", status.fields().get("clients"));
        }
        finally
        {
            TempDirs.delete(dir);
        }
    }

    @Test
    void aDirectoryWithoutAKernelExitsTwo() throws Exception
    {
        final Path dir = TempDirs.create("ember-status-none");
        try
        {
            final Status status = status(dir.resolve("missing"));
            assertEquals(2, status.exit());
            assertEquals("ember status: no kernel in " + dir.resolve("missing"), status.err().trim());
            assertFalse(Files.exists(dir.resolve("missing")), "status creates nothing");
            assertEquals(2, status(dir).exit());
        }
        finally
        {
            TempDirs.delete(dir);
        }
    }
}
