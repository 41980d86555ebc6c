package ember.kernel.transport;

import ember.journal.JournalReader;
import ember.journal.SyscallRecord;
import ember.journal.SyscallType;
import ember.kernel.client.IpcClient;
import ember.kernel.testing.EmberProcess;
import ember.kernel.testing.ServiceProcess;
import ember.kernel.testing.TempDirs;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Identity over IPC with a real second OS account: a shell run by that account is the kernel
 * user of the same name and may act only for that user's processes. Needs root (useradd,
 * setpriv); skipped otherwise.
 */
class OsAccountIdentityTest
{
    private static int run(final String... command) throws Exception
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        process.waitFor(60, TimeUnit.SECONDS);
        return process.exitValue();
    }

    @Test
    void aShellOfAnotherAccountActsOnlyForThatUsersProcesses() throws Exception
    {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        final String account = "ember-t" + ProcessHandle.current().pid();
        Assumptions.assumeTrue(run("useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", account) == 0,
            "cannot create an OS account here");
        final Path dir = TempDirs.create("ember-identity");
        final Path classes = TempDirs.create("ember-identity-cp");
        try
        {
            // The other account must be able to read the classes and reach the kernel directory.
            final List<String> entries = new ArrayList<>();
            int n = 0;
            for (final String entry : System.getProperty("java.class.path").split(File.pathSeparator))
            {
                final Path source = Path.of(entry);
                final Path target = classes.resolve((n++) + "-" + source.getFileName());
                if (Files.isDirectory(source))
                {
                    try (Stream<Path> walk = Files.walk(source))
                    {
                        for (final Path path : walk.toList())
                        {
                            final Path copy = target.resolve(source.relativize(path).toString());
                            if (Files.isDirectory(path))
                            {
                                Files.createDirectories(copy);
                            }
                            else
                            {
                                Files.copy(path, copy, StandardCopyOption.REPLACE_EXISTING);
                            }
                        }
                    }
                }
                else if (Files.isRegularFile(source))
                {
                    Files.copy(source, target);
                }
                entries.add(target.toString());
            }
            // The launcher too: the repository may sit where the other account cannot read (CI's clone).
            final Path bin = Files.createDirectories(classes.resolve("bin"));
            for (final String script : new String[] {"ember", "ember-env.sh"})
            {
                Files.copy(EmberProcess.repoRoot().resolve("bin").resolve(script), bin.resolve(script));
            }
            run("chmod", "-R", "a+rX", classes.toString());
            run("chmod", "755", dir.toString(), classes.toString());

            try (ServiceProcess service = ServiceProcess.start(dir); IpcClient root = IpcClient.connect(dir, 5000))
            {
                final long alices = root.as(1).spawn("alice-proc");
                root.as(alices).setuser(account);
                final long roots = root.as(1).spawn("root-proc");

                final ProcessBuilder shell = EmberProcess.ember("shell", "--dir", dir.toString());
                shell.environment().put("EMBER_CLASSPATH", String.join(File.pathSeparator, entries));
                shell.environment().put("EMBER_JAVA_OPTS", "-XX:-UsePerfData"); // leaves no /tmp/hsperfdata_<account>
                final List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=" + account,
                    "--regid=" + account, "--clear-groups", "--"));
                command.add(bin.resolve("ember").toString());
                command.addAll(shell.command().subList(1, shell.command().size()));
                shell.command(command);
                final Process process = shell.redirectErrorStream(false).start();
                process.getOutputStream().write(String.join("\n",
                    "as " + alices,
                    "getuser",
                    "spawn child",
                    "kill " + roots + " 15",
                    "send " + roots + " hello",
                    "as " + roots,
                    "as 1",
                    "").getBytes(StandardCharsets.UTF_8));
                process.getOutputStream().close();
                final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                final String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(process.waitFor(60, TimeUnit.SECONDS));
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
            run("userdel", account);
            TempDirs.delete(dir);
            TempDirs.delete(classes);
        }
    }
}
