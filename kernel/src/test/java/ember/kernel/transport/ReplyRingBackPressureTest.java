package ember.kernel.transport;

import ember.journal.JournalReader;
import ember.journal.SyscallRecord;
import ember.journal.SyscallType;
import ember.kernel.client.IpcClient;
import ember.kernel.core.Kernel;
import ember.kernel.core.KernelConfig;
import ember.kernel.testing.RawChannel;
import ember.kernel.testing.TempDirs;
import org.agrona.concurrent.EpochNanoClock;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that does not read its replies is back-pressured, not buffered: once its reply ring
 * lacks room for a reply, its requests stay in its request ring ({@code Action.ABORT}), are served
 * in order as soon as it reads, and a client that stays stalled past
 * {@link IpcServer#REPLY_STALL_TIMEOUT_MS} of the kernel's clock is detached.
 */
class ReplyRingBackPressureTest
{
    /** The kernel's clock, moved only by the test: the stall timeout is on it, not on the wall clock. */
    private static final class ManualClock implements EpochNanoClock
    {
        volatile long nowNs = System.currentTimeMillis() * 1_000_000L;

        @Override
        public long nanoTime()
        {
            return nowNs;
        }
    }

    @Test
    void requestsWaitInTheirRingWhileTheReplyRingIsFullThenAreServedInOrder() throws Exception
    {
        final Path dir = TempDirs.create("ember-backpressure");
        final ManualClock clock = new ManualClock();
        try (Kernel kernel = Kernel.open(KernelConfig.of(dir).withBlockSize(1 << 20).withClock(clock),
            k -> new IpcServer(k, dir)); RawChannel raw = new RawChannel(dir))
        {
            long sent = fillUntilStalled(raw, 0);
            assertTrue(raw.requests.size() > 0, "requests wait in the client's own ring");
            assertTrue(Files.exists(raw.file), "a slow reader is not detached while the kernel clock stands");
            assertTrue(getpidsJournaledFrom(dir, raw.clientId) < sent, "the waiting requests are not journaled yet");

            // Reading frees the ring: every request is served, in the order sent, none refused.
            final long deadline = System.currentTimeMillis() + 60_000;
            while (raw.results.size() < sent && System.currentTimeMillis() < deadline)
            {
                if (raw.poll() == 0)
                {
                    Thread.onSpinWait();
                }
            }
            assertEquals(sent, raw.results.size(), "every request answered once read");
            for (int i = 0; i < sent; i++)
            {
                assertEquals(i + 1, raw.results.get(i), "answered in order");
            }
            assertTrue(raw.refusals.isEmpty(), raw.refusals.toString());
            assertEquals(sent, getpidsJournaledFrom(dir, raw.clientId));

            // Stalled again, and the kernel clock passes the stall timeout: the channel is dropped.
            sent = fillUntilStalled(raw, sent);
            clock.nowNs += (IpcServer.REPLY_STALL_TIMEOUT_MS + 1_000) * 1_000_000L;
            final long gone = System.currentTimeMillis() + 30_000;
            while (Files.exists(raw.file) && System.currentTimeMillis() < gone)
            {
                Thread.sleep(5);
            }
            assertTrue(!Files.exists(raw.file), "detached once stalled past the timeout (" + sent + " sent)");
            try (IpcClient good = IpcClient.connect(dir, 5_000))
            {
                assertEquals(1, good.as(1).getpid(), "other clients are served");
            }
        }
        finally
        {
            TempDirs.delete(dir);
        }
    }

    /** Write getpids (correlations from {@code sent} + 1) until the service stops taking them. @return all sent. */
    private static long fillUntilStalled(final RawChannel raw, final long alreadySent)
    {
        final SyscallRecord getpid = new SyscallRecord().reset(SyscallType.GETPID, 1);
        long sent = alreadySent;
        final long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline)
        {
            getpid.index = sent + 1;
            if (raw.write(getpid))
            {
                sent++;
            }
            else if (raw.replies.capacity() - raw.replies.size() < ReplyProxy.REPLY_RESERVE)
            {
                return sent; // request ring full, reply ring full: the service waits for the client
            }
            else
            {
                Thread.onSpinWait(); // the service is still draining
            }
        }
        throw new AssertionError("the service neither filled the reply ring nor drained the requests");
    }

    private static long getpidsJournaledFrom(final Path dir, final int client)
    {
        long count = 0;
        try (JournalReader reader = new JournalReader(dir, true))
        {
            final SyscallRecord record = new SyscallRecord();
            while (reader.next(record))
            {
                if (record.client == client && record.type == SyscallType.GETPID)
                {
                    count++;
                }
            }
        }
        return count;
    }
}
