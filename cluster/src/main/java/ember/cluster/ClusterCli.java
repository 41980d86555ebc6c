package ember.cluster;

import ember.kernel.cli.EmberCli;
import ember.kernel.cli.Shell;
import ember.kernel.client.EmberException;
import ember.kernel.core.KernelConfig;
import ember.kernel.core.OfflineState;
import ember.kernel.state.KernelState;
import io.aeron.cluster.RecordingLog;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * {@code bin/ember} for a replicated kernel (SPEC §8): {@code serve --cluster}, {@code shell --cluster},
 * and {@code status} / {@code snapshot} of a member's DIR; every other command line goes to the
 * kernel's {@link EmberCli} unchanged (bin/ember calls this class only when the command line names
 * a cluster or a member's DIR). Errors: one line {@code ember COMMAND: REASON}, exit 2 for bad
 * options, 1 otherwise.
 */
public final class ClusterCli
{
    private ClusterCli()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int code = run(args);
        if (code >= 0)
        {
            System.exit(code);
        }
    }

    /** @return the exit code, or -1 when the member runs on (its threads keep the JVM). */
    static int run(final String[] args) throws Exception
    {
        if (args.length == 0)
        {
            EmberCli.main(args);
            return 0;
        }
        final String command = args[0];
        final Map<String, String> options;
        try
        {
            options = parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            if (!isCluster(args))
            {
                EmberCli.main(args);
                return 0;
            }
            System.err.println("ember " + command + ": " + ex.getMessage());
            return 2;
        }
        final Path dir = options.containsKey("--dir") ? Path.of(options.get("--dir")) : null;
        final boolean memberDir = dir != null && Files.isDirectory(MemberStatus.clusterDir(dir).resolve("consensus"));
        switch (command)
        {
            case "serve":
                if (options.containsKey("--cluster"))
                {
                    return serve(options);
                }
                break;
            case "shell":
                if (options.containsKey("--cluster"))
                {
                    return shell(options);
                }
                if (memberDir)
                {
                    System.err.println("ember shell: " + dir + " is a cluster member's directory: use " +
                        "ember shell --cluster MEMBERS --credentials FILE");
                    return 2;
                }
                break;
            case "status":
                if (memberDir)
                {
                    return status(dir);
                }
                break;
            case "snapshot":
                if (!memberDir)
                {
                    System.err.println("ember snapshot: " + dir + " is not a running cluster member's directory");
                    return 2;
                }
                return snapshot(dir);
            default:
                break;
        }
        EmberCli.main(args);
        return 0;
    }

    private static boolean isCluster(final String[] args)
    {
        for (final String arg : args)
        {
            if (arg.equals("--cluster"))
            {
                return true;
            }
        }
        return false;
    }

    private static final Set<String> VALUED = Set.of("--dir", "--cluster", "--member", "--users", "--credentials",
        "--file-sync-level", "--max-parked-pulls");

    private static Map<String, String> parse(final String[] args)
    {
        final Map<String, String> options = new HashMap<>();
        for (int i = 1; i < args.length; i++)
        {
            final String arg = args[i];
            final int eq = arg.indexOf('=');
            final String name = eq > 0 ? arg.substring(0, eq) : arg;
            if (!VALUED.contains(name))
            {
                throw new IllegalArgumentException("unknown option " + arg);
            }
            if (eq > 0)
            {
                options.put(name, arg.substring(eq + 1));
            }
            else if (i + 1 < args.length)
            {
                options.put(name, args[++i]);
            }
            else
            {
                throw new IllegalArgumentException(name + " needs a value");
            }
        }
        return options;
    }

    private static int serve(final Map<String, String> options) throws Exception
    {
        final ClusterMembers members;
        final int member;
        final Map<String, String> users;
        final int syncLevel;
        final int maxParkedPulls;
        try
        {
            members = ClusterMembers.parse(options.get("--cluster"));
            member = Integer.parseInt(required(options, "--member"));
            users = Credentials.loadUsers(Path.of(required(options, "--users")));
            syncLevel = Integer.parseInt(options.getOrDefault("--file-sync-level", "0"));
            if (syncLevel < 0 || syncLevel > 2)
            {
                throw new IllegalArgumentException("--file-sync-level is 0, 1 or 2");
            }
            maxParkedPulls = Integer.parseInt(options.getOrDefault("--max-parked-pulls",
                Integer.toString(KernelConfig.DEFAULT_MAX_PARKED_PULLS)));
            if (maxParkedPulls < 1)
            {
                throw new IllegalArgumentException("--max-parked-pulls is at least 1");
            }
        }
        catch (final NumberFormatException ex)
        {
            System.err.println("ember serve: --member, --file-sync-level and --max-parked-pulls take a number");
            return 2;
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("ember serve: " + ex.getMessage());
            return 2;
        }
        final Path dir = Path.of(options.getOrDefault("--dir", "ember-data"));
        final CountDownLatch terminated = new CountDownLatch(1);
        final ClusterMember running;
        try
        {
            running = ClusterMember.launch(dir, members, member, users, syncLevel, maxParkedPulls, terminated::countDown);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("ember serve: " + ex.getMessage());
            return 1;
        }
        catch (final RuntimeException ex)
        {
            System.err.println("ember serve: cannot start member " + member + ": " + ex.getMessage());
            return 1;
        }
        // Chronicle (under the member's journal) replaces the JVM's SIGTERM/SIGINT/SIGHUP handlers with
        // its own chain, which does not exit: a member would ignore `kill PID`. Exit from that chain,
        // with the shell's code for a signal (128 + its number), so the shutdown hook below closes the member.
        net.openhft.chronicle.core.Jvm.addSignalHandler(signal ->
        {
            final int code = "TERM".equals(signal) ? 143 : "INT".equals(signal) ? 130 : "HUP".equals(signal) ? 129 : -1;
            if (code > 0)
            {
                new Thread(() -> System.exit(code), "ember-member-signal").start();
            }
        });
        final java.util.concurrent.atomic.AtomicBoolean hooked = new java.util.concurrent.atomic.AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            hooked.set(true); // SIGTERM / Ctrl-C: close here; main must not call System.exit during shutdown
            closeWithin(running);
            terminated.countDown();
        }, "ember-member-shutdown"));
        System.out.println("member " + member + " of " + members.size() + " on " + dir + ": ingress " +
            members.ingressEndpoints().split(",")[member].substring(2) + ", " + ClusterMembers.PORTS_PER_MEMBER +
            " ports from it; " + ClusterTuning.describe());
        System.out.flush();
        terminated.await();
        if (hooked.get())
        {
            return -1;
        }
        closeWithin(running); // Aeron terminated the member (e.g. ClusterTool shutdown), or it failed
        final String failure = running.failure();
        if (failure != null)
        {
            System.err.println("ember serve: member " + member + " stopped: " + failure);
            return 1;
        }
        return 0;
    }

    /** Close the member, waiting at most 3 s: a close that hangs (seen in Aeron's shutdown, and with dead agents) must not keep the process. */
    private static void closeWithin(final ClusterMember running)
    {
        final Thread closer = new Thread(running::close, "ember-member-close");
        closer.setDaemon(true);
        closer.start();
        try
        {
            closer.join(3_000);
        }
        catch (final InterruptedException ignored)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static String required(final Map<String, String> options, final String name)
    {
        final String value = options.get(name);
        if (value == null)
        {
            throw new IllegalArgumentException(name + " is required");
        }
        return value;
    }

    private static int shell(final Map<String, String> options) throws Exception
    {
        final ClusterMembers members;
        final Credentials.Entry credentials;
        try
        {
            members = ClusterMembers.parse(options.get("--cluster"));
            if (!options.containsKey("--credentials"))
            {
                throw new IllegalArgumentException("--credentials FILE is required (one line: USER SECRET)");
            }
            credentials = Credentials.loadClient(Path.of(options.get("--credentials")));
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("ember shell: " + ex.getMessage());
            return 2;
        }
        final ClusterClient client;
        try
        {
            client = ClusterClient.connect(members, credentials);
        }
        catch (final EmberException ex)
        {
            System.err.println("ember shell: " + ex.getMessage());
            return 1;
        }
        try (client)
        {
            final PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false,
                StandardCharsets.UTF_8);
            final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            final Shell shell = new Shell(client, out);
            shell.startHandlerPump();
            try
            {
                shell.run(in);
            }
            finally
            {
                shell.stopHandlerPump();
            }
            out.flush();
            return shell.anyFailed() ? 1 : 0;
        }
    }

    /** SPEC §8: one line; records and digest from the journal, role and clients from the member's status file. */
    private static int status(final Path dir)
    {
        final String live = MemberStatus.readLive(dir);
        final KernelState state;
        try
        {
            // a running member makes its journal's first file with its first record: until then, nothing
            state = live != null && ember.journal.Journal.firstOpenUnfinished(dir) ? new KernelState() : OfflineState.read(dir);
        }
        catch (final RuntimeException ex)
        {
            System.err.println("ember status: " + ex.getMessage());
            return 1;
        }
        final StringBuilder line = new StringBuilder();
        if (live != null)
        {
            line.append("mode=cluster ").append(live, 0, live.indexOf(" clients="));
        }
        else
        {
            line.append("mode=stopped");
        }
        line.append(" records=").append(state.lastIndex()).append(" digest=").append(state.digest());
        if (live != null)
        {
            line.append(live.substring(live.indexOf(" clients=")));
        }
        line.append(" processes=").append(state.pids().length);
        System.out.println(line);
        return 0;
    }

    /** How long {@code snapshot} waits for this member to have written the snapshot it asked for. */
    private static final long SNAPSHOT_WAIT_MS = 30_000;

    /**
     * {@code ember snapshot --dir DIR} on any member: an admin request through the cluster (the
     * leader performs it, every member snapshots at the same log position), then wait until this
     * member's recording log lists a snapshot newer than before.
     */
    private static int snapshot(final Path dir) throws InterruptedException
    {
        if (MemberStatus.readLive(dir) == null)
        {
            System.err.println("ember snapshot: no member is running on " + dir);
            return 1;
        }
        final AdminAccess.Access access;
        try
        {
            access = AdminAccess.read(dir);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("ember snapshot: " + ex.getMessage());
            return 1;
        }
        final long before = latestSnapshotPosition(dir);
        final String refused;
        try
        {
            refused = ClusterClient.requestSnapshot(access.members(), access.credentials());
        }
        catch (final EmberException ex)
        {
            System.err.println("ember snapshot: " + ex.getMessage());
            return 1;
        }
        if (refused != null)
        {
            System.err.println("ember snapshot: the leader refused: " + refused);
            return 1;
        }
        for (long waited = 0; waited < SNAPSHOT_WAIT_MS; waited += 50)
        {
            final long position = latestSnapshotPosition(dir);
            if (position > before)
            {
                System.out.println("ember snapshot: taken at log position " + position);
                return 0;
            }
            Thread.sleep(50);
        }
        System.err.println("ember snapshot: the leader accepted, but this member wrote no snapshot within " +
            SNAPSHOT_WAIT_MS / 1000 + " s");
        return 1;
    }

    /** @return the log position of the member's latest service snapshot in its recording log, or -1. */
    private static long latestSnapshotPosition(final Path dir)
    {
        try (RecordingLog log = new RecordingLog(MemberStatus.clusterDir(dir).resolve("consensus").toFile(), false))
        {
            final RecordingLog.Entry latest = log.getLatestSnapshot(0);
            return latest == null ? -1 : latest.logPosition;
        }
        catch (final RuntimeException ex)
        {
            return -1; // not written yet
        }
    }
}
