package ember.kernel.core;

import ember.journal.JournalWriter;
import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.EmberException;
import ember.kernel.client.Syscalls;
import ember.kernel.testing.EmberProcess;
import ember.kernel.testing.TempDirs;
import org.agrona.concurrent.Agent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Unexpected errors go to {@code DIR/errors.dat} (an Agrona distinct error log) with their stack
 * traces, read by {@code bin/ember errors} in another JVM while the kernel runs and after it
 * stopped; a repeat counts on its entry; the file is 0600 and never written through a planted
 * link; kernel.log states index and digest as {@code index=N digest=HEX} tokens.
 */
class ErrorLogTest
{
    private static final Pattern DIGEST_TOKENS = Pattern.compile("(?:^|\\s)index=(\\d+) digest=([0-9a-f]{64})(?=\\s|$)");
    private static final Pattern ENTRY = Pattern.compile("(?m)^error (\\d+): count=(\\d+) first=(\\S+) last=(\\S+)$");

    private final Path dir = TempDirs.create("ember-errlog");

    @AfterEach
    void cleanup()
    {
        System.clearProperty(JournalWriter.FAIL_APPEND_AT_PROPERTY);
        TempDirs.delete(dir);
    }

    private record Run(int exit, String out, String err)
    {
    }

    private static Run ember(final String... args) throws Exception
    {
        final Process process = EmberProcess.ember(args).start();
        process.getOutputStream().close();
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        final String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "ember " + String.join(" ", args) + " did not finish");
        return new Run(process.exitValue(), out, err);
    }

    private static List<String[]> entries(final String out)
    {
        final List<String[]> entries = new ArrayList<>();
        final Matcher m = ENTRY.matcher(out);
        while (m.find())
        {
            entries.add(new String[] {m.group(1), m.group(2), m.group(3), m.group(4)});
        }
        return entries;
    }

    private String statusField(final String key) throws Exception
    {
        final Run status = ember("status", "--dir", dir.toString());
        assertEquals(0, status.exit(), status.toString());
        for (final String pair : status.out().trim().split(" "))
        {
            if (pair.startsWith(key + "="))
            {
                return pair.substring(key.length() + 1);
            }
        }
        throw new AssertionError("no " + key + "= in " + status);
    }

    @Test
    void aFailStopErrorIsShownWithItsStackTraceByAnotherJvm() throws Exception
    {
        System.setProperty(JournalWriter.FAIL_APPEND_AT_PROPERTY, "20");
        final Kernel kernel = Kernel.open(KernelConfig.of(dir).withBlockSize(1 << 20).withSnapshots(0, 0, true));
        System.clearProperty(JournalWriter.FAIL_APPEND_AT_PROPERTY);
        try (EmbeddedClient client = new EmbeddedClient(kernel))
        {
            final Syscalls init = client.as(1);
            EmberException refused = null;
            for (int n = 1; n < 200 && refused == null; n++)
            {
                try
                {
                    init.queueEvent("seq", Map.of("n", n));
                }
                catch (final EmberException ex)
                {
                    refused = ex;
                }
            }
            assertNotNull(refused, "the injected fault was never reported");
        }
        assertNotNull(kernel.failure());
        kernel.close();

        final Run errors = ember("errors", "--dir", dir.toString());
        assertEquals(0, errors.exit(), errors.toString());
        final List<String[]> entries = entries(errors.out());
        assertEquals(1, entries.size(), errors.out());
        assertEquals("1", entries.get(0)[1], "one observation: " + errors.out());
        assertTrue(errors.out().contains("java.lang.InternalError: a fault occurred in a recent unsafe memory access"),
            errors.out());
        assertTrue(errors.out().contains("\tat ember.journal.JournalWriter.append("), "the stack trace: " + errors.out());
        assertTrue(errors.out().contains("\tat ember.kernel.core.KernelCore.journalAndApply("), errors.out());
        assertTrue(errors.out().contains("1 distinct error(s)"), errors.out());
        assertEquals("", errors.err());
        assertEquals("1", statusField("errors"));
        // The one line stays in kernel.log, without the stack trace.
        final String log = Files.readString(dir.resolve(KernelLog.FILE));
        assertTrue(log.contains("journal append failed at index"), log);
        assertFalse(log.contains("\tat "), log);
    }

    @Test
    void aRepeatCountsOnItsEntryAndIsReadWhileTheKernelRuns() throws Exception
    {
        final AtomicInteger cycles = new AtomicInteger();
        final Agent faulty = new Agent()
        {
            @Override
            public int doWork()
            {
                if (cycles.incrementAndGet() <= 3)
                {
                    throw new IllegalStateException("injected agent fault"); // same site: the same error each time
                }
                return 0;
            }

            @Override
            public String roleName()
            {
                return "faulty";
            }
        };
        try (Kernel kernel = Kernel.open(KernelConfig.of(dir).withBlockSize(1 << 20), k -> faulty))
        {
            while (cycles.get() < 5 && !kernel.isClosed())
            {
                Thread.onSpinWait(); // the third throw has been recorded once a later duty cycle has begun
            }
            assertTrue(kernel.failure() == null, "an exception of an agent is not fail-stop: " + kernel.failure());
            final Run errors = ember("errors", "--dir", dir.toString());
            assertEquals(0, errors.exit(), errors.toString());
            final List<String[]> entries = entries(errors.out());
            assertEquals(1, entries.size(), "a repeat is not a new entry: " + errors.out());
            assertEquals("3", entries.get(0)[1], errors.out());
            assertTrue(entries.get(0)[2].compareTo(entries.get(0)[3]) <= 0, "first <= last: " + errors.out());
            assertTrue(errors.out().contains("java.lang.IllegalStateException: injected agent fault"), errors.out());
            assertTrue(errors.out().contains("\tat ember.kernel.core.ErrorLogTest$"), errors.out());
            assertEquals("1", statusField("errors"));
        }

        // After a stop the errors are still there; the next open keeps them as the previous run's.
        assertEquals(1, entries(ember("errors", "--dir", dir.toString()).out()).size());
        Kernel.open(KernelConfig.of(dir).withBlockSize(1 << 20)).close();
        final Run now = ember("errors", "--dir", dir.toString());
        assertEquals(0, entries(now.out()).size(), now.out());
        assertTrue(now.out().contains("--previous"), now.out());
        final Run previous = ember("errors", "--dir", dir.toString(), "--previous");
        assertEquals("3", entries(previous.out()).get(0)[1], previous.out());
        assertEquals("0", statusField("errors"));
    }

    @Test
    void theErrorsFileIsPrivateAndNeverWrittenThroughAPlantedLink() throws Exception
    {
        final Path victim = Files.createTempFile("ember-victim", ".dat");
        try
        {
            Files.writeString(victim, "not the kernel's");
            Files.createSymbolicLink(dir.resolve(ErrorsLayout.FILE), victim);
            Kernel.open(KernelConfig.of(dir).withBlockSize(1 << 20)).close();
            final Path file = ErrorsLayout.file(dir);
            assertFalse(Files.isSymbolicLink(file), "the link was replaced by a file of the kernel's");
            assertTrue(Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS)));
            assertEquals(ErrorsLayout.FILE_LENGTH, Files.size(file), "fully allocated");
            assertEquals("not the kernel's", Files.readString(victim), "the link's target is untouched");
        }
        finally
        {
            Files.deleteIfExists(victim);
        }
    }

    @Test
    void kernelLogDigestTokensParseToTheKernelsDigests() throws Exception
    {
        final String before;
        try (Kernel kernel = Kernel.open(KernelConfig.of(dir).withBlockSize(1 << 20)))
        {
            try (EmbeddedClient client = new EmbeddedClient(kernel))
            {
                client.as(1).spawn("worker");
            }
            before = kernel.digest();
        }
        final String after;
        try (Kernel kernel = Kernel.open(KernelConfig.of(dir).withBlockSize(1 << 20)))
        {
            after = kernel.digest();
        }
        final List<String> tokens = new ArrayList<>();
        for (final String line : Files.readAllLines(dir.resolve(KernelLog.FILE)))
        {
            final Matcher m = DIGEST_TOKENS.matcher(line);
            if (m.find())
            {
                tokens.add((line.contains("kernel opened") ? "opened " : line.contains("kernel closed") ? "closed " : "other ") +
                    m.group(1) + ":" + m.group(2));
            }
        }
        final String[] first = before.split(":");
        final long reopenedAt = Long.parseLong(first[0]);
        final String[] second = after.split(":");
        // The first open's line is at index 0 (before its kernelOpen record); each close states the last
        // record, the checkpoint a clean close signs (one record after the live state read before it).
        assertEquals(4, tokens.size(), tokens.toString());
        assertTrue(tokens.get(0).startsWith("opened 0:"), tokens.toString());
        final String closedFirst = tokens.get(1).substring("closed ".length());
        assertEquals(reopenedAt + 1, Long.parseLong(closedFirst.split(":")[0]), tokens.toString());
        assertNotEquals(first[1], closedFirst.split(":")[1], "the checkpoint advanced index and time");
        assertEquals("opened " + closedFirst, tokens.get(2), "recovery reaches the closed state");
        assertEquals("closed " + (Long.parseLong(second[0]) + 1), tokens.get(3).split(":")[0]);
        assertEquals(replayDigest(dir), tokens.get(3).substring("closed ".length()), "the last close states the replayed state");
    }

    private static String replayDigest(final Path dir)
    {
        final ember.kernel.state.KernelState replayed = ember.kernel.state.JournalReplay.replay(dir, Long.MAX_VALUE);
        return replayed.lastIndex() + ":" + replayed.digest();
    }
}
