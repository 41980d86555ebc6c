package ember.cluster;

import ember.kernel.cli.EmberCli;
import ember.kernel.core.JvmCommand;
import ember.kernel.state.JournalReplay;
import ember.kernel.state.KernelState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real 3-member cluster on loopback: each member its own JVM ({@code ember serve --cluster}),
 * shells their own JVMs ({@code ember shell --cluster}), as a user runs them. One cluster for the
 * class; the tests run in order because the later ones kill members.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class ClusterTest
{
    private static final String SESSION = String.join("\n",
        "spawn worker", "as 2", "signal 10 on", "as 1", "kill 2 10", "send 2 job {\"n\":1}", "timer 0.1", "sleep 0.2",
        "pull", "as 2", "pull", "kill 2 99", "peek", "exit 3", "getpid", "as 1", "pull process_complete", "ps", "");

    @TempDir
    static Path tmp;
    private static String members;
    private static final Process[] RUNNING = new Process[3];

    @BeforeAll
    static void startCluster() throws Exception
    {
        final int base = 23000 + (int)(ProcessHandle.current().pid() % 500) * 20;
        members = "0=127.0.0.1:" + base + ",1=127.0.0.1:" + (base + 5) + ",2=127.0.0.1:" + (base + 10);
        final Path users = tmp.resolve("users");
        Files.writeString(users, "root rootsecret\nalice alicesecret\n");
        Files.setPosixFilePermissions(users, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(tmp.resolve("root.cred"), "root rootsecret\n");
        Files.writeString(tmp.resolve("alice.cred"), "alice alicesecret\n");
        Files.writeString(tmp.resolve("wrong.cred"), "root nope\n");
        for (int n = 0; n < 3; n++)
        {
            start(n);
        }
        awaitLeader();
    }

    @AfterAll
    static void stopCluster() throws IOException, InterruptedException
    {
        for (int n = 0; n < 3; n++)
        {
            System.out.println("member " + n + " log:\n" + Files.readString(tmp.resolve("member" + n + ".log")));
        }
        for (final Process process : RUNNING)
        {
            if (process != null)
            {
                process.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
        for (int n = 0; n < 3; n++)
        {
            // a member killed with -9 cannot delete its media driver's directory: the test does
            deleteTree(Path.of(ClusterMember.aeronDir(memberDir(n))));
        }
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

    private static void start(final int n) throws IOException
    {
        RUNNING[n] = new ProcessBuilder(jvm(ClusterCli.class, "serve", "--dir", memberDir(n).toString(),
            "--cluster", members, "--member", Integer.toString(n), "--users", tmp.resolve("users").toString()))
            .redirectErrorStream(true).redirectOutput(tmp.resolve("member" + n + ".log").toFile()).start();
    }

    private static Path memberDir(final int n)
    {
        return tmp.resolve("m" + n);
    }

    private static List<String> jvm(final Class<?> main, final String... args)
    {
        return JvmCommand.of(flag -> flag.startsWith("--add-") || flag.startsWith("-Dchronicle") ||
            flag.startsWith("-Dorg.slf4j"), List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"), main, args);
    }

    /** @return the leader's member id, waiting (bounded by the poll count, not by a clock assertion) for one. */
    private static int awaitLeader() throws InterruptedException
    {
        for (int i = 0; i < 300; i++)
        {
            for (int n = 0; n < 3; n++)
            {
                final String live = MemberStatus.readLive(memberDir(n));
                if (live != null && live.contains("role=leader"))
                {
                    return n;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no leader was elected");
    }

    private record Run(int code, String out, String err)
    {
    }

    private static Run run(final List<String> command, final String input) throws Exception
    {
        final File in = Files.writeString(Files.createTempFile(tmp, "in", ".txt"), input).toFile();
        final File out = Files.createTempFile(tmp, "out", ".txt").toFile();
        final File err = Files.createTempFile(tmp, "err", ".txt").toFile();
        final Process process = new ProcessBuilder(command).redirectInput(in).redirectOutput(out).redirectError(err).start();
        final int code = process.waitFor();
        return new Run(code, Files.readString(out.toPath()), Files.readString(err.toPath()));
    }

    private static Run shell(final String credentials, final String input) throws Exception
    {
        return run(jvm(ClusterCli.class, "shell", "--cluster", members, "--credentials",
            tmp.resolve(credentials).toString()), input);
    }

    @Test
    @Order(1)
    void shellThroughTheClusterPrintsWhatItPrintsEmbedded() throws Exception
    {
        final Run embedded = run(jvm(EmberCli.class, "shell", "--dir", tmp.resolve("embedded").toString()), SESSION);
        final Run cluster = shell("root.cred", SESSION);
        assertTrue(embedded.out().contains("handler 2 10\nok\n"), embedded.out());
        assertEquals(embedded.out(), cluster.out(), cluster.err());
        assertEquals(embedded.code(), cluster.code());
    }

    @Test
    @Order(2)
    void everyMembersJournalReplaysToTheSameDigest() throws Exception
    {
        shell("root.cred", "spawn more\n");
        final KernelState leader = awaitJournals();
        assertTrue(leader.lastIndex() > 10, "records " + leader.lastIndex());
    }

    /** @return member 0's replayed state once all members' journals hold as many records; asserts equal digests. */
    private static KernelState awaitJournals() throws InterruptedException
    {
        KernelState[] states = new KernelState[3];
        for (int i = 0; i < 400; i++)
        {
            states = new KernelState[3];
            for (int n = 0; n < 3; n++)
            {
                states[n] = JournalReplay.replay(memberDir(n), Long.MAX_VALUE);
            }
            if (states[0].lastIndex() == states[1].lastIndex() && states[1].lastIndex() == states[2].lastIndex())
            {
                break;
            }
            Thread.sleep(100);
        }
        for (int n = 1; n < 3; n++)
        {
            assertEquals(states[0].lastIndex(), states[n].lastIndex(), "records of member " + n);
            assertEquals(states[0].digest(), states[n].digest(), "digest of member " + n);
        }
        return states[0];
    }

    @Test
    @Order(3)
    void aTimerFiresOnceAndCredentialsAreChecked() throws Exception
    {
        final Run timer = shell("root.cred", "timer 0\nsleep 0.5\npull timeout=0\npull timeout=0.3\n");
        final String[] lines = timer.out().split("\n");
        assertEquals("timer {\"id\":" + lines[0] + "}", lines[2], timer.out());
        assertEquals("nil", lines[3], timer.out());

        final Run wrong = shell("wrong.cred", "spawn x\n");
        assertNotEquals(0, wrong.code());
        assertTrue(wrong.err().startsWith("ember shell: authentication refused"), wrong.err());
        assertEquals("", wrong.out());

        final Run alice = shell("alice.cred", "kill 1 9\nps\n");
        assertEquals("error: Permission denied\nerror: Permission denied\n", alice.out());
    }

    @Test
    @Order(4)
    void afterTheLeaderIsKilledSyscallsGoOnAndItCatchesUp() throws Exception
    {
        final int leader = awaitLeader();
        RUNNING[leader].destroyForcibly().waitFor(); // SIGKILL
        final Run after = shell("root.cred", "spawn survivor\nlookup nobody\n");
        assertEquals(0, after.code(), after.err());
        assertTrue(after.out().matches("\\d+\nnil\n"), after.out());
        assertNotEquals(leader, awaitLeader());
        start(leader);
        final KernelState state = awaitJournals(); // the restarted member caught up: same records, same digest
        assertTrue(java.util.Arrays.stream(state.pids()).anyMatch(pid -> "survivor".equals(state.process(pid).name())));
    }

    @Test
    @Order(5)
    void withoutAMajorityASyscallFailsWithAClearError() throws Exception
    {
        final int leader = awaitLeader();
        final List<Integer> killed = new ArrayList<>();
        for (int n = 0; n < 3 && killed.size() < 2; n++)
        {
            killed.add(n);
            RUNNING[n].destroyForcibly().waitFor();
        }
        final Run lonely = shell("root.cred", "spawn lonely\n");
        assertNotEquals(0, lonely.code());
        final String said = lonely.err() + lonely.out();
        assertTrue(said.contains("ember shell: no cluster leader answered") || said.contains("cluster unavailable"),
            "leader was " + leader + ": " + said);
    }
}
