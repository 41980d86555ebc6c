package ember.kernel.core;

import ember.kernel.client.EmbeddedClient;
import ember.kernel.state.JournalReplay;
import ember.kernel.state.KernelLimits;
import ember.kernel.state.KernelState;
import ember.kernel.state.SnapshotCodec;
import ember.kernel.testing.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Snapshots: exact images, recovery = newest valid snapshot + tail, damaged snapshots skipped. */
class SnapshotRecoveryTest
{
    private final Path dir = TempDirs.create("ember-snap");

    @AfterEach
    void cleanup()
    {
        TempDirs.delete(dir);
    }

    private KernelConfig config()
    {
        return KernelConfig.of(dir).withBlockSize(1 << 20).withLimits(new KernelLimits(64, 4096))
            .withSnapshots(2_000, 0, true);
    }

    private String runLoad(final KernelConfig config, final long seed, final int operations)
    {
        try (Kernel kernel = Kernel.open(config); EmbeddedClient client = new EmbeddedClient(kernel))
        {
            final ReplayEquivalenceTest.RandomLoad load = new ReplayEquivalenceTest.RandomLoad(new Random(seed), client);
            for (int i = 0; i < operations; i++)
            {
                load.step();
            }
            return kernel.digest();
        }
    }

    private static String digestAfterOpen(final KernelConfig config)
    {
        try (Kernel kernel = Kernel.open(config))
        {
            return kernel.digest();
        }
    }

    private String replayDigest(final String live)
    {
        final long index = Long.parseLong(live.substring(0, live.indexOf(':')));
        final KernelState replayed = JournalReplay.replay(dir, index);
        return replayed.lastIndex() + ":" + replayed.digest();
    }

    @Test
    void snapshotImageRebuildsTheExactStateAndRefusesAnyDamage() throws Exception
    {
        runLoad(config(), 3, 3_000);
        final KernelState state = JournalReplay.replay(dir, Long.MAX_VALUE);
        final byte[] image = SnapshotCodec.encode(state);
        assertEquals(state.digest(), SnapshotCodec.decode(image).digest());
        final Random random = new Random(5);
        for (int i = 0; i < 200; i++)
        {
            final byte[] damaged = image.clone();
            damaged[random.nextInt(damaged.length)] ^= (byte)(1 + random.nextInt(255));
            assertThrows(SnapshotCodec.DamagedSnapshotException.class, () -> SnapshotCodec.decode(damaged), "case " + i);
        }
        assertThrows(SnapshotCodec.DamagedSnapshotException.class,
            () -> SnapshotCodec.decode(java.util.Arrays.copyOf(image, image.length / 2)));
    }

    @Test
    void recoveryStartsFromTheNewestSnapshotAndReplaysTheTail() throws Exception
    {
        final String live = runLoad(config(), 7, 6_000);
        final List<Path> files = new SnapshotStore(dir).list();
        assertFalse(files.isEmpty(), "periodic and closing snapshots were written");
        assertTrue(files.size() <= SnapshotStore.KEEP);

        final String reopened = digestAfterOpen(config().withSnapshots(0, 0, false));
        assertEquals(replayDigest(reopened), reopened);
        final String log = Files.readString(dir.resolve(KernelLog.FILE));
        assertTrue(log.contains("recovered from snapshot"), log);
        assertTrue(Long.parseLong(reopened.substring(0, reopened.indexOf(':'))) > Long.parseLong(live.substring(0, live.indexOf(':'))));
    }

    @Test
    void aDamagedSnapshotIsReportedSkippedAndNeverTrusted() throws Exception
    {
        runLoad(config(), 9, 5_000);
        final List<Path> files = new SnapshotStore(dir).list();
        final Path newest = files.get(0);
        final byte[] bytes = Files.readAllBytes(newest);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(newest, bytes);

        final String reopened = digestAfterOpen(config().withSnapshots(0, 0, false));
        assertEquals(replayDigest(reopened), reopened);
        final String log = Files.readString(dir.resolve(KernelLog.FILE));
        assertTrue(log.contains("damaged snapshot " + newest), log);
    }

    @ParameterizedTest
    @EnumSource(SyncMode.class)
    void everySyncModeKeepsReplayExact(final SyncMode mode)
    {
        final String live = runLoad(config().withSync(mode), 13, 1_500);
        assertEquals(replayDigest(live), live);
    }
}
