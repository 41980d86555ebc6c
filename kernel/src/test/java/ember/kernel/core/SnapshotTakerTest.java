package ember.kernel.core;

import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.Syscalls;
import ember.kernel.state.JournalReplay;
import ember.kernel.testing.EmberProcess;
import ember.kernel.testing.TempDirs;
import ember.kernel.testing.Tmpfs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Periodic snapshots taken by the snapshot thread: the image equals the live state at its index;
 * failures are logged with their cause while the kernel serves on; leftovers are removed at open;
 * an unwritable snapshot directory is refused at open with one line.
 */
class SnapshotTakerTest
{
    private final Path dir = TempDirs.create("ember-taker");

    @AfterEach
    void cleanup()
    {
        TempDirs.delete(dir);
    }

    private KernelConfig config(final long every)
    {
        return config(every, false);
    }

    /**
     * @param inFollower snapshots by a follower JVM (serve's default) instead of a thread of this one.
     *     No periodic checkpoints: the test knows the live state after each of its own records, and a
     *     checkpoint record the core adds on its own between two of them would be an index it never saw.
     */
    private KernelConfig config(final long every, final boolean inFollower)
    {
        return KernelConfig.of(dir).withBlockSize(1 << 20).withSnapshots(every, 0, false).withSnapshotInFollower(inFollower)
            .withCheckpoints(new CheckpointPolicy(0, 0, true, null));
    }

    /** One record per call, no timers: the live state between two calls is the state at one index. */
    private static void step(final Syscalls init, final long[] pids, final int i)
    {
        final long pid = pids[i % pids.length];
        switch (i % 4)
        {
            case 0 -> init.queueEvent("e", Map.of("n", (long)i));
            case 1 -> init.sendEvent(pid, "job", Map.of("n", (long)i, "s", "x".repeat(i % 50)));
            case 2 -> init.pullEvent(0);
            default -> init.spawn("c" + i);
        }
    }

    private String log() throws IOException
    {
        return Files.readString(dir.resolve(KernelLog.FILE));
    }

    private static void await(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("gave up waiting: " + what);
            }
            Thread.sleep(10);
        }
    }

    private String logQuietly()
    {
        try
        {
            return log();
        }
        catch (final IOException ex)
        {
            return "";
        }
    }

    @ParameterizedTest(name = "in follower JVM: {0}")
    @ValueSource(booleans = {false, true})
    void aBackgroundSnapshotHasTheDigestOfTheLiveStateAtItsIndex(final boolean inFollower) throws Exception
    {
        final Map<Long, String> live = new HashMap<>();
        final SnapshotStore store = new SnapshotStore(dir);
        try (Kernel kernel = Kernel.open(config(700, inFollower)); EmbeddedClient client = new EmbeddedClient(kernel))
        {
            final Syscalls init = client.as(1);
            final long[] pids = new long[5];
            for (int i = 0; i < pids.length; i++)
            {
                pids[i] = init.spawn("p" + i);
            }
            // Two rounds, each waiting for a snapshot: a follower answers a request with a
            // snapshot at the index it has reached, which may be ahead of the requests to come.
            for (int round = 1; round <= 2; round++)
            {
                for (int i = 0; i < 2_000; i++)
                {
                    step(init, pids, i);
                    final String digest = kernel.digest();
                    live.put(Long.parseLong(digest.substring(0, digest.indexOf(':'))), digest);
                }
                final int snapshots = round;
                await(() -> store.list().size() >= snapshots, snapshots + " periodic snapshot(s)");
            }
        }
        final List<Path> files = store.list();
        assertTrue(files.size() >= 2, files.toString());
        for (final Path file : files)
        {
            final SnapshotStore.Loaded loaded = SnapshotStore.read(file);
            final long index = loaded.state().lastIndex();
            assertEquals(index, SnapshotStore.indexOf(file));
            assertTrue(live.containsKey(index), "snapshot " + file.getFileName() + " was taken between two records");
            assertEquals(live.get(index), index + ":" + loaded.state().digest(), "snapshot = live state at " + index);
            assertEquals(JournalReplay.replay(dir, index).digest(), loaded.state().digest(), "snapshot = replay to " + index);
        }
        assertTrue(log().contains(inFollower ? "written by the follower" : "written off the core thread"), log());
    }

    @ParameterizedTest(name = "in follower JVM: {0}")
    @ValueSource(booleans = {false, true})
    void aFailedSnapshotIsLoggedWithItsCauseAndTheKernelServesOn(final boolean inFollower) throws Exception
    {
        final SnapshotStore store = new SnapshotStore(dir);
        try (Kernel kernel = Kernel.open(config(300, inFollower)); EmbeddedClient client = new EmbeddedClient(kernel))
        {
            // A regular file where the snapshot directory was: every write there fails.
            Files.delete(store.dir());
            Files.writeString(store.dir(), "in the way");
            final Syscalls init = client.as(1);
            for (int i = 0; i < 400; i++)
            {
                init.queueEvent("e", Map.of("n", (long)i));
                init.pullEvent(0);
            }
            await(() -> logQuietly().contains("failed: "), "a logged snapshot failure");
            final String failure = log().lines().filter(l -> l.contains("failed: ")).findFirst().orElseThrow();
            assertTrue(failure.contains("java.nio.file.FileAlreadyExistsException"), failure);
            assertTrue(failure.contains("the kernel keeps serving"), failure);

            Files.delete(store.dir());
            Files.createDirectory(store.dir());
            for (int i = 0; i < 400; i++)
            {
                init.queueEvent("e", Map.of("n", (long)i));
                init.pullEvent(0);
            }
            await(() -> !store.list().isEmpty(), "the next snapshot after the failure");
            assertTrue(client.as(1).spawn("still-serving") > 1, "the kernel served all along");
        }
        try (Stream<Path> left = Files.list(store.dir()))
        {
            assertFalse(left.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }
    }

    @Test
    void leftoverTemporarySnapshotFilesAreRemovedAtOpen() throws Exception
    {
        try (Kernel kernel = Kernel.open(config(0)))
        {
            kernel.digest();
        }
        final Path leftover = dir.resolve(SnapshotStore.DIR).resolve(".snapshot-00000000000000000007.snap.tmp");
        Files.write(leftover, new byte[100_000]);
        try (Kernel kernel = Kernel.open(config(0)))
        {
            kernel.digest();
        }
        assertFalse(Files.exists(leftover));
        assertTrue(log().contains("removed leftover temporary snapshot file " + leftover + " (100000 bytes)"), log());
    }

    @Test
    void serveRefusesAnUnwritableSnapshotDirectoryWithOneLine() throws Exception
    {
        final Path snapshots = dir.resolve(SnapshotStore.DIR);
        Files.createDirectories(snapshots);
        final boolean root = "root".equals(System.getProperty("user.name"));
        boolean mounted = false;
        try
        {
            if (root)
            {
                // Permission bits do not stop root: a read-only file system does.
                mounted = Tmpfs.run("mount", "-t", "tmpfs", "-o", "ro,mode=0700,size=1m", "tmpfs", snapshots.toString());
                Assumptions.assumeTrue(mounted, "cannot mount a read-only tmpfs here");
            }
            else
            {
                Files.setPosixFilePermissions(snapshots, PosixFilePermissions.fromString("r-x------"));
            }
            final Path err = Files.createTempFile("ember-serve", ".err");
            final Process serve = EmberProcess.ember("serve", "--dir", dir.toString(), "--idle", "sleep")
                .redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            final boolean exited = serve.waitFor(120, TimeUnit.SECONDS);
            if (!exited)
            {
                serve.destroyForcibly();
            }
            final String stderr = Files.readString(err);
            Files.delete(err);
            assertTrue(exited, "serve must refuse to start");
            assertEquals(1, serve.exitValue(), stderr);
            final List<String> lines = stderr.lines().toList();
            assertEquals(1, lines.size(), stderr);
            assertTrue(lines.get(0).startsWith("ember serve: cannot open kernel directory " + dir), stderr);
            assertTrue(lines.get(0).contains("snapshot directory " + snapshots + " is not writable"), stderr);
        }
        finally
        {
            if (mounted)
            {
                Tmpfs.run("umount", "-l", snapshots.toString());
            }
            else if (!root)
            {
                Files.setPosixFilePermissions(snapshots, PosixFilePermissions.fromString("rwx------"));
            }
        }
    }
}
