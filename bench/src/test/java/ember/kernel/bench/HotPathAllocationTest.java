package ember.kernel.bench;

import ember.kernel.core.CheckpointPolicy;
import ember.kernel.core.Kernel;
import ember.kernel.core.KernelConfig;
import ember.kernel.transport.IpcServer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service's hot path does not allocate: bytes allocated per getpid in steady state, through
 * the real path (a client JVM, its request ring, the core's journal append and apply, the reply
 * ring), counted by {@code ThreadMXBean.getThreadAllocatedBytes} on the core thread and on the
 * client's calling thread. Byte counts, not timings. Before the claim/commit hot path a getpid
 * allocated about 190 bytes on the core and 300 on the client.
 */
final class HotPathAllocationTest
{
    private static final long CALLS = 300_000;
    /**
     * Bound on the core: it allocates nothing per getpid itself, nor per duty cycle (the disk
     * check is a statvfs on a cached {@code File}; the counters are ordered stores), nor per
     * checkpoint: the JDK's Ed25519 signature (some 20 KB of garbage) is made on the
     * {@code CheckpointSigner}'s thread, the core only copies 32 hash bytes into a pre-allocated
     * request and the signature into a pre-allocated record. What may remain is rare amortized
     * noise (Chronicle re-creating a weakly held index holder after a GC). Measured with a
     * checkpoint every 1,000 records (300 of them), a hundred times the default cadence.
     */
    private static final double CORE_BYTES_PER_GETPID = 1;
    /** Bound on the client's calling thread, which allocates nothing per getpid (measured 0). */
    private static final double CLIENT_BYTES_PER_GETPID = 1;

    @Test
    void aGetpidAllocatesNothingOnTheCoreThread() throws Exception
    {
        final long[] bytes = measure(new CheckpointPolicy(1_000, 0, true, null));
        final double core = (double)bytes[0] / CALLS;
        assertTrue(core <= CORE_BYTES_PER_GETPID, "core thread allocated " + core + " bytes per getpid");
    }

    @Test
    void aGetpidAllocatesNothingOnTheClientThread() throws Exception
    {
        final long[] bytes = measure(new CheckpointPolicy(0, 0, true, null));
        final double client = (double)bytes[1] / CALLS;
        assertTrue(client <= CLIENT_BYTES_PER_GETPID, "client thread allocated " + client + " bytes per getpid");
    }

    /** @return {core bytes, client bytes} over {@link #CALLS} getpids of one client JVM after its warm-up. */
    private static long[] measure(final CheckpointPolicy checkpoints) throws Exception
    {
        final Path dir = Files.createTempDirectory("ember-alloc");
        final KernelConfig config = KernelConfig.of(dir).withBlockSize(64L << 20)
            .withCheckpoints(checkpoints);
        try (Kernel kernel = Kernel.open(config, k -> new IpcServer(k, dir)))
        {
            kernel.digest(); // answered once the IPC server runs
            assertTrue(kernel.coreThreadId() > 0, "the core thread is known");
            return ServiceBench.allocation(kernel, dir, "getpid", CALLS);
        }
        finally
        {
            EmbeddedBench.delete(dir);
        }
    }
}
