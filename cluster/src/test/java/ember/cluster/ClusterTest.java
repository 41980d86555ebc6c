package ember.cluster;

import ember.journal.JournalReader;
import ember.journal.SyscallRecord;
import ember.journal.SyscallType;
import ember.kernel.cli.EmberCli;
import ember.kernel.client.EmberException;
import ember.kernel.client.ReceivedEvent;
import ember.kernel.client.Syscalls;
import ember.kernel.core.JvmCommand;
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
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
    /** Every member's cap on waiting pulls per process, small so that a test reaches it. */
    private static final int MAX_PARKED_PULLS = 3;

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
            if (Files.isDirectory(memberDir(n)))
            {
                deleteTree(Path.of(ClusterMember.aeronDir(memberDir(n))));
            }
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
            "--cluster", members, "--member", Integer.toString(n), "--users", tmp.resolve("users").toString(),
            "--max-parked-pulls", Integer.toString(MAX_PARKED_PULLS)))
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
        assertTrue(embedded.out().contains("handler 2 10\nok\n"), embedded.out()); // so the cluster's handler came over egress
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

    /** @return member 0's replayed state once all members' journals hold as many records; asserts equal digests and chain heads. */
    private static KernelState awaitJournals() throws InterruptedException
    {
        return MemberJournals.awaitEqual(new Path[] {memberDir(0), memberDir(1), memberDir(2)}, 400);
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
    void waitingPullsPerProcessAreCappedOnEveryMemberAsInTheLocalKernel() throws Exception
    {
        final java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newCachedThreadPool();
        final long capped;
        try (ClusterClient client = connect("root", "rootsecret"))
        {
            capped = client.as(1).spawn("capped");
            final List<CompletableFuture<ReceivedEvent>> waiting = new ArrayList<>();
            for (int i = 0; i < MAX_PARKED_PULLS; i++)
            {
                waiting.add(CompletableFuture.supplyAsync(() -> client.as(capped).pullEvent(60, "remote_event"), threads));
            }
            final int leader = awaitLeader();
            for (int n = 0; n < 3; n++)
            {
                awaitRecords(n, MAX_PARKED_PULLS, r -> r.type == SyscallType.PULL_EVENT && r.pid == capped && r.arg0 == 0);
            }
            final EmberException denied = assertThrows(EmberException.class, () -> client.as(capped).pullEvent(5, "remote_event"));
            assertEquals("Permission denied", denied.getMessage());
            assertThrows(EmberException.class, () -> client.as(capped).pullEvent(-1), "a pull without timeout is refused too");
            assertNull(client.as(capped).pullEvent(0, "remote_event"), "a pull that does not wait is not capped");
            final long other = client.as(1).spawn("other");
            final CompletableFuture<ReceivedEvent> otherPull =
                CompletableFuture.supplyAsync(() -> client.as(other).pullEvent(60, "never"), threads);
            awaitRecord(leader, r -> r.type == SyscallType.PULL_EVENT && r.pid == other);
            waiting.forEach(pull -> assertFalse(pull.isDone(), "a waiting pull was answered: " + pull));

            // One served: the process may wait once more.
            assertTrue(client.as(1).sendEvent(capped, "wake", Map.of("n", 1)));
            final ReceivedEvent served = CompletableFuture.anyOf(waiting.toArray(new CompletableFuture[0]))
                .thenApply(ReceivedEvent.class::cast).get(60, TimeUnit.SECONDS);
            waiting.removeIf(CompletableFuture::isDone);
            assertEquals(MAX_PARKED_PULLS - 1, waiting.size(), "one event served one pull");
            assertEquals("remote_event", served.name());
            assertEquals("wake", served.params().get("type"), served.toString());
            waiting.add(CompletableFuture.supplyAsync(() -> client.as(capped).pullEvent(60, "remote_event"), threads));
            awaitRecords(leader, MAX_PARKED_PULLS + 1, r -> r.type == SyscallType.PULL_EVENT && r.pid == capped && r.arg0 == 0);

            client.as(1).kill(capped, 9); // its waiting pulls end with No such process
            client.as(1).kill(other, 9);
            for (final CompletableFuture<ReceivedEvent> pull : waiting)
            {
                assertThrows(java.util.concurrent.ExecutionException.class, () -> pull.get(60, TimeUnit.SECONDS));
            }
            assertThrows(java.util.concurrent.ExecutionException.class, () -> otherPull.get(60, TimeUnit.SECONDS));
        }
        finally
        {
            threads.shutdownNow();
        }
        // Refused on every member alike: equal journals; the refused waits were journaled nowhere.
        awaitJournals();
        for (int n = 0; n < 3; n++)
        {
            assertEquals(MAX_PARKED_PULLS + 1, records(n).stream().filter(r -> r.type == SyscallType.PULL_EVENT &&
                r.pid == capped && r.arg0 == 0 && r.number != 0).count(), "waiting pulls of member " + n);
        }
    }

    @Test
    @Order(5)
    void underLoadTheLeaderIsKilledAndEveryAcknowledgedSyscallIsJournaledOnceInOrder() throws Exception
    {
        final int leader = awaitLeader();
        final List<Integer> acked = Collections.synchronizedList(new ArrayList<>());
        final List<String> failures = Collections.synchronizedList(new ArrayList<>());
        final AtomicBoolean stop = new AtomicBoolean();
        final int ackedAtKill;
        try (ClusterClient client = connect("root", "rootsecret"))
        {
            final Syscalls init = client.as(1);
            final Thread load = new Thread(() ->
            {
                for (int k = 0; !stop.get(); k++)
                {
                    try
                    {
                        init.lookup("load-" + k); // journaled (LOOKUP, text load-k), answered nil
                        acked.add(k);
                    }
                    catch (final EmberException ex)
                    {
                        failures.add(k + ": " + ex.getMessage()); // may or may not be applied: not counted as acknowledged
                    }
                }
            }, "load");
            load.start();
            awaitCount(acked, 200);
            RUNNING[leader].destroyForcibly().waitFor(); // SIGKILL under load
            ackedAtKill = acked.size();
            awaitCount(acked, ackedAtKill + 200); // the client goes on through the new leader by itself
            stop.set(true);
            load.join();
        }
        assertNotEquals(leader, awaitLeader());
        start(leader);
        awaitJournals(); // the killed member caught up: same records, same digest on all three
        final List<Integer> wanted = new ArrayList<>(acked);
        for (int n = 0; n < 3; n++)
        {
            final List<Integer> journaled = new ArrayList<>();
            for (final SyscallRecord r : records(n))
            {
                if (r.type == SyscallType.LOOKUP && r.text != null && r.text.startsWith("load-"))
                {
                    journaled.add(Integer.parseInt(r.text.substring(5)));
                }
            }
            for (int i = 1; i < journaled.size(); i++)
            {
                assertTrue(journaled.get(i - 1) < journaled.get(i),
                    "member " + n + ": load-" + journaled.get(i) + " after load-" + journaled.get(i - 1) + " (twice or out of order)");
            }
            assertTrue(journaled.containsAll(wanted), "member " + n + " lost acknowledged syscalls; failures " + failures);
        }
        assertTrue(ackedAtKill < wanted.size() - 100, "acknowledged after the kill: " + (wanted.size() - ackedAtKill));
    }

    @Test
    @Order(6)
    void aResentRequestIsAppliedOnceAndAWaitingPullSurvivesALeaderChange() throws Exception
    {
        final int leader = awaitLeader();
        final long spawned;
        final ReceivedEvent woken;
        try (ClusterClient puller = connect("root", "rootsecret"); ClusterClient resender = connect("root", "rootsecret"))
        {
            final long waiter = puller.as(1).spawn("waiter");
            final CompletableFuture<ReceivedEvent> pulled =
                CompletableFuture.supplyAsync(() -> puller.as(waiter).pullEvent(-1, "remote_event"));
            awaitRecord(leader, r -> r.type == SyscallType.PULL_EVENT && r.pid == waiter);
            resender.dropNextAnswers(1); // the answer of the next request is lost, as if the leader died sending it
            final CompletableFuture<Long> spawn = CompletableFuture.supplyAsync(() -> resender.as(1).spawn("resent"));
            for (int i = 0; i < 300 && resender.answersDropped() == 0; i++)
            {
                Thread.sleep(20);
            }
            assertEquals(1, resender.answersDropped(), "the spawn was not answered");
            RUNNING[leader].destroyForcibly().waitFor();
            spawned = spawn.get(60, TimeUnit.SECONDS); // resent to the new leader, answered from the kept answer
            assertTrue(resender.as(1).sendEvent(waiter, "wake", Map.of("n", 1)));
            woken = pulled.get(60, TimeUnit.SECONDS);
        }
        assertEquals("remote_event", woken.name());
        assertEquals("wake", woken.params().get("type"), woken.toString());
        start(leader);
        final KernelState state = awaitJournals();
        for (int n = 0; n < 3; n++)
        {
            assertEquals(1, records(n).stream().filter(r -> r.type == SyscallType.SPAWN && "resent".equals(r.text)).count(),
                "member " + n + " applied the resent spawn other than once");
        }
        assertEquals("resent", state.process(spawned).name(), "the resend was answered with another result");
    }

    @Test
    @Order(7)
    void aSnapshotTakenThroughAFollowerIsLoadedByARestartedFollower() throws Exception
    {
        final int follower = (awaitLeader() + 1) % 3;
        final Run snapshot = run(jvm(ClusterCli.class, "snapshot", "--dir", memberDir(follower).toString()), "");
        assertEquals(0, snapshot.code(), snapshot.err());
        assertEquals(0, shell("root.cred", "spawn aftersnapshot\n").code());
        RUNNING[follower].destroyForcibly().waitFor(); // a follower killed and restarted
        assertEquals(0, shell("root.cred", "spawn whileaway\n").code());
        start(follower);
        awaitJournals();
        final String log = Files.readString(tmp.resolve("member" + follower + ".log"));
        assertTrue(log.contains("loaded the cluster snapshot at record"), log);
        for (int n = 0; n < 3; n++)
        {
            final String status = run(jvm(ClusterCli.class, "status", "--dir", memberDir(n).toString()), "").out();
            assertTrue(status.startsWith("mode=cluster member=" + n + " role=" + (n == awaitLeader() ? "leader" : "follower")), status);
        }
    }

    @Test
    @Order(8)
    void aWipedMemberRejoinsAndCatchesUp() throws Exception
    {
        final int wiped = (awaitLeader() + 2) % 3;
        final Path driverDir = Path.of(ClusterMember.aeronDir(memberDir(wiped)));
        RUNNING[wiped].destroyForcibly().waitFor();
        deleteTree(memberDir(wiped));
        deleteTree(driverDir);
        assertEquals(0, shell("root.cred", "spawn afterwipe\n").code());
        start(wiped);
        final KernelState state = awaitJournals();
        assertTrue(java.util.Arrays.stream(state.pids()).anyMatch(pid -> "afterwipe".equals(state.process(pid).name())));
    }

    @Test
    @Order(9)
    void withoutAMajorityASyscallFailsWithAClearErrorAndTheKernelResumesWithOne() throws Exception
    {
        final int leader = awaitLeader();
        final List<Integer> killed = new ArrayList<>();
        try (ClusterClient client = connect("root", "rootsecret"))
        {
            final long waiter = client.as(1).spawn("patient");
            final CompletableFuture<ReceivedEvent> pulled =
                CompletableFuture.supplyAsync(() -> client.as(waiter).pullEvent(-1, "never"));
            awaitRecord(leader, r -> r.type == SyscallType.PULL_EVENT && r.pid == waiter);
            for (int n = 0; n < 3 && killed.size() < 2; n++)
            {
                killed.add(n);
                RUNNING[n].destroyForcibly().waitFor();
            }
            final EmberException lonely = assertThrows(EmberException.class, () -> client.as(1).spawn("lonely"));
            assertTrue(lonely.getMessage().startsWith("cluster unavailable"), "leader was " + leader + ": " + lonely.getMessage());
            // the pull that was waiting when the majority went fails too, rather than waiting forever
            final Throwable hung = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> pulled.get(60, TimeUnit.SECONDS)).getCause();
            assertTrue(hung instanceof EmberException && hung.getMessage().startsWith("cluster unavailable"), hung.toString());
        }
        start(killed.get(0));
        awaitLeader();
        final Run back = shell("root.cred", "spawn back\n");
        assertEquals(0, back.code(), back.err());
        assertTrue(back.out().matches("\\d+\n"), back.out());
        start(killed.get(1));
        final KernelState state = awaitJournals();
        assertTrue(java.util.Arrays.stream(state.pids()).anyMatch(pid -> "back".equals(state.process(pid).name())));
    }

    private static ClusterClient connect(final String user, final String secret)
    {
        return ClusterClient.connect(ClusterMembers.parse(members), new Credentials.Entry(user, secret));
    }

    private static void awaitCount(final List<Integer> acked, final int count) throws InterruptedException
    {
        for (int i = 0; i < 1200 && acked.size() < count; i++)
        {
            Thread.sleep(50);
        }
        assertTrue(acked.size() >= count, "acknowledged " + acked.size() + " of " + count);
    }

    private static void awaitRecord(final int member, final java.util.function.Predicate<SyscallRecord> wanted)
        throws InterruptedException
    {
        for (int i = 0; i < 300; i++)
        {
            if (records(member).stream().anyMatch(wanted))
            {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("member " + member + " never journaled the record");
    }

    /** Waits (bounded by the poll count) until member n's journal holds at least {@code count} records matching. */
    private static void awaitRecords(final int member, final int count, final java.util.function.Predicate<SyscallRecord> wanted)
        throws InterruptedException
    {
        long seen = 0;
        for (int i = 0; i < 300; i++)
        {
            seen = records(member).stream().filter(wanted).count();
            if (seen >= count)
            {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("member " + member + " journaled " + seen + " of " + count + " records");
    }

    /** @return every record of member n's journal, read as replay-tool reads it. */
    private static List<SyscallRecord> records(final int n)
    {
        final List<SyscallRecord> all = new ArrayList<>();
        try (JournalReader reader = new JournalReader(memberDir(n), true))
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
}
