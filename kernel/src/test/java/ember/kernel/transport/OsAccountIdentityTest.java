package ember.kernel.transport;

import ember.journal.JournalReader;
import ember.journal.SyscallRecord;
import ember.journal.SyscallType;
import ember.kernel.client.IpcClient;
import ember.kernel.testing.OsAccount;
import ember.kernel.testing.ServiceProcess;
import ember.kernel.testing.TempDirs;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Identity over IPC with a real second OS account: a shell run by that account is the kernel
 * user of the same name and may act only for that user's processes. Needs root (useradd,
 * setpriv); skipped otherwise.
 */
class OsAccountIdentityTest
{
    @Test
    void aShellOfAnotherAccountActsOnlyForThatUsersProcesses() throws Exception
    {
        try (OsAccount other = OsAccount.create("ember-t"))
        {
            run(other);
        }
    }

    private static void run(final OsAccount other) throws Exception
    {
        final String account = other.name;
        final Path dir = TempDirs.create("ember-identity");
        try
        {
            OsAccount.run("chmod", "711", dir.toString());
            try (ServiceProcess service = ServiceProcess.start(dir); IpcClient root = IpcClient.connect(dir, 5000))
            {
                final long alices = root.as(1).spawn("alice-proc");
                root.as(alices).setuser(account);
                final long roots = root.as(1).spawn("root-proc");

                final OsAccount.Result shell = other.runAs(List.of(other.launcher().toString(), "shell", "--dir",
                    dir.toString()), String.join("\n",
                    "as " + alices,
                    "getuser",
                    "spawn child",
                    "kill " + roots + " 15",
                    "send " + roots + " hello",
                    "as " + roots,
                    "as 1",
                    ""));
                final String out = shell.out();
                final String err = shell.err();
                assertEquals(List.of("ok", account, Long.toString(roots + 1), "error: Permission denied", "true",
                    "error: Permission denied", "error: Permission denied"), List.of(out.split("\n")), err);
                service.stop();
            }

            final long alicesPid = 2; // the first process spawned in the fresh kernel, and its child 4
            int attachedAs = 0;
            int client = -1;
            int deniedJournaled = 0;
            try (JournalReader reader = new JournalReader(dir, true))
            {
                final SyscallRecord record = new SyscallRecord();
                int clients = 0;
                while (reader.next(record))
                {
                    if (record.type == SyscallType.CLIENT_ATTACH)
                    {
                        clients++;
                        if (account.equals(record.text))
                        {
                            attachedAs++;
                            client = clients;
                            assertEquals(List.of(account, "socket"), List.of(record.names),
                                "clientAttach names the OS account and its transport");
                        }
                    }
                    else if (record.client == client && client > 0 && record.pid != alicesPid && record.pid != alicesPid + 2)
                    {
                        deniedJournaled++; // `as ROOTS` and `as 1`: denied, and in the audit trail (SPEC §6)
                    }
                }
            }
            assertEquals(2, deniedJournaled, "refused attempts to act for another user's process are journaled");
            assertEquals(1, attachedAs, "the connection's OS account is the client's kernel user");
        }
        finally
        {
            TempDirs.delete(dir);
        }
    }
}
