package ember.kernel.core;

import ember.journal.SyscallType;
import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.EmberException;
import ember.kernel.client.ReceivedEvent;
import ember.kernel.client.Syscalls;
import ember.kernel.state.JournalReplay;
import ember.kernel.state.KernelError;
import ember.kernel.state.KernelState;
import ember.kernel.state.SyscallResult;
import ember.kernel.testing.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parked pulls in a real embedded kernel: the per-process cap, and many parked pulls elsewhere. */
class ParkedPullsKernelTest
{
    private final Path dir = TempDirs.create("ember-parked");

    @AfterEach
    void delete()
    {
        TempDirs.delete(dir);
    }

    @Test
    void oneMorePullThanTheCapIsDeniedBeforeTheJournalAndReplayStaysExact() throws Exception
    {
        final String lastDigest;
        try (Kernel kernel = Kernel.open(KernelConfig.of(dir).withBlockSize(1 << 20).withMaxParkedPulls(4));
             EmbeddedClient client = new EmbeddedClient(kernel))
        {
            final Syscalls init = client.as(1);
            final long worker = init.spawn("w");
            final Syscalls work = client.as(worker);
            final ClientSession session = kernel.attach("root");
            final List<Command> parked = new ArrayList<>();
            for (int i = 0; i < 4; i++)
            {
                parked.add(submitPull(kernel, session, worker, 60, "never"));
            }
            assertEquals(worker, work.getpid()); // answered after the four pulls were handled: they are parked
            parked.forEach(command -> assertFalse(command.isDone(), "parked"));

            final String before = kernel.digest();
            final EmberException denied = assertThrows(EmberException.class, () -> work.pullEvent(5, "never"));
            assertEquals(KernelError.PERMISSION_DENIED.message(), denied.getMessage());
            assertEquals(before, kernel.digest(), "the refused pull is not journaled");
            assertThrows(EmberException.class, () -> work.pullEvent(-1), "a pull without timeout is refused too");
            final Command otherProcess = submitPull(kernel, session, init.spawn("other"), 60, "never");
            assertEquals(1, init.getpid());
            assertFalse(otherProcess.isDone(), "another process is not capped by the worker's pulls: it parks");

            // Over the cap, a pull that need not wait is answered as usual.
            assertNull(work.pullEvent(0, "never"), "a pull that does not wait is not capped");
            assertTrue(init.sendEvent(worker, "job", Map.of("n", 1L)));
            final ReceivedEvent event = work.pullEvent(5, "remote_event");
            assertEquals("job", event.params().get("type"), "a pull that takes a queued event is not capped");

            // Serving a parked pull frees its place.
            work.queueEvent("never", Map.of("k", 2L));
            final Command served = parked.remove(0);
            assertTrue(served.await(TimeUnit.SECONDS.toNanos(10)));
            assertNull(served.refusal);
            assertEquals(SyscallResult.Kind.EVENT, served.result.kind);
            parked.add(submitPull(kernel, session, worker, 60, "never"));
            assertEquals(worker, work.getpid());
            assertFalse(parked.get(3).isDone(), "the freed place was taken by a new parked pull");
            assertThrows(EmberException.class, () -> work.pullEvent(5, "never"), "full again");

            init.kill(worker, 9);
            for (final Command command : parked)
            {
                assertTrue(command.await(TimeUnit.SECONDS.toNanos(10)));
                assertEquals(KernelError.NO_SUCH_PROCESS, command.result.error, "parked pulls fail when the process ends");
            }
            lastDigest = kernel.digest();
        }
        final long index = Long.parseLong(lastDigest.substring(0, lastDigest.indexOf(':')));
        final KernelState replayed = JournalReplay.replay(dir, index);
        assertEquals(lastDigest, replayed.lastIndex() + ":" + replayed.digest(), "replay gives the live digest");
    }

    @Test
    void aHundredThousandParkedPullsElsewhereStillLetAPullBeServed() throws Exception
    {
        final int processes = 100;
        final int perProcess = 1_000;
        try (Kernel kernel = Kernel.open(KernelConfig.of(dir).withBlockSize(16 << 20).withSnapshots(0, 0, false));
             EmbeddedClient client = new EmbeddedClient(kernel))
        {
            final Syscalls init = client.as(1);
            final ClientSession session = kernel.attach("root");
            final List<Command> parked = new ArrayList<>(processes * perProcess);
            for (int p = 0; p < processes; p++)
            {
                final long pid = init.spawn("idle" + p);
                for (int i = 0; i < perProcess; i++)
                {
                    parked.add(submitPull(kernel, session, pid, 1e9, "never"));
                }
            }
            final long worker = init.spawn("worker");
            final Syscalls work = client.as(worker);
            final Command waiting = submitPull(kernel, session, worker, 30, "remote_event");
            assertEquals(worker, work.getpid());
            assertFalse(waiting.isDone(), "the worker's pull parked behind 100,000 others");
            assertTrue(init.sendEvent(worker, "job", Map.of("n", 1L)));
            assertTrue(waiting.await(TimeUnit.SECONDS.toNanos(30)));
            assertNull(waiting.refusal);
            assertEquals(SyscallResult.Kind.EVENT, waiting.result.kind, "served by the arrival, not by its timeout");

            work.queueEvent("tick", Map.of());
            assertEquals("tick", work.pullEvent(5).name());
            for (final Command command : parked)
            {
                assertFalse(command.isDone(), "the other pulls stay parked");
            }
            kernel.close();
            int closedRefusals = 0;
            for (final Command command : parked)
            {
                assertTrue(command.isDone());
                closedRefusals += "kernel closed".equals(command.refusal) ? 1 : 0;
            }
            assertEquals(processes * perProcess, closedRefusals, "closing answers every parked pull");
        }
    }

    private static Command submitPull(
        final Kernel kernel, final ClientSession session, final long pid, final double seconds, final String name)
    {
        final Command command = new Command(c -> { });
        command.session = session;
        command.record.reset(SyscallType.PULL_EVENT, pid).names = new String[]{name};
        command.record.number = seconds;
        kernel.submit(command);
        return command;
    }
}
