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
     * Bound on the core, checkpoints aside: it allocates nothing per getpid itself, nor per duty
     * cycle (the disk check is a statvfs on a cached {@code File}; the counters are ordered stores).
     * What may remain is rare amortized noise (Chronicle re-creating a weakly held index holder
     * after a GC). Periodic checkpoints are off here: the JDK's Ed25519 signature allocates some
     * 20 KB per checkpoint, about 20 bytes per getpid at the default of one per 1,000 records,
     * which {@code bench --only alloc} (default policy) includes.
     */
    private static final double CORE_BYTES_PER_GETPID = 1;
    /** Bound on the client's calling thread, which allocates nothing per getpid (measured 0). */
    private static final double CLIENT_BYTES_PER_GETPID = 1;

    @Test
    void aGetpidAllocatesNothingOnTheCoreThread() throws Exception
    {
        final long[] bytes = measure();
        final double core = (double)bytes[0] / CALLS;
        assertTrue(core <= CORE_BYTES_PER_GETPID, "core thread allocated " + core + " bytes per getpid");
    }

    @Test
    void aGetpidAllocatesNothingOnTheClientThread() throws Exception
    {
        final long[] bytes = measure();
        final double client = (double)bytes[1] / CALLS;
        assertTrue(client <= CLIENT_BYTES_PER_GETPID, "client thread allocated " + client + " bytes per getpid");
    }

    /** @return {core bytes, client bytes} over {@link #CALLS} getpids of one client JVM after its warm-up. */
    private static long[] measure() throws Exception
    {
        final Path dir = Files.createTempDirectory("ember-alloc");
        final KernelConfig config = KernelConfig.of(dir).withBlockSize(64L << 20)
            .withCheckpoints(new CheckpointPolicy(0, 0, true, null)); // signed at close only: see CORE_BYTES_PER_GETPID
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
