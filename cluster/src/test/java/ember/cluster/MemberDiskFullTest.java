package ember.cluster;

import ember.journal.JournalReader;
import ember.journal.SyscallRecord;
import ember.kernel.client.EmberException;
import ember.kernel.client.Syscalls;
import ember.kernel.core.JvmCommand;
import ember.kernel.state.KernelState;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10: one member's DIR file system fills under load (a real tmpfs of its own, filled by a
 * filler file). That member must stop with a one-line reason naming the full disk, never apply a
 * record it could not journal; the other two go on answering; once the filler is deleted and the
 * member restarted on the same DIR it catches up to the same journal (records, digest, chain head).
 * Needs root (mount); skipped otherwise.
 */
final class MemberDiskFullTest
{
    private static final int FULL = 2;

    @TempDir
    Path tmp;
    private String members;
    private final Process[] running = new Process[3];
    private final Path[] dirs = new Path[3];

    private static boolean run(final String... command) throws Exception
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
    }

    @Test
    void aMemberWhoseDiskFillsStopsAndCatchesUpOnceSpaceIsBack() throws Exception
    {
        final Path mount = Files.createTempDirectory("ember-member-tmpfs");
        Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=256m", "tmpfs", mount.toString()),
            "cannot mount a tmpfs here (not root?): MemberDiskFullTest skipped");
        try
        {
            final int base = 33000 + (int)(ProcessHandle.current().pid() % 300) * 20;
            members = "0=127.0.0.1:" + base + ",1=127.0.0.1:" + (base + 5) + ",2=127.0.0.1:" + (base + 10);
            final Path users = tmp.resolve("users");
            Files.writeString(users, "root rootsecret\n");
            Files.setPosixFilePermissions(users, PosixFilePermissions.fromString("rw-------"));
            for (int n = 0; n < 3; n++)
            {
                dirs[n] = n == FULL ? mount.resolve("m" + n) : tmp.resolve("m" + n);
                start(n);
            }
            awaitLeader();
            final Path filler = mount.resolve("filler");
            final List<Integer> acked = Collections.synchronizedList(new ArrayList<>());
            final List<String> failures = Collections.synchronizedList(new ArrayList<>());
            final AtomicBoolean stop = new AtomicBoolean();
            try (ClusterClient client = ClusterClient.connect(ClusterMembers.parse(members),
                new Credentials.Entry("root", "rootsecret")))
            {
                final Syscalls init = client.as(1);
                final Thread load = new Thread(() ->
                {
                    for (int k = 0; !stop.get(); k++)
                    {
                        try
                        {
                            init.lookup("load-" + k);
                            acked.add(k);
                        }
                        catch (final EmberException ex)
                        {
                            failures.add(k + ": " + ex.getMessage());
                        }
                    }
                }, "load");
                load.start();
                awaitCount(acked, 200);
                fill(filler);
                // The full member stops by itself (bounded wait on its process, not a clock assertion).
                assertTrue(running[FULL].waitFor(120, TimeUnit.SECONDS), "member " + FULL + " did not stop on a full disk");
                assertNotEquals(0, running[FULL].exitValue(), "a member stopped by a full disk exits with an error");
                final int ackedAtStop = acked.size();
                awaitCount(acked, ackedAtStop + 300); // the other two go on
                stop.set(true);
                load.join();
            }
            final String log = Files.readString(tmp.resolve("member" + FULL + ".log"));
            assertTrue(log.lines().anyMatch(line -> line.contains("disk full")), log);
            assertTrue(log.lines().noneMatch(line -> line.startsWith("\tat ")), "a stack trace in the member's log:\n" + log);

            Files.delete(filler);
            start(FULL);
            final KernelState state = awaitJournals();
            assertTrue(state.lastIndex() > acked.size(), "records " + state.lastIndex());
            final List<Integer> wanted = new ArrayList<>(acked);
            for (int n = 0; n < 3; n++)
            {
                final List<Integer> journaled = new ArrayList<>();
                for (final SyscallRecord r : records(n))
                {
                    if (r.text != null && r.text.startsWith("load-"))
                    {
                        journaled.add(Integer.parseInt(r.text.substring(5)));
                    }
                }
                assertTrue(journaled.containsAll(wanted), "member " + n + " lost acknowledged syscalls; failures " + failures);
            }
        }
        finally
        {
            for (final Process process : running)
            {
                if (process != null)
                {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            for (int n = 0; n < 3; n++)
            {
                final Path log = tmp.resolve("member" + n + ".log");
                if (Files.exists(log))
                {
                    System.out.println("member " + n + " log:\n" + Files.readString(log));
                }
                if (dirs[n] != null && Files.isDirectory(dirs[n]))
                {
                    deleteTree(Path.of(ClusterMember.aeronDir(dirs[n])));
                }
            }
            run("umount", "-l", mount.toString()); // lazy: Chronicle may unmap its files later
            Files.deleteIfExists(mount);
        }
    }

    /** Write zeros until the file system refuses: nothing is left for the member. */
    private static void fill(final Path filler) throws IOException
    {
        final byte[] chunk = new byte[1 << 20];
        try (FileOutputStream out = new FileOutputStream(filler.toFile()))
        {
            while (true)
            {
                out.write(chunk);
            }
        }
        catch (final IOException full)
        {
            // No space left on device: the tmpfs is full
        }
        assertTrue(Files.getFileStore(filler).getUsableSpace() < (1 << 20), "the tmpfs still has space");
    }

    private void start(final int n) throws IOException
    {
        running[n] = new ProcessBuilder(JvmCommand.of(flag -> flag.startsWith("--add-") ||
            flag.startsWith("-Dchronicle") || flag.startsWith("-Dorg.slf4j"), List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"),
            ClusterCli.class, "serve", "--dir", dirs[n].toString(), "--cluster", members, "--member", Integer.toString(n),
            "--users", tmp.resolve("users").toString()))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve("member" + n + ".log").toFile())).start();
    }

    private void awaitLeader() throws InterruptedException
    {
        for (int i = 0; i < 300; i++)
        {
            for (int n = 0; n < 3; n++)
            {
                final String live = MemberStatus.readLive(dirs[n]);
                if (live != null && live.contains("role=leader"))
                {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no leader was elected");
    }

    private static void awaitCount(final List<Integer> acked, final int count) throws InterruptedException
    {
        for (int i = 0; i < 2400 && acked.size() < count; i++)
        {
            Thread.sleep(50);
        }
        assertTrue(acked.size() >= count, "acknowledged " + acked.size() + " of " + count);
    }

    /** @return member 0's replayed state once all three journals hold as many records; asserts equal digests and chain heads. */
    private KernelState awaitJournals() throws InterruptedException
    {
        return MemberJournals.awaitEqual(dirs, 600);
    }

    private List<SyscallRecord> records(final int n)
    {
        final List<SyscallRecord> all = new ArrayList<>();
        try (JournalReader reader = new JournalReader(dirs[n], true))
        {
            SyscallRecord r = new SyscallRecord();
            while (reader.next(r))
            {
                all.add(r);
                r = new SyscallRecord();
            }
        }
        return all;
    }

    private static void deleteTree(final Path root) throws IOException
    {
        if (Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS))
        {
            try (java.util.stream.Stream<Path> walk = Files.walk(root))
            {
                for (final Path path : (Iterable<Path>)walk.sorted(java.util.Comparator.reverseOrder())::iterator)
                {
                    Files.deleteIfExists(path);
                }
            }
        }
    }
}
