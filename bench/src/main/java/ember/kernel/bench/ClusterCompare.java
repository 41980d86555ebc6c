package ember.kernel.bench;

import ember.cluster.ClusterCli;
import ember.cluster.ClusterClient;
import ember.cluster.ClusterMembers;
import ember.cluster.ClusterTuning;
import ember.cluster.Credentials;
import ember.cluster.MemberStatus;
import ember.kernel.client.EmberException;
import ember.kernel.core.JvmCommand;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The Java half of {@code bench/cluster-compare.sh}: with three etcd members already running on
 * loopback, measures, side by side in one run and with the same harness (one thread per client,
 * warm-up then a measured phase, HdrHistogram):
 * <ul>
 *   <li>a 3-member Ember cluster on loopback (member JVMs started here, {@code ember serve --cluster}),
 *   the archive forcing its data to disk before a member counts it ({@code --file-sync-level 1}):
 *   {@code getpid} from a {@link ClusterClient}, one log entry committed by the majority and applied
 *   and journaled by every member;</li>
 *   <li>the same cluster unsynced ({@code --file-sync-level 0}, labelled {@code unsynced});</li>
 *   <li>etcd through jetcd: a 16-byte put, acknowledged after etcd's Raft majority fsynced it (etcd's default);</li>
 *   <li>{@code failover_ms}: leader {@code kill -9} until the first syscall through the new leader is answered.</li>
 * </ul>
 * Prints {@code name=value} lines. Stops every member it started.
 */
public final class ClusterCompare
{
    private static final String SECRET = "bench-secret";

    private ClusterCompare()
    {
    }

    /** @param args etcd client endpoints (comma separated), measured seconds, clients. */
    public static void main(final String[] args) throws Exception
    {
        final String[] etcd = args[0].split(",");
        final double seconds = Double.parseDouble(args[1]);
        final int clients = Integer.parseInt(args[2]);
        final BiConsumer<String, String> print = (name, value) ->
        {
            System.out.println(name + "=" + value);
            System.out.flush();
        };

        final Figures synced;
        final Figures syncedMany;
        final long failoverMs;
        try (Members cluster = Members.start(1))
        {
            synced = ember(cluster, 1, seconds);
            syncedMany = ember(cluster, clients, seconds);
            failoverMs = cluster.failoverMs();
        }
        final Figures unsynced;
        final Figures unsyncedMany;
        try (Members cluster = Members.start(0))
        {
            unsynced = ember(cluster, 1, seconds);
            unsyncedMany = ember(cluster, clients, seconds);
        }
        final Figures etcdOne = etcd(etcd, 1, seconds);
        final Figures etcdMany = etcd(etcd, clients, seconds);

        print.accept("compare", "ember getpid through 3 loopback members with --file-sync-level 1 (archive fsyncs before " +
            "a member counts the entry) vs etcd 16-byte put through 3 loopback members (etcd default: Raft log fsynced " +
            "before the ack); one thread per client, one request at a time");
        print.accept("clients_n", Integer.toString(clients));
        print.accept("cluster_rtt_p50_us", ServiceBench.format(synced.us(50)));
        print.accept("cluster_rtt_p99_us", ServiceBench.format(synced.us(99)));
        print.accept("cluster_rtt_p999_us", ServiceBench.format(synced.us(99.9)));
        print.accept("cluster_throughput_1_ops_per_s", String.format("%.0f", synced.opsPerSecond));
        print.accept("cluster_throughput_n_ops_per_s", String.format("%.0f", syncedMany.opsPerSecond));
        print.accept("unsynced_cluster_rtt_p50_us", ServiceBench.format(unsynced.us(50)));
        print.accept("unsynced_cluster_rtt_p99_us", ServiceBench.format(unsynced.us(99)));
        print.accept("unsynced_cluster_rtt_p999_us", ServiceBench.format(unsynced.us(99.9)));
        print.accept("unsynced_cluster_throughput_n_ops_per_s", String.format("%.0f", unsyncedMany.opsPerSecond));
        print.accept("etcd_rtt_p50_us", ServiceBench.format(etcdOne.us(50)));
        print.accept("etcd_rtt_p99_us", ServiceBench.format(etcdOne.us(99)));
        print.accept("etcd_rtt_p999_us", ServiceBench.format(etcdOne.us(99.9)));
        print.accept("etcd_throughput_n_ops_per_s", String.format("%.0f", etcdMany.opsPerSecond));
        print.accept("ember_vs_etcd_p50_ratio", String.format("%.2f", etcdOne.us(50) / synced.us(50)));
        print.accept("ember_vs_etcd_throughput_ratio", String.format("%.2f", syncedMany.opsPerSecond / etcdMany.opsPerSecond));
        print.accept("unsynced_ember_vs_etcd_p50_ratio", String.format("%.2f", etcdOne.us(50) / unsynced.us(50)));
        print.accept("failover_ms", Long.toString(failoverMs));
        print.accept("tuning", ClusterTuning.describe());
        print.accept("failover_settings", "leader heartbeat 100 ms, heartbeat timeout 1500 ms, election timeout 500 ms, client request timeout 5000 ms");
        System.exit(0); // jetcd's and Aeron's threads must not keep the JVM
    }

    /** Requests per second over the measured phase and their latencies. */
    record Figures(double opsPerSecond, Histogram histogram)
    {
        double us(final double percentile)
        {
            return histogram.getValueAtPercentile(percentile) / 1000.0;
        }
    }

    /** One client's request, made once per call; throws when it fails. */
    @FunctionalInterface
    interface Op
    {
        void call() throws Exception;
    }

    private static Figures ember(final Members cluster, final int clients, final double seconds) throws Exception
    {
        final List<ClusterClient> connected = new ArrayList<>();
        try
        {
            final List<Op> ops = new ArrayList<>();
            for (int i = 0; i < clients; i++)
            {
                final ClusterClient client = cluster.connect();
                connected.add(client);
                ops.add(() -> client.as(1).getpid());
            }
            return measure(ops, seconds);
        }
        finally
        {
            connected.forEach(ClusterClient::close);
        }
    }

    private static Figures etcd(final String[] endpoints, final int clients, final double seconds) throws Exception
    {
        final List<Client> connected = new ArrayList<>();
        try
        {
            final List<Op> ops = new ArrayList<>();
            final ByteSequence value = ByteSequence.from("0123456789abcdef", StandardCharsets.UTF_8);
            for (int i = 0; i < clients; i++)
            {
                final Client client = Client.builder().endpoints(endpoints).build();
                connected.add(client);
                final KV kv = client.getKVClient();
                final ByteSequence key = ByteSequence.from("ember-bench-" + i, StandardCharsets.UTF_8);
                awaitEtcd(kv, key, value);
                ops.add(() -> kv.put(key, value).get(10, TimeUnit.SECONDS));
            }
            return measure(ops, seconds);
        }
        finally
        {
            connected.forEach(Client::close);
        }
    }

    /** etcd answers once its members have elected a leader: wait (bounded) for the first put. */
    private static void awaitEtcd(final KV kv, final ByteSequence key, final ByteSequence value) throws Exception
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                kv.put(key, value).get(5, TimeUnit.SECONDS);
                return;
            }
            catch (final Exception ex)
            {
                if (attempt >= 6)
                {
                    throw ex;
                }
            }
        }
    }

    /** Each op on its own thread, one request at a time: a warm-up of {@code seconds}, then as long measured. */
    private static Figures measure(final List<Op> ops, final double seconds) throws InterruptedException
    {
        final long phaseNs = (long)(seconds * 1e9);
        final long start = System.nanoTime();
        final long measureFrom = start + phaseNs;
        final long end = measureFrom + phaseNs;
        final Histogram[] histograms = new Histogram[ops.size()];
        final long[] counts = new long[ops.size()];
        final Throwable[] failed = new Throwable[1];
        final List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++)
        {
            final int n = i;
            histograms[n] = new Histogram(60_000_000_000L, 3);
            final Thread thread = new Thread(() ->
            {
                try
                {
                    long now = System.nanoTime();
                    while (now < end)
                    {
                        ops.get(n).call();
                        final long after = System.nanoTime();
                        if (now >= measureFrom)
                        {
                            histograms[n].recordValue(after - now);
                            counts[n]++;
                        }
                        now = after;
                    }
                }
                catch (final Throwable ex)
                {
                    failed[0] = ex;
                }
            }, "bench-client-" + n);
            threads.add(thread);
            thread.start();
        }
        for (final Thread thread : threads)
        {
            thread.join();
        }
        if (failed[0] != null)
        {
            throw new IllegalStateException("a client failed: " + failed[0], failed[0]);
        }
        final Histogram merged = new Histogram(60_000_000_000L, 3);
        long total = 0;
        for (int i = 0; i < histograms.length; i++)
        {
            merged.add(histograms[i]);
            total += counts[i];
        }
        return new Figures(total / seconds, merged);
    }

    /** Three member JVMs on loopback in a temporary directory; closed: all stopped and deleted. */
    private static final class Members implements AutoCloseable
    {
        private final Path work;
        private final String members;
        private final Process[] running = new Process[3];
        private final int syncLevel;

        private Members(final Path work, final String members, final int syncLevel)
        {
            this.work = work;
            this.members = members;
            this.syncLevel = syncLevel;
        }

        static Members start(final int syncLevel) throws IOException, InterruptedException
        {
            final Path work = Files.createTempDirectory("ember-cluster-bench");
            final int base = 30000 + (int)(ProcessHandle.current().pid() % 1000) * 20 + syncLevel * 15;
            final Members cluster = new Members(work, "0=127.0.0.1:" + base + ",1=127.0.0.1:" + (base + 5) +
                ",2=127.0.0.1:" + (base + 10), syncLevel);
            final Path users = work.resolve("users");
            Files.writeString(users, "root " + SECRET + "\n");
            Files.setPosixFilePermissions(users, PosixFilePermissions.fromString("rw-------"));
            try
            {
                for (int n = 0; n < 3; n++)
                {
                    cluster.launch(n);
                }
                cluster.awaitLeader(-1);
                return cluster;
            }
            catch (final IOException | RuntimeException | InterruptedException ex)
            {
                cluster.close(); // no member outlives a failed start
                throw ex;
            }
        }

        private void launch(final int n) throws IOException
        {
            running[n] = new ProcessBuilder(JvmCommand.of(flag -> flag.startsWith("--add-") || flag.startsWith("-Dchronicle") ||
                flag.startsWith("-Dorg.slf4j") || flag.startsWith("-Dember.cluster.") || flag.startsWith("-Daeron."), List.of("-Xmx256m"), ClusterCli.class, "serve",
                "--dir", work.resolve("m" + n).toString(), "--cluster", members, "--member", Integer.toString(n),
                "--users", work.resolve("users").toString(), "--file-sync-level", Integer.toString(syncLevel)))
                .redirectErrorStream(true).redirectOutput(work.resolve("member" + n + ".log").toFile()).start();
        }

        /** @return the leader's id once a live member other than {@code not} says it leads. */
        int awaitLeader(final int not) throws InterruptedException
        {
            for (int i = 0; i < 600; i++)
            {
                for (int n = 0; n < 3; n++)
                {
                    final String live = n == not ? null : MemberStatus.readLive(work.resolve("m" + n));
                    if (live != null && live.contains("role=leader"))
                    {
                        return n;
                    }
                }
                Thread.sleep(50);
            }
            throw new IllegalStateException("no leader elected within 30 s; see " + work);
        }

        ClusterClient connect()
        {
            final ClusterClient client = ClusterClient.connect(ClusterMembers.parse(members),
                new Credentials.Entry("root", SECRET));
            client.as(1).getpid();
            return client;
        }

        /** kill -9 of the leader, then one getpid: how long until it is answered (through the new leader). */
        long failoverMs() throws IOException, InterruptedException
        {
            try (ClusterClient client = connect())
            {
                final int leader = awaitLeader(-1);
                running[leader].destroyForcibly().waitFor();
                final long killed = System.nanoTime();
                for (int attempt = 1; ; attempt++)
                {
                    try
                    {
                        client.as(1).getpid();
                        break;
                    }
                    catch (final EmberException ex)
                    {
                        if (attempt >= 3)
                        {
                            throw ex;
                        }
                    }
                }
                final long answered = System.nanoTime();
                launch(leader); // back to three, so that it stops cleanly (and removes its driver files)
                return TimeUnit.NANOSECONDS.toMillis(answered - killed);
            }
        }

        @Override
        public void close() throws IOException, InterruptedException
        {
            for (final Process process : running)
            {
                if (process != null)
                {
                    process.destroy(); // SIGTERM: the member closes Aeron and deletes its driver directory
                }
            }
            for (final Process process : running)
            {
                if (process == null)
                {
                    continue;
                }
                if (!process.waitFor(10, TimeUnit.SECONDS))
                {
                    process.destroyForcibly().waitFor();
                }
            }
            EmbeddedBench.delete(work);
        }
    }
}
