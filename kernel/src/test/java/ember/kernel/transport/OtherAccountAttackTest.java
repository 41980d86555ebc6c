package ember.kernel.transport;

import ember.journal.JournalReader;
import ember.journal.SyscallRecord;
import ember.journal.SyscallType;
import ember.kernel.client.IpcClient;
import ember.kernel.core.Kernel;
import ember.kernel.core.KernelLog;
import ember.kernel.testing.AttackerClient;
import ember.kernel.testing.OsAccount;
import ember.kernel.testing.ServiceProcess;
import ember.kernel.testing.TempDirs;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The attacks of a second OS account against a running service, performed for real: it asks for
 * shared memory, acts for another user's process, floods the service with connections and
 * garbage, and tries to truncate, link, lock or read the kernel's files. Each fails in its own
 * way, the kernel's own client keeps being served, and the journal names the attacker's account.
 * Needs root (useradd, setpriv); skipped with a message otherwise.
 */
class OtherAccountAttackTest
{
    @Test
    void anotherAccountCanNeitherImpersonateNorReachSharedMemoryNorLockOut() throws Exception
    {
        try (OsAccount attacker = OsAccount.create("ember-a"))
        {
            final Path dir = TempDirs.create("ember-attack");
            try
            {
                OsAccount.run("chmod", "711", dir.toString());
                try (ServiceProcess service = ServiceProcess.start(dir); IpcClient root = IpcClient.connect(dir, 5000))
                {
                    final long own = root.as(1).spawn("attackers-own");
                    root.as(own).setuser(attacker.name);

                    final OsAccount.Result steps = attacker.java(AttackerClient.class, dir.toString(),
                        "shm", "attach", Long.toString(own), "steal", "1", "flood", "70", "garbage");
                    final List<String> lines = steps.out().lines().toList();
                    assertEquals(5, lines.size(), steps.out() + steps.err());
                    assertTrue(lines.get(0).startsWith("shm: refused shared memory is only for the kernel's own account"),
                        lines.get(0));
                    assertEquals("attach: shared=false user=" + attacker.name + " getuser=" + attacker.name, lines.get(1));
                    assertEquals("steal: error Permission denied", lines.get(2));
                    assertTrue(lines.get(3).startsWith("flood: attached=" + IpcServer.DEFAULT_MAX_CLIENTS_PER_ACCOUNT +
                        " refused=" + (70 - IpcServer.DEFAULT_MAX_CLIENTS_PER_ACCOUNT)), lines.get(3));
                    assertTrue(lines.get(3).contains("clients attached, the most one account may have"), lines.get(3));
                    assertEquals("garbage: ok, then closed by the service", lines.get(4));
                    assertEquals(1, root.as(1).getpid(), "the kernel's own client is served throughout");

                    // Files: nothing under DIR is the attacker's to list, truncate, link, lock or read.
                    final List<String> channelFiles = new ArrayList<>();
                    try (Stream<Path> files = Files.list(IpcLayout.channelsDir(dir)))
                    {
                        files.forEach(p -> channelFiles.add(p.toString()));
                    }
                    assertEquals(1, channelFiles.size(), "root's own channel");
                    final String[] attacks = {
                        "ls " + IpcLayout.channelsDir(dir),
                        "truncate -s 0 " + channelFiles.get(0),
                        "truncate -s 0 " + IpcLayout.serviceFile(dir),
                        "flock -s -n " + dir.resolve(Kernel.LOCK_FILE) + " true",
                        "touch " + dir.resolve("ipc/junk"),
                        "touch " + dir.resolve("junk"),
                        "ln -s /etc/shadow " + IpcLayout.channelsDir(dir).resolve("evil.chan"),
                        "mv " + IpcLayout.socketFile(dir) + " /tmp/",
                        "cat " + dir.resolve(KernelLog.FILE),
                        "ls " + dir.resolve("journal"),
                        "ls " + dir,
                    };
                    for (final String attack : attacks)
                    {
                        final OsAccount.Result result = attacker.sh(attack);
                        assertNotEquals(0, result.exit(), "as " + attacker.name + ": " + attack + " must fail");
                    }
                    assertEquals(IpcLayout.CHANNEL_FILE_LENGTH, Files.size(Path.of(channelFiles.get(0))));
                    assertEquals(1, root.as(1).getpid(), "still served after the file attacks");
                    assertEquals(own, root.as(own).getpid());
                    service.stop();
                }

                // With no service running, the other account's shell cannot open the kernel itself: one line.
                final OsAccount.Result shell = attacker.runAs(List.of(attacker.launcher().toString(), "shell", "--dir",
                    dir.toString()), "getpid\n");
                assertNotEquals(0, shell.exit());
                assertEquals("", shell.out());
                assertEquals(1, shell.err().trim().lines().count(), shell.err());
                assertTrue(shell.err().startsWith("ember shell: "), shell.err());

                // The audit trail: the attacker's clients are named by account, its denied attempt is there.
                int attaches = 0;
                int denied = 0;
                final java.util.Set<Integer> attackerClients = new java.util.HashSet<>();
                int clients = 0;
                try (JournalReader reader = new JournalReader(dir, true))
                {
                    final SyscallRecord record = new SyscallRecord();
                    while (reader.next(record))
                    {
                        if (record.type == SyscallType.CLIENT_ATTACH)
                        {
                            clients++;
                            if (attacker.name.equals(record.text))
                            {
                                attaches++;
                                attackerClients.add(clients);
                                assertEquals(List.of(attacker.name, "socket"), List.of(record.names));
                            }
                        }
                        else if (attackerClients.contains(record.client) && record.pid == 1)
                        {
                            denied++;
                            assertEquals(SyscallType.SPAWN, record.type);
                        }
                    }
                }
                assertEquals(2 + IpcServer.DEFAULT_MAX_CLIENTS_PER_ACCOUNT + 1, attaches,
                    "attach, steal, the flood's attached clients and the raw one");
                assertEquals(1, denied, "the attempt to act for pid 1 is journaled");
                final long capLines = Files.readAllLines(dir.resolve(KernelLog.FILE)).stream()
                    .filter(line -> line.contains("refusing clients of account " + attacker.name)).count();
                assertEquals(1, capLines, "the cap refusals are logged once");
                assertFalse(Files.exists(dir.resolve("junk")));
            }
            finally
            {
                TempDirs.delete(dir);
            }
        }
    }
}
