package ember.kernel.transport;

import ember.journal.JournalReader;
import ember.journal.SyscallRecord;
import ember.journal.SyscallType;
import ember.kernel.client.IpcClient;
import ember.kernel.core.Command;
import ember.kernel.core.Kernel;
import ember.kernel.core.KernelConfig;
import ember.kernel.testing.TempDirs;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.CompositeAgent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The core's thread is the only one that drains its inbox, so nothing on that thread may wait for
 * room in it: the IPC server attaches, serves and detaches clients with the inbox full, and a
 * {@code submit} on the core thread into a full inbox fails instead of spinning forever.
 */
class CoreThreadInboxTest
{
    /** On the core thread, before the IPC server's turn: fills the inbox to the last slot, every duty cycle. */
    private static final class InboxFiller implements Agent
    {
        private final Kernel kernel;
        volatile long submitted;

        InboxFiller(final Kernel kernel)
        {
            this.kernel = kernel;
        }

        @Override
        public int doWork()
        {
            while (kernel.hasRoom(1))
            {
                final Command filler = new Command(c -> { });
                filler.record.reset(SyscallType.GETPID, 1); // no session: refused, never journaled
                kernel.submit(filler);
                submitted++;
            }
            return 0;
        }

        @Override
        public String roleName()
        {
            return "inbox-filler";
        }
    }

    /** On the core thread, once: submits until the inbox is full; what submit then throws is kept. */
    private static final class SelfSubmitter implements Agent
    {
        private final Kernel kernel;
        private final AtomicReference<Throwable> thrown;
        private boolean tried;

        SelfSubmitter(final Kernel kernel, final AtomicReference<Throwable> thrown)
        {
            this.kernel = kernel;
            this.thrown = thrown;
        }

        @Override
        public int doWork()
        {
            if (!tried)
            {
                tried = true;
                try
                {
                    while (true)
                    {
                        final Command command = new Command(c -> { });
                        command.record.reset(SyscallType.GETPID, 1);
                        kernel.submit(command); // the core drains nothing meanwhile: its thread is here
                    }
                }
                catch (final Throwable ex)
                {
                    thrown.set(ex);
                }
            }
            return 0;
        }

        @Override
        public String roleName()
        {
            return "self-submitter";
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void clientsAreAttachedServedAndDetachedWhileTheCoreInboxIsFull() throws Exception
    {
        final Path dir = TempDirs.create("ember-fullinbox");
        final InboxFiller[] filler = new InboxFiller[1];
        try (Kernel kernel = Kernel.open(KernelConfig.of(dir).withBlockSize(1 << 20),
            k -> new CompositeAgent(filler[0] = new InboxFiller(k), new IpcServer(k, dir))))
        {
            for (int round = 0; round < 3; round++)
            {
                final int clientId;
                try (IpcClient client = IpcClient.connect(dir, 30_000))
                {
                    clientId = client.clientId();
                    assertEquals(1, client.as(1).getpid());
                    assertEquals("root", client.as(1).getuser());
                }
                final long deadline = System.currentTimeMillis() + 30_000;
                while (!detachJournaled(dir, clientId) && System.currentTimeMillis() < deadline)
                {
                    Thread.sleep(5);
                }
                assertTrue(detachJournaled(dir, clientId), "client " + clientId + " detached with a full inbox");
            }
            assertTrue(filler[0].submitted > 65_536, "the inbox was refilled after the core drained it");
        }
        finally
        {
            TempDirs.delete(dir);
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void submitOnTheCoreThreadIntoAFullInboxFailsInsteadOfWaitingForever() throws Exception
    {
        final Path dir = TempDirs.create("ember-coresubmit");
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        try (Kernel kernel = Kernel.open(KernelConfig.of(dir).withBlockSize(1 << 20), k -> new SelfSubmitter(k, thrown)))
        {
            while (thrown.get() == null)
            {
                Thread.sleep(5);
            }
            assertInstanceOf(IllegalStateException.class, thrown.get());
            assertTrue(thrown.get().getMessage().contains("full inbox"), thrown.get().getMessage());
            try (ember.kernel.client.EmbeddedClient client = new ember.kernel.client.EmbeddedClient(kernel))
            {
                assertEquals(1, client.as(1).getpid(), "the core goes on serving");
            }
        }
        finally
        {
            TempDirs.delete(dir);
        }
    }

    private static boolean detachJournaled(final Path dir, final int client)
    {
        try (JournalReader reader = new JournalReader(dir, true))
        {
            final SyscallRecord record = new SyscallRecord();
            while (reader.next(record))
            {
                if (record.type == SyscallType.CLIENT_DETACH && record.arg0 == client)
                {
                    return true;
                }
            }
        }
        return false;
    }
}
