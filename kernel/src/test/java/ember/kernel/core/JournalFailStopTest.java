package ember.kernel.core;

import ember.journal.JournalWriter;
import ember.journal.PayloadCodec;
import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.EmberException;
import ember.kernel.client.IpcClient;
import ember.kernel.client.Syscalls;
import ember.kernel.state.Event;
import ember.kernel.state.JournalReplay;
import ember.kernel.state.KernelState;
import ember.kernel.testing.EmberProcess;
import ember.kernel.testing.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A fault during an append (an {@link InternalError} halfway through the record, injected with
 * {@code ember.journal.failAppendAt}) is fail-stop: that record is not acknowledged, every waiting
 * caller gets an error, the failure and its index are in kernel.log, the lock is released (the
 * directory reopens), the journal holds every acknowledged record and nothing of the failed one,
 * and a {@code serve} process exits 2 with one line on stderr.
 */
class JournalFailStopTest
{
    private static final int FAIL_AT = 60;
    private final Path dir = TempDirs.create("ember-failstop");

    @AfterEach
    void cleanup()
    {
        System.clearProperty(JournalWriter.FAIL_APPEND_AT_PROPERTY);
        TempDirs.delete(dir);
    }

    @Test
    void aFaultDuringAppendStopsTheEmbeddedKernelCleanly() throws Exception
    {
        System.setProperty(JournalWriter.FAIL_APPEND_AT_PROPERTY, Integer.toString(FAIL_AT));
        final Kernel kernel = Kernel.open(KernelConfig.of(dir).withBlockSize(1 << 20).withSnapshots(0, 0, true));
        System.clearProperty(JournalWriter.FAIL_APPEND_AT_PROPERTY); // only this kernel's writer fails
        final EmbeddedClient client = new EmbeddedClient(kernel);
        final Syscalls init = client.as(1);
        final long waiter = init.spawn("waiter");
        final CompletableFuture<Object> parked = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return client.as(waiter).pullEvent(60.0, "never");
            }
            catch (final EmberException ex)
            {
                return ex;
            }
        });
        long acked = 0;
        EmberException refused = null;
        for (long n = 1; n < 10 * FAIL_AT && refused == null; n++)
        {
            try
            {
                init.queueEvent("seq", Map.of("n", n));
                acked = n;
            }
            catch (final EmberException ex)
            {
                refused = ex;
            }
        }
        assertNotNull(refused, "the injected fault was never reported");
        assertTrue(refused.getMessage().startsWith("journal write failed: the kernel stopped: journal append failed at index "),
            refused.getMessage());
        final Object pull = parked.get(30, TimeUnit.SECONDS);
        assertTrue(pull instanceof EmberException, "the parked pull is answered with an error, not left waiting: " + pull);
        final String failure = kernel.failure();
        assertNotNull(failure);
        final long failedIndex = Long.parseLong(failure.replaceAll("^journal append failed at index (\\d+):.*$", "$1"));

        // The lock is released without close(): the directory reopens while the dead kernel object lingers.
        try (Kernel reopened = Kernel.open(KernelConfig.of(dir).withBlockSize(1 << 20)))
        {
            assertEquals(failedIndex - 1, reopened.recoveredRecords(), "the journal ends with the record before the failed one");
        }
        assertEquals(range(acked), seqs(JournalReplay.replay(dir, Long.MAX_VALUE), 1),
            "every acknowledged event is in the journal, and not the failed one");
        final String log = Files.readString(dir.resolve(KernelLog.FILE));
        assertTrue(log.contains("journal append failed at index " + failedIndex + ": java.lang.InternalError"), log);
        assertTrue(log.contains("kernel stopped after a failure"), log);
        kernel.close(); // harmless afterwards
        client.close();
    }

    @Test
    void aFaultDuringAppendMakesServeExitTwoWithOneLine() throws Exception
    {
        final ProcessBuilder builder = EmberProcess.ember("serve", "--dir", dir.toString(), "--idle", "backoff");
        builder.environment().put("EMBER_JAVA_OPTS", "-D" + JournalWriter.FAIL_APPEND_AT_PROPERTY + "=" + FAIL_AT);
        final Path stderr = Files.createTempFile("ember-serve", ".err");
        final Process serve = builder.redirectError(stderr.toFile()).start();
        try
        {
            final java.io.BufferedReader out = new java.io.BufferedReader(
                new java.io.InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
            for (String line = out.readLine(); line == null || !line.contains("recovered"); line = out.readLine())
            {
                assertNotNull(line, "serve did not start");
            }
            long acked = 0;
            String refusal = null;
            try (IpcClient client = IpcClient.connect(dir, 60_000))
            {
                final Syscalls init = client.as(1);
                for (long n = 1; n < 10 * FAIL_AT && refusal == null; n++)
                {
                    try
                    {
                        init.queueEvent("seq", Map.of("n", n));
                        acked = n;
                    }
                    catch (final EmberException ex)
                    {
                        refusal = ex.getMessage();
                    }
                }
            }
            // The refused call's answer races with the service detaching its clients as it stops:
            // the refusal, the detach notice or the connection's end first: either way an error, never an acknowledgement.
            assertNotNull(refusal, "the injected fault was never reported to the client");
            assertTrue(refusal.startsWith("journal write failed") || refusal.contains("service stopped") ||
                refusal.contains("went away"), refusal);
            assertTrue(serve.waitFor(60, TimeUnit.SECONDS), "serve is still running after the fault: a zombie");
            assertEquals(2, serve.exitValue());
            final List<String> lines = new ArrayList<>();
            for (final String line : Files.readAllLines(stderr, StandardCharsets.UTF_8))
            {
                if (!line.isBlank() && !line.contains("SLF4J"))
                {
                    lines.add(line);
                }
            }
            assertEquals(1, lines.size(), "one line on stderr: " + lines);
            assertTrue(lines.get(0).startsWith("ember serve: the kernel stopped: journal append failed at index "),
                lines.get(0));

            try (Kernel reopened = Kernel.open(KernelConfig.of(dir)))
            {
                assertTrue(reopened.recoveredRecords() > 0, "the lock was released and the journal recovers");
            }
            assertEquals(range(acked), seqs(JournalReplay.replay(dir, Long.MAX_VALUE), 1),
                "every acknowledged event is in the journal, and not the failed one");
        }
        finally
        {
            serve.destroyForcibly();
            serve.waitFor(30, TimeUnit.SECONDS);
            Files.deleteIfExists(stderr);
        }
    }

    private static List<Long> seqs(final KernelState state, final long pid)
    {
        final PayloadCodec codec = new PayloadCodec();
        final List<Long> seqs = new ArrayList<>();
        for (final Event event : state.process(pid).queue())
        {
            if (event.name().equals("seq"))
            {
                seqs.add((Long)event.params(codec).get("n"));
            }
        }
        return seqs;
    }

    private static List<Long> range(final long upTo)
    {
        final List<Long> all = new ArrayList<>();
        for (long n = 1; n <= upTo; n++)
        {
            all.add(n);
        }
        return all;
    }
}
