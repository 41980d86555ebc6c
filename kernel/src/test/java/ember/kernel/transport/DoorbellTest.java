package ember.kernel.transport;

import ember.journal.SyscallRecord;
import ember.journal.SyscallType;
import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.IpcClient;
import ember.kernel.client.Pipeline;
import ember.kernel.client.PipelinedCall;
import ember.kernel.core.DoorbellIdleStrategy;
import ember.kernel.core.ErrorsLayout;
import ember.kernel.core.Kernel;
import ember.kernel.core.KernelConfig;
import ember.kernel.core.KernelErrorsReader;
import ember.kernel.testing.JavaProcess;
import ember.kernel.testing.PacedCalls;
import ember.kernel.testing.RawChannel;
import ember.kernel.testing.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A service whose core parks for up to an hour when idle ({@link DoorbellIdleStrategy}): every
 * call below comes after a pause long enough for the core to park, so it is answered only
 * because the doorbell woke the core — over the socket for a client of the kernel's own account
 * in another JVM, through the acceptor for a socket client, through {@code Kernel.submit} for an
 * embedded one. Without the bell each call would wait out the park (and fail after 30 s).
 */
class DoorbellTest
{
    private static final int CALLS = 30;
    private static final long PAUSE_MS = 20;

    private Path dir;
    private Kernel kernel;

    @BeforeEach
    void open()
    {
        dir = TempDirs.create("ember-doorbell");
        kernel = Kernel.open(KernelConfig.of(dir).withBlockSize(1 << 20)
            .withIdle(() -> new DoorbellIdleStrategy(TimeUnit.HOURS.toNanos(1), TimeUnit.HOURS.toNanos(1))), k -> new IpcServer(k, dir));
        assertTrue(kernel.doorbell().used(), "the core's idle strategy arms the bell");
    }

    @AfterEach
    void close()
    {
        kernel.close(); // a parked core: stayAwake ends its park, no interrupt
        try (KernelErrorsReader errors = KernelErrorsReader.open(ErrorsLayout.file(dir)))
        {
            assertTrue(errors == null || errors.distinctErrors() == 0, "no unexpected error, also at close");
        }
        TempDirs.delete(dir);
    }

    @Test
    void aClientOfTheKernelsAccountInAnotherJvmRingsTheParkedCore() throws Exception
    {
        assertEquals("OK " + CALLS, run(PacedCalls.class, dir.toString(), Integer.toString(CALLS), Long.toString(PAUSE_MS)));
    }

    @Test
    void aSocketClientInAnotherJvmIsRungForByTheAcceptor() throws Exception
    {
        assertEquals("OK " + CALLS,
            run(PacedCalls.class, dir.toString(), Integer.toString(CALLS), Long.toString(PAUSE_MS), "socket"));
    }

    @Test
    void anEmbeddedClientRingsThroughSubmit() throws Exception
    {
        try (EmbeddedClient client = new EmbeddedClient(kernel))
        {
            for (int i = 0; i < CALLS; i++)
            {
                Thread.sleep(PAUSE_MS);
                assertEquals(1, client.as(1).getpid());
            }
        }
    }

    @Test
    void aPipelineSentAfterAPauseIsAnsweredWhole() throws Exception
    {
        try (IpcClient client = IpcClient.connect(dir, 30_000))
        {
            for (int round = 0; round < 10; round++)
            {
                Thread.sleep(PAUSE_MS);
                final Pipeline pipeline = client.pipeline(1);
                final List<PipelinedCall<Long>> calls = new ArrayList<>();
                for (int i = 0; i < 100; i++)
                {
                    calls.add(pipeline.getpid());
                }
                pipeline.flush();
                for (final PipelinedCall<Long> call : calls)
                {
                    assertEquals(1L, call.get());
                }
                pipeline.close();
            }
        }
    }

    @Test
    void anyOtherByteOnTheSocketDetachesTheClientAlsoWhileTheCoreIsParked() throws Exception
    {
        try (RawChannel liar = new RawChannel(dir))
        {
            Thread.sleep(PAUSE_MS); // the core parks
            liar.socket.write(ByteBuffer.wrap(new byte[] {IpcLayout.DOORBELL, 2}));
            assertEquals("unexpected bytes on a shared-memory client's socket", liar.awaitDetached(60_000),
                "a byte that is not the doorbell breaks the protocol; the acceptor wakes the core to detach it");
        }
    }

    @Test
    void aFloodOfDoorbellBytesIsDroppedAndTheFlooderIsStillServed() throws Exception
    {
        try (RawChannel flooder = new RawChannel(dir); EmbeddedClient other = new EmbeddedClient(kernel))
        {
            final ByteBuffer bells = ByteBuffer.allocate(4096);
            Arrays.fill(bells.array(), IpcLayout.DOORBELL);
            for (int i = 0; i < 256; i++) // 1 MiB of doorbell bytes, read and dropped by the acceptor
            {
                bells.clear();
                while (bells.hasRemaining())
                {
                    flooder.socket.write(bells);
                }
            }
            assertEquals(1, other.as(1).getpid(), "the kernel serves on");
            Thread.sleep(PAUSE_MS);
            final SyscallRecord getpid = new SyscallRecord().reset(SyscallType.GETPID, 1);
            getpid.index = 7; // the correlation id
            assertTrue(flooder.write(getpid));
            flooder.socket.write(ByteBuffer.wrap(new byte[] {IpcLayout.DOORBELL}));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (flooder.results.isEmpty() && System.nanoTime() < deadline)
            {
                flooder.poll();
                Thread.onSpinWait();
            }
            assertEquals(List.of(7L), flooder.results, "the flooder itself is still served");
            assertNull(flooder.detached, "doorbell bytes, however many, are no protocol error");
        }
    }

    private static String run(final Class<?> main, final String... args) throws Exception
    {
        final Process process = JavaProcess.start(main, args);
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            final String line = out.readLine();
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), "client JVM ended");
            return line;
        }
        finally
        {
            process.destroyForcibly();
        }
    }
}
