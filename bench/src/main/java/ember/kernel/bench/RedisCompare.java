package ember.kernel.bench;

import ember.kernel.core.Kernel;
import ember.kernel.core.KernelConfig;
import ember.kernel.transport.IpcServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Java half of {@code bench/redis-compare.sh}: with Redis already running on a loopback
 * port, measures the same workloads against Redis and against an Ember service in this JVM, one
 * syscall at a time and pipelined (batches of {@value BenchClient#PIPELINE_BATCH}: Ember's
 * {@code Pipeline}, Jedis pipelines; the script passes {@code redis-benchmark -P 64}'s figures).
 * <p>
 * The Ember service runs with the idle strategy README documents, also when there are fewer cores
 * than busy threads: busy-spin ({@link #DOCUMENTED_IDLE}; {@code -Dember.bench.idle=NAME} measures
 * another). Back-off parks the idle core up to 1 ms, and a request that arrives meanwhile waits for
 * the park to end: each client then gets about one round trip per park.
 * <pre>
 *   RedisCompare PORT SECONDS CLIENTS [REDIS_BENCHMARK_RPUSH_PER_S REDIS_BENCHMARK_LPOP_PER_S]
 * </pre>
 */
public final class RedisCompare
{
    /** The core idle strategy README documents for a service with busy clients, however many cores. */
    static final String DOCUMENTED_IDLE = "busy-spin";

    private RedisCompare()
    {
    }

    public static void main(final String[] args)
    {
        final String port = args[0];
        final double seconds = Double.parseDouble(args[1]);
        final int clients = Integer.parseInt(args[2]);
        final double benchmarkRpush = args.length > 3 ? Double.parseDouble(args[3]) : 0;
        final double benchmarkLpop = args.length > 4 ? Double.parseDouble(args[4]) : 0;
        final String idle = System.getProperty("ember.bench.idle", DOCUMENTED_IDLE); // override to compare strategies

        final ServiceBench.Figures redisOne = ServiceBench.clients(1, "redis", seconds, port);
        final ServiceBench.Figures redisMany = ServiceBench.clients(clients, "redis", seconds, port);
        final ServiceBench.Figures redisPipelined = ServiceBench.clients(clients, "redis-pipelined", seconds, port);

        final Path dir;
        try
        {
            dir = Files.createTempDirectory("ember-redis-compare");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final ServiceBench.Figures emberOne;
        final ServiceBench.Figures emberMany;
        final ServiceBench.Figures emberPipelined;
        final double chronicle;
        try
        {
            try (Kernel kernel = Kernel.open(KernelConfig.of(dir).withIdle(KernelConfig.idleStrategy(idle))
                .withBlockSize(64L << 20), k -> new IpcServer(k, dir)))
            {
                kernel.digest();
                emberOne = ServiceBench.clients(1, "pairs", seconds, dir.toString());
                emberMany = ServiceBench.clients(clients, "pairs", seconds, dir.toString());
                emberPipelined = ServiceBench.clients(clients, "pipelined", seconds, dir.toString());
            }
            chronicle = EmbeddedBench.rawChronicleAppends(dir.resolve("raw"), seconds);
        }
        finally
        {
            EmbeddedBench.delete(dir);
        }

        // Each measured operation is one push + one blocking pop: two commands, two syscalls.
        print("clients_n", Integer.toString(clients));
        print("ember_idle", idle);
        print("redis_rtt_p50_us", ServiceBench.format(redisOne.us(50) / 2));
        print("ember_rtt_p50_us", ServiceBench.format(emberOne.us(50) / 2));
        print("redis_throughput_1_ops_per_s", String.format("%.0f", 2 * redisOne.opsPerSecond()));
        print("ember_throughput_1_ops_per_s", String.format("%.0f", 2 * emberOne.opsPerSecond()));
        print("redis_throughput_n_ops_per_s", String.format("%.0f", 2 * redisMany.opsPerSecond()));
        print("ember_throughput_n_ops_per_s", String.format("%.0f", 2 * emberMany.opsPerSecond()));
        print("ember_vs_redis_p50_ratio", String.format("%.2f", redisOne.us(50) / emberOne.us(50)));
        print("ember_vs_redis_throughput_ratio", String.format("%.2f", emberMany.opsPerSecond() / redisMany.opsPerSecond()));
        // Pipelined: commands (syscalls) per second over all clients.
        final double redisFastest = Math.max(redisPipelined.opsPerSecond(), Math.max(benchmarkRpush, benchmarkLpop));
        print("redis_pipelined_jedis_ops_per_s", String.format("%.0f", redisPipelined.opsPerSecond()));
        if (args.length > 3)
        {
            print("redis_benchmark_p64_rpush_per_s", String.format("%.0f", benchmarkRpush));
            print("redis_benchmark_p64_lpop_per_s", String.format("%.0f", benchmarkLpop));
        }
        print("ember_pipelined_ops_per_s", String.format("%.0f", emberPipelined.opsPerSecond()));
        print("chronicle_append_ops_per_s", String.format("%.0f", chronicle));
        print("ember_vs_redis_pipelined_throughput_ratio", String.format("%.2f", emberPipelined.opsPerSecond() / redisFastest));
        print("ember_pipelined_vs_chronicle_ratio", String.format("%.3f", emberPipelined.opsPerSecond() / chronicle));
    }


    private static void print(final String name, final String value)
    {
        System.out.println(name + "=" + value);
        System.out.flush();
    }
}
