package ember.kernel.bench;

import ember.kernel.core.Kernel;
import ember.kernel.core.KernelConfig;
import ember.kernel.transport.IpcServer;
import org.agrona.concurrent.BusySpinIdleStrategy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Java half of {@code bench/redis-compare.sh}: with Redis already running on a loopback
 * port, measures the same workloads against Redis and against an Ember service in this JVM.
 */
public final class RedisCompare
{
    private RedisCompare()
    {
    }

    public static void main(final String[] args)
    {
        final String port = args[0];
        final double seconds = Double.parseDouble(args[1]);
        final int clients = Integer.parseInt(args[2]);

        final ServiceBench.Figures redisOne = ServiceBench.clients(1, "redis", seconds, port);
        final ServiceBench.Figures redisMany = ServiceBench.clients(clients, "redis", seconds, port);

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
        try (Kernel kernel = Kernel.open(KernelConfig.of(dir).withIdle(BusySpinIdleStrategy::new).withBlockSize(64L << 20),
            k -> new IpcServer(k, dir)))
        {
            kernel.digest();
            emberOne = ServiceBench.clients(1, "pairs", seconds, dir.toString());
            emberMany = ServiceBench.clients(clients, "pairs", seconds, dir.toString());
        }
        finally
        {
            EmbeddedBench.delete(dir);
        }

        // Each measured operation is one push + one blocking pop: two commands, two syscalls.
        print("clients_n", Integer.toString(clients));
        print("redis_rtt_p50_us", ServiceBench.format(redisOne.us(50) / 2));
        print("ember_rtt_p50_us", ServiceBench.format(emberOne.us(50) / 2));
        print("redis_throughput_1_ops_per_s", String.format("%.0f", 2 * redisOne.opsPerSecond()));
        print("ember_throughput_1_ops_per_s", String.format("%.0f", 2 * emberOne.opsPerSecond()));
        print("redis_throughput_n_ops_per_s", String.format("%.0f", 2 * redisMany.opsPerSecond()));
        print("ember_throughput_n_ops_per_s", String.format("%.0f", 2 * emberMany.opsPerSecond()));
        print("ember_vs_redis_p50_ratio", String.format("%.2f", redisOne.us(50) / emberOne.us(50)));
        print("ember_vs_redis_throughput_ratio", String.format("%.2f", emberMany.opsPerSecond() / redisMany.opsPerSecond()));
    }

    private static void print(final String name, final String value)
    {
        System.out.println(name + "=" + value);
        System.out.flush();
    }
}
