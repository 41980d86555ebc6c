package ember.kernel.core;

import ember.journal.Checkpoint;
import ember.journal.JournalReader;
import ember.journal.SyscallRecord;
import ember.journal.SyscallType;
import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.Syscalls;
import ember.kernel.testing.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checkpoints are signed on the {@link CheckpointSigner}'s thread, never the core's (but the one
 * at a clean close); a signature late by {@link Checkpoint#MAX_LAG} records makes the core wait
 * for it, so no checkpoint lands further from what it covers; the signer thread ends with the
 * kernel, also when a driven kernel crashes; a driven kernel journals each checkpoint right after
 * what it covers, as the simulator's determinism needs. Real kernels and journals.
 */
class CheckpointSignerTest
{
    private final Path dir = TempDirs.create("ember-signer");

    @AfterEach
    void cleanUp()
    {
        CheckpointKeyFile.signHook = null;
        Checkpointer.lagWaitHook = null;
        TempDirs.delete(dir);
    }

    @Test
    void checkpointsAreSignedOnTheSignerThreadAndOnlyTheClosingOneOnTheCore()
    {
        final Map<String, AtomicInteger> byThread = new ConcurrentHashMap<>();
        CheckpointKeyFile.signHook = t -> byThread.computeIfAbsent(t.getName(), n -> new AtomicInteger()).incrementAndGet();
        final String opener = Thread.currentThread().getName();
        try (Kernel kernel = Kernel.open(config(10)); EmbeddedClient client = new EmbeddedClient(kernel))
        {
            final Syscalls init = client.as(1);
            // One signature is outstanding at a time, so how many land depends on how fast the
            // signer runs: go on until several have (bounded), not for a fixed count.
            for (int i = 0; i < 1_000_000 && count(byThread, CheckpointSigner.THREAD_NAME) < 3; i++)
            {
                init.getpid();
            }
        }
        CheckpointKeyFile.signHook = null;
        final List<long[]> checkpoints = checkpoints(); // {index, covered}
        assertTrue(checkpoints.size() >= 3, "periodic checkpoints written: " + checkpoints.size());
        // The core signs only at close, and only when the last periodic one does not already sign the head.
        final int core = count(byThread, "ember-core");
        assertTrue(core <= 1, "the core signed at most the closing checkpoint: " + byThread);
        assertEquals(checkpoints.size() - core, count(byThread, CheckpointSigner.THREAD_NAME),
            "every other checkpoint signed by the signer thread: " + byThread);
        assertEquals(1, count(byThread, opener), "the key's self-check at open: " + byThread);
        assertEquals(core == 0 ? 2 : 3, byThread.size(), "no other thread signed: " + byThread);
        final long[] last = checkpoints.get(checkpoints.size() - 1);
        assertEquals(last[0] - 1, last[1], "the closing checkpoint covers the record before it: the head is signed");
        assertFalse(signerThreadAlive(), "the signer thread ended with the kernel");
    }

    @Test
    void theClosingCheckpointIsSignedOnTheClosingThreadAndCoversTheLastRecord()
    {
        final Map<String, AtomicInteger> byThread = new ConcurrentHashMap<>();
        try (Kernel kernel = Kernel.open(config(1_000)); EmbeddedClient client = new EmbeddedClient(kernel))
        {
            CheckpointKeyFile.signHook = t -> byThread.computeIfAbsent(t.getName(), n -> new AtomicInteger()).incrementAndGet();
            for (int i = 0; i < 20; i++)
            {
                client.as(1).getpid();
            }
        }
        CheckpointKeyFile.signHook = null;
        final List<long[]> checkpoints = checkpoints();
        assertEquals(1, checkpoints.size(), "fewer records than the policy's count: the closing checkpoint only");
        assertEquals(Map.of("ember-core", 1), Map.of("ember-core", count(byThread, "ember-core")));
        assertEquals(1, byThread.size(), "signed by the core thread, which closes the kernel: " + byThread);
        assertEquals(checkpoints.get(0)[0] - 1, checkpoints.get(0)[1], "it covers the record before it");
    }

    @Test
    void aSignatureLateByMaxLagRecordsMakesTheCoreWaitForIt() throws Exception
    {
        final CountDownLatch coreWaits = new CountDownLatch(1);
        final AtomicInteger signerSignatures = new AtomicInteger();
        // The first signature on the signer thread is held back until the core says it waits for it.
        CheckpointKeyFile.signHook = t ->
        {
            if (t.getName().equals(CheckpointSigner.THREAD_NAME) && signerSignatures.getAndIncrement() == 0)
            {
                awaitUninterruptibly(coreWaits);
            }
        };
        Checkpointer.lagWaitHook = coreWaits::countDown;
        try (Kernel kernel = Kernel.open(config(5)); EmbeddedClient client = new EmbeddedClient(kernel))
        {
            final Syscalls init = client.as(1);
            for (int i = 0; i < Checkpoint.MAX_LAG + 500; i++)
            {
                init.getpid();
            }
        }
        assertEquals(0, coreWaits.getCount(), "the core reached the lag bound");
        final List<long[]> checkpoints = checkpoints();
        final long[] first = checkpoints.get(0);
        assertEquals(Checkpoint.MAX_LAG, first[0] - first[1],
            "journaled exactly at the bound, no record further: checkpoint " + first[0] + " covers " + first[1]);
        for (final long[] c : checkpoints)
        {
            assertTrue(c[0] > c[1] && c[0] - c[1] <= Checkpoint.MAX_LAG, "checkpoint " + c[0] + " covers " + c[1]);
        }
    }

    @Test
    void aDrivenKernelJournalsEachCheckpointRightAfterWhatItCoversAndItsCrashStopsTheSigner()
    {
        final Kernel kernel = Kernel.openDriven(config(3));
        assertTrue(signerThreadAlive(), "periodic checkpoints: the signer thread runs");
        final Command attach = new Command(x -> { });
        attach.record.reset(SyscallType.CLIENT_ATTACH, 0).text = "root";
        kernel.submit(attach);
        kernel.dutyCycle();
        assertTrue(attach.isDone(), "attached");
        for (int i = 0; i < 20; i++)
        {
            final Command getpid = new Command(x -> { });
            getpid.record.reset(SyscallType.GETPID, 1).client = (int)attach.result.number;
            getpid.session = attach.session;
            kernel.submit(getpid);
            kernel.dutyCycle();
            assertTrue(getpid.isDone(), "answered in its duty cycle");
        }
        kernel.crash();
        assertFalse(signerThreadAlive(), "the crash stopped the signer thread");
        final List<long[]> checkpoints = checkpoints();
        assertTrue(checkpoints.size() >= 5, "periodic checkpoints: " + checkpoints.size());
        for (final long[] c : checkpoints)
        {
            assertEquals(c[0] - 1, c[1], "checkpoint " + c[0] + " covers the record before it");
        }
    }

    @Test
    void anIdleKernelWhoseHeadIsSignedAppendsNoMoreCheckpoints()
    {
        final long[] nowNs = {1_800_000_000_000_000_000L};
        final KernelConfig config = KernelConfig.of(dir).withBlockSize(1 << 20).withSnapshots(0, 0, false)
            .withClock(() -> nowNs[0]).withCheckpoints(new CheckpointPolicy(0, 1_000, true, null)); // every second
        final Kernel kernel = Kernel.openDriven(config);
        final Command attach = new Command(x -> { });
        attach.record.reset(SyscallType.CLIENT_ATTACH, 0).text = "root";
        kernel.submit(attach);
        kernel.dutyCycle();
        assertTrue(attach.isDone(), "attached");
        for (int second = 1; second <= 30; second++)
        {
            nowNs[0] += 1_000_000_000L;
            kernel.dutyCycle();
        }
        kernel.crash();
        final List<long[]> checkpoints = checkpoints();
        assertEquals(1, checkpoints.size(), "one checkpoint signs the attach, then nothing in 30 idle seconds: " +
            checkpoints.stream().map(c -> c[0] + "->" + c[1]).toList());
        assertEquals(checkpoints.get(0)[0] - 1, checkpoints.get(0)[1], "it signs the head");
    }

    private KernelConfig config(final long every)
    {
        return KernelConfig.of(dir).withBlockSize(1 << 20).withSnapshots(0, 0, false)
            .withCheckpoints(new CheckpointPolicy(every, 0, true, null));
    }

    /** @return each checkpoint of the journal as {index, covered}, read with the chain checked. */
    private List<long[]> checkpoints()
    {
        final List<long[]> found = new ArrayList<>();
        try (JournalReader reader = new JournalReader(dir, true))
        {
            final SyscallRecord record = new SyscallRecord();
            while (reader.next(record))
            {
                if (record.type == SyscallType.CHECKPOINT)
                {
                    assertEquals(record.index, reader.lastCheckpoint(), "checkpoint " + record.index + " passed its checks");
                    found.add(new long[] {record.index, record.arg0});
                }
            }
        }
        return found;
    }

    private static int count(final Map<String, AtomicInteger> byThread, final String name)
    {
        final AtomicInteger n = byThread.get(name);
        return n == null ? 0 : n.get();
    }

    private static boolean signerThreadAlive()
    {
        return Thread.getAllStackTraces().keySet().stream()
            .anyMatch(t -> t.isAlive() && t.getName().equals(CheckpointSigner.THREAD_NAME));
    }

    private static void awaitUninterruptibly(final CountDownLatch latch)
    {
        while (true)
        {
            try
            {
                latch.await();
                return;
            }
            catch (final InterruptedException ex)
            {
                // keep waiting: the test's order depends on it
            }
        }
    }
}
