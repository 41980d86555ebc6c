package ember.kernel.core;

import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.Syscalls;
import ember.kernel.state.JournalReplay;
import ember.kernel.testing.ServiceProcess;
import ember.kernel.testing.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The snapshot follower is a real separate JVM: it writes snapshots equal to a replay of the
 * journal, a follower killed by {@code kill -9} is reported and started again, it never outlives
 * its kernel (clean close, or the kernel killed by {@code kill -9}).
 */
class SnapshotFollowerTest
{
    private static final Pattern STARTED = Pattern.compile("snapshot follower started: pid (\\d+)");

    private final Path dir = TempDirs.create("ember-follower");

    @AfterEach
    void cleanup()
    {
        TempDirs.delete(dir);
    }

    private String log()
    {
        try
        {
            return Files.readString(dir.resolve(KernelLog.FILE));
        }
        catch (final IOException ex)
        {
            return "";
        }
    }

    /** @return the pid of the {@code n}-th follower started (from 1), once the kernel log names it. */
    private long followerPid(final int n) throws InterruptedException
    {
        await(() -> count(STARTED.matcher(log())) >= n, "follower " + n + " started");
        final Matcher started = STARTED.matcher(log());
        for (int i = 0; i < n; i++)
        {
            started.find();
        }
        return Long.parseLong(started.group(1));
    }

    private static int count(final Matcher matcher)
    {
        int n = 0;
        while (matcher.find())
        {
            n++;
        }
        return n;
    }

    private static boolean alive(final long pid)
    {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static String commandLineOrEmpty(final long pid)
    {
        try
        {
            return commandLine(pid);
        }
        catch (final IOException ex)
        {
            return "";
        }
    }

    private static String commandLine(final long pid) throws IOException
    {
        return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
            .replace('\0', ' ');
    }

    private void await(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("gave up waiting: " + what + "; kernel log:\n" + log());
            }
            Thread.sleep(20);
        }
    }

    private static void load(final Syscalls init, final int records)
    {
        for (int i = 0; i < records / 2; i++)
        {
            init.queueEvent("e", Map.of("n", (long)i));
            init.pullEvent(0);
        }
    }

    @Test
    void aKilledFollowerIsReportedAndStartedAgainAndTheKernelServesOn() throws Exception
    {
        final SnapshotStore store = new SnapshotStore(dir);
        final KernelConfig config = KernelConfig.of(dir).withBlockSize(1 << 20).withSnapshots(200, 0, false)
            .withSnapshotInFollower(true);
        try (Kernel kernel = Kernel.open(config); EmbeddedClient client = new EmbeddedClient(kernel))
        {
            final long first = followerPid(1);
            // The pid is logged as the child starts: it runs nice, then execs java (while a process
            // execs, its /proc cmdline reads empty), so wait for the follower's own command line.
            await(() -> commandLineOrEmpty(first).contains(SnapshotFollower.class.getName()),
                "the follower's command line");
            assertTrue(commandLine(first).contains(SnapshotFollower.class.getName()), commandLine(first));
            assertTrue(commandLine(first).contains("-Dchronicle.analytics.disable=true"), commandLine(first));
            final Syscalls init = client.as(1);
            load(init, 300);
            await(() -> !store.list().isEmpty(), "a snapshot by the follower");

            new ProcessBuilder("kill", "-9", Long.toString(first)).start().waitFor();
            await(() -> !alive(first), "the follower killed");
            load(init, 300);
            await(() -> log().contains("snapshot follower exited with code 137"), "the dead follower reported");
            final long second = followerPid(2);
            assertTrue(second != first);
            final long before = SnapshotStore.indexOf(store.list().get(0));
            load(init, 300);
            await(() -> SnapshotStore.indexOf(store.list().get(0)) > before, "a snapshot by the restarted follower");
            assertTrue(init.spawn("still-serving") > 1, "the kernel served all along");
            kernel.close();
            assertFalse(alive(second), "a clean close stops the follower");
        }
        for (final Path file : store.list())
        {
            final SnapshotStore.Loaded loaded = SnapshotStore.read(file);
            assertEquals(JournalReplay.replay(dir, loaded.state().lastIndex()).digest(), loaded.state().digest(),
                "snapshot " + file.getFileName() + " = replay of the journal to its index");
        }
    }

    @Test
    void theFollowerDoesNotOutliveAKernelKilledByKill9() throws Exception
    {
        try (ServiceProcess service = ServiceProcess.start(dir))
        {
            final long follower = followerPid(1);
            assertTrue(alive(follower));
            assertEquals(service.process().pid(), ProcessHandle.of(follower).flatMap(ProcessHandle::parent)
                .map(ProcessHandle::pid).orElse(-1L), "the follower is the service's child");
            service.kill9();
            await(() -> !alive(follower), "the follower gone with its kernel");
        }
    }
}
