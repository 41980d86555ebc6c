package ember.kernel.core;

import ember.journal.JournalReader;
import ember.journal.SyscallRecord;
import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.EmberClient;
import ember.kernel.client.EmberException;
import ember.kernel.client.IpcClient;
import ember.kernel.client.Syscalls;
import ember.kernel.state.ProcessInfo;
import ember.kernel.state.SyscallResult;
import ember.kernel.testing.ServiceProcess;
import ember.kernel.testing.TempDirs;
import ember.kernel.transport.IpcLayout;
import ember.kernel.transport.ReplyCodec;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The unjournaled process queries ({@link EmberClient#processInfo}, {@link EmberClient#processTable}):
 * they reveal what {@code getpinfo}/{@code getplist} reveal to the same client acting as the same
 * process, fail as those would, and leave no record but for a refusal to act for another user's
 * process (journaled as the syscall the query stands for) — embedded, and over IPC against a real
 * {@code bin/ember serve} with a table larger than one ring message.
 */
final class ProcessQueryTest
{
    private Path dir;

    @BeforeEach
    void create()
    {
        dir = TempDirs.create("ember-query");
    }

    @AfterEach
    void delete()
    {
        TempDirs.delete(dir);
    }

    @Test
    void aQueryIsEntitledAsTheSyscallsItReplacesAndJournalsOnlyADenial()
    {
        try (Kernel kernel = Kernel.open(KernelConfig.of(dir).withBlockSize(1 << 20));
            EmbeddedClient root = new EmbeddedClient(kernel))
        {
            final long job = root.as(1).spawn("job");
            root.as(job).setuser("alice");
            try (EmbeddedClient alice = new EmbeddedClient(kernel, "alice"))
            {
                final String before = kernel.digest();

                // Acting as its own process, alice learns what getplist + getpinfo would tell her.
                final Syscalls asJob = alice.as(job);
                final List<ProcessInfo> bySyscalls = new ArrayList<>();
                for (final long pid : asJob.getplist())
                {
                    bySyscalls.add(asJob.getpinfo(pid));
                }
                final String afterSyscalls = kernel.digest();
                assertEquals(index(before) + 3, index(afterSyscalls), "getplist and two getpinfo are journaled");
                assertEquals(bySyscalls, List.of(alice.processTable(job)));
                assertEquals(asJob.getpinfo(job), alice.processInfo(job));

                // Acting as root's pid 1 she may not: the same error as any syscall of alice.as(1).
                assertEquals("Permission denied", assertThrows(EmberException.class, () -> alice.as(1).getpid()).getMessage());
                assertEquals("Permission denied", assertThrows(EmberException.class, () -> alice.processInfo(1)).getMessage());
                assertEquals("Permission denied", assertThrows(EmberException.class, () -> alice.processTable(1)).getMessage());
                assertEquals("No such process", assertThrows(EmberException.class, () -> alice.processInfo(99)).getMessage());
                assertEquals("No such process", assertThrows(EmberException.class, () -> root.processTable(99)).getMessage());
                assertEquals("alice", root.processInfo(job).user(), "root may ask about any process");
            }
        }
        // After the syscalls: alice's getpinfo and denied getpid, then her two denied queries as the
        // syscalls they stand for (the audit trail keeps attempts on other users' processes); no
        // answered query and no `No such process` left a record.
        final List<String> tail = new ArrayList<>();
        try (JournalReader reader = new JournalReader(dir, true))
        {
            final SyscallRecord record = new SyscallRecord();
            while (reader.next(record))
            {
                if (record.type.isClientCall())
                {
                    tail.add(record.type.syscallName() + " " + record.pid + " by " + record.client);
                }
            }
        }
        assertEquals(List.of("getpinfo 2 by 2", "getpid 1 by 2", "getpid 1 by 2", "getplist 1 by 2"),
            tail.subList(tail.size() - 4, tail.size()));
        assertEquals(9, tail.size(), "spawn, setuser, getplist, 2 getpinfo, getpinfo, getpid, 2 denied queries");
    }

    @Test
    void aProcessTableLargerThanOneRingMessageArrivesWholeOverIpc() throws Exception
    {
        final int processes = 4_000;
        try (ServiceProcess service = ServiceProcess.start(dir))
        {
            final long recordsBefore;
            final ProcessInfo[] table;
            try (IpcClient client = IpcClient.connect(dir, 10_000))
            {
                final Syscalls init = client.as(1);
                for (int i = 0; i < processes; i++)
                {
                    init.spawn("p" + i);
                }
                recordsBefore = lastIndex();
                table = client.processTable(1);
                // Write-ahead: a record the query made would be in the journal before its answer.
                assertEquals(recordsBefore, lastIndex(), "the query left no record (checkpoints aside)");
                assertEquals("No such process", assertThrows(EmberException.class, () -> client.processTable(processes + 2)).getMessage());
            }
            assertEquals(processes + 1, table.length);
            for (int i = 0; i < table.length; i++)
            {
                assertEquals(i + 1, table[i].id(), "pid order");
                assertEquals(i == 0 ? "init" : "p" + (i - 1), table[i].name());
            }
            // The reply really was cut into MSG_RESULT_PARTs: its encoding is longer than one ring message.
            final SyscallResult result = new SyscallResult();
            result.kind = SyscallResult.Kind.PROCESSES;
            result.value = table;
            assertTrue(ReplyCodec.encode(new ExpandableArrayBuffer(), 0, 1, result, null) > IpcLayout.MAX_MESSAGE_LENGTH);
            service.stop();
        }
    }

    /** @return the last index in the journal, read by another reader while the service runs. */
    /** @return the index of the last record that is not a checkpoint (the kernel signs one every second on its own). */
    private long lastIndex()
    {
        try (JournalReader reader = new JournalReader(dir, true))
        {
            final SyscallRecord record = new SyscallRecord();
            long last = 0;
            while (reader.next(record))
            {
                if (record.type != ember.journal.SyscallType.CHECKPOINT)
                {
                    last = record.index;
                }
            }
            return last;
        }
    }

    private static long index(final String digest)
    {
        return Long.parseLong(digest.substring(0, digest.indexOf(':')));
    }
}
