package ember.kernel.durability;

import ember.kernel.cli.Shell;
import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.EmberException;
import ember.kernel.client.Syscalls;
import ember.kernel.core.Kernel;
import ember.kernel.core.KernelConfig;
import ember.kernel.state.JournalReplay;
import ember.kernel.state.KernelState;
import ember.kernel.testing.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Reductions of what the fuzzers found: SPEC §6 says applying the journal's records to an empty
 * kernel gives exactly the live kernel's state, and a returned result means the record is in the
 * journal. Each test does a few syscalls on a live kernel, then replays its journal (as recovery
 * after a crash and the replay tool do) and compares.
 */
class JournalFidelityTest
{
    private Path dir;

    @BeforeEach
    void createDir()
    {
        dir = TempDirs.create("ember-fidelity"); // not in a field initializer: skipped tests would leak it
    }

    @AfterEach
    void cleanup()
    {
        TempDirs.delete(dir);
    }

    /** @return {@code INDEX:DIGEST} of the live kernel after {@code syscalls} ran. */
    private String run(final KernelConfig config, final java.util.function.Consumer<Syscalls> syscalls)
    {
        try (Kernel kernel = Kernel.open(config); EmbeddedClient client = new EmbeddedClient(kernel))
        {
            syscalls.accept(client.as(1));
            return kernel.digest();
        }
    }

    private void assertJournalReplaysTo(final String live)
    {
        final long index = Long.parseLong(live.substring(0, live.indexOf(':')));
        final KernelState replayed = JournalReplay.replay(dir, index); // must not throw CorruptRecordException
        assertEquals(live, index + ":" + replayed.digest(), "replaying the journal gives another state than the live kernel's");
    }

    @Test
    void aPullWithManyNamesIsReplayable()
    {
        // Through the shell: a 10 KB command line, 5,000 one-letter names.
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final String live;
        try (Kernel kernel = Kernel.open(KernelConfig.of(dir).withBlockSize(1 << 20));
            EmbeddedClient client = new EmbeddedClient(kernel))
        {
            final Shell shell = new Shell(client, new PrintStream(bytes, true, StandardCharsets.UTF_8));
            shell.execute("pull " + "a ".repeat(5_000) + "timeout=0"); // today: nil (journaled); or an argument error
            shell.execute("queue after {\"n\":1}");
            live = kernel.digest();
        }
        final String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals("ok", lines[lines.length - 1], "the acknowledged queue after the pull");
        assertJournalReplaysTo(live);
    }

    @Test
    void aRecordTooLargeForTheJournalLeavesItReadable()
    {
        // Default block size (16 MiB): one pullEvent naming 20,000 250-character names is a 5 MB record.
        final String live = run(KernelConfig.of(dir), init ->
        {
            final String[] names = new String[20_000];
            Arrays.fill(names, "n".repeat(250));
            try
            {
                init.pullEvent(0, names); // may be refused: nothing may be half-written though
            }
            catch (final EmberException refused)
            {
                // "journal write failed: the syscall was not performed" today; fine if nothing is left behind
            }
            init.queueEvent("after", Map.of("n", 1L)); // acknowledged: must be replayable
        });
        assertJournalReplaysTo(live);
    }

    @Test
    void aPayloadTooLargeForASmallBlockLeavesTheJournalReadable()
    {
        final String live = run(KernelConfig.of(dir).withBlockSize(1 << 16), init ->
        {
            try
            {
                init.queueEvent("big", Map.of("s", "x".repeat(70_000)));
            }
            catch (final EmberException refused)
            {
                // Payload too large, or a refused append: either way nothing may be half-written
            }
            init.queueEvent("after", Map.of("n", 1L));
        });
        assertJournalReplaysTo(live);
    }

    @Test
    void namesThatAreNotValidUnicodeReplayAsTheyRan()
    {
        final String live = run(KernelConfig.of(dir).withBlockSize(1 << 20), init ->
        {
            // Either the kernel refuses such names (an argument error) or it keeps them apart on replay too.
            for (final String name : new String[] {"\ud800", "\udc00"})
            {
                try
                {
                    init.register(name);
                }
                catch (final EmberException refused)
                {
                    // fine: refused before the journal
                }
            }
        });
        assertJournalReplaysTo(live);
    }
}
