package ember.kernel.bench;

import ember.kernel.client.IpcClient;
import ember.kernel.client.ReceivedEvent;
import ember.kernel.client.Syscalls;
import org.HdrHistogram.Histogram;
import redis.clients.jedis.Jedis;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

/**
 * One benchmark client, run in its own JVM by {@link ServiceBench}. Prints {@code OPS n seconds}
 * and {@code HIST base64} (an HdrHistogram of per-operation latency in ns) when done; the pipelined
 * modes count commands (64 per batch) in {@code OPS} and batches in the histogram.
 * <pre>
 *   rtt    DIR SECONDS              getpid round trips through the service
 *   pairs  DIR SECONDS              queueEvent + pullEvent on its own process (RPUSH/BLPOP's analogue)
 *   paced  DIR SECONDS PAUSE_US     getpid after each pause of PAUSE_US (parked), the pause left out of the latency
 *   ping   DIR SECONDS PID PEER     sendEvent(PEER, now) then wait for the pong
 *   pong   DIR SECONDS PID          pullEvent; records now - sent (one way); sendEvent back
 *   redis  PORT SECONDS KEY         RPUSH KEY + BLPOP KEY against Redis
 *   pipelined DIR SECONDS           batches of 64 pipelined syscalls: 32 queueEvent then 32 pullEvent, then sync
 *   redis-pipelined PORT SECONDS KEY  Jedis pipelines of 64 commands: 32 RPUSH KEY then 32 LPOP KEY, then sync
 *   alloc  DIR COUNT KIND           allocation per syscall on this thread: KIND getpid or pairs (see below)
 * </pre>
 * The {@code alloc} mode warms up, prints {@code WARM}, waits for a line on stdin (the service
 * then samples its core thread), runs COUNT operations measuring the bytes this thread allocated
 * ({@code ThreadMXBean.getCurrentThreadAllocatedBytes}) and prints {@code ALLOC COUNT BYTES}.
 */
public final class BenchClient
{
    /** Commands per pipelined batch, on both sides (as {@code redis-benchmark -P 64}). */
    static final int PIPELINE_BATCH = 64;

    private BenchClient()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final String mode = args[0];
        if ("alloc".equals(mode))
        {
            allocation(Path.of(args[1]), Long.parseLong(args[2]), args[3]);
            return;
        }
        final double seconds = Double.parseDouble(args[2]);
        final Histogram histogram = new Histogram(60_000_000_000L, 3);
        final long[] ops = new long[1];
        final long elapsedNs;
        if ("redis-pipelined".equals(mode))
        {
            try (Jedis redis = new Jedis("127.0.0.1", Integer.parseInt(args[1])))
            {
                final String key = args[3];
                elapsedNs = loop(seconds, histogram, ops, () ->
                {
                    final redis.clients.jedis.Pipeline pipeline = redis.pipelined();
                    for (int i = 0; i < PIPELINE_BATCH / 2; i++)
                    {
                        pipeline.rpush(key, "x");
                    }
                    for (int i = 0; i < PIPELINE_BATCH / 2; i++)
                    {
                        pipeline.lpop(key);
                    }
                    pipeline.sync();
                });
                ops[0] *= PIPELINE_BATCH;
            }
        }
        else if ("redis".equals(mode))
        {
            try (Jedis redis = new Jedis("127.0.0.1", Integer.parseInt(args[1])))
            {
                final String key = args[3];
                elapsedNs = loop(seconds, histogram, ops, () ->
                {
                    redis.rpush(key, "x");
                    redis.blpop(0, key);
                });
            }
        }
        else
        {
            try (IpcClient client = IpcClient.connect(Path.of(args[1]), 10_000))
            {
                switch (mode)
                {
                    case "rtt":
                    {
                        final Syscalls sys = client.as(1);
                        elapsedNs = loop(seconds, histogram, ops, sys::getpid);
                        break;
                    }
                    case "paced":
                    {
                        final Syscalls sys = client.as(1);
                        elapsedNs = loop(seconds, histogram, ops, Long.parseLong(args[3]) * 1_000, sys::getpid);
                        break;
                    }
                    case "pairs":
                    {
                        final Syscalls sys = client.as(client.as(1).spawn("bench"));
                        final Map<String, Object> params = Map.of("n", 1L);
                        elapsedNs = loop(seconds, histogram, ops, () ->
                        {
                            sys.queueEvent("tick", params);
                            sys.pullEvent(Syscalls.FOREVER, "tick");
                        });
                        break;
                    }
                    case "pipelined":
                    {
                        final long pid = client.as(1).spawn("bench");
                        final Map<String, Object> params = Map.of("n", 1L);
                        try (ember.kernel.client.Pipeline pipeline = client.pipeline(pid))
                        {
                            elapsedNs = loop(seconds, histogram, ops, () ->
                            {
                                for (int i = 0; i < PIPELINE_BATCH / 2; i++)
                                {
                                    pipeline.queueEvent("tick", params);
                                }
                                for (int i = 0; i < PIPELINE_BATCH / 2; i++)
                                {
                                    pipeline.pullEvent("tick");
                                }
                                pipeline.sync();
                            });
                        }
                        ops[0] *= PIPELINE_BATCH;
                        break;
                    }
                    case "ping":
                    {
                        final Syscalls sys = client.as(Long.parseLong(args[3]));
                        final long peer = Long.parseLong(args[4]);
                        elapsedNs = loop(seconds, histogram, ops, () ->
                        {
                            sys.sendEvent(peer, "ping", System.nanoTime());
                            sys.pullEvent(Syscalls.FOREVER, "remote_event");
                        });
                        sys.sendEvent(peer, "stop", 0L);
                        break;
                    }
                    case "pong":
                    {
                        final Syscalls sys = client.as(Long.parseLong(args[3]));
                        final long start = System.nanoTime();
                        long n = 0;
                        while (true)
                        {
                            final ReceivedEvent event = sys.pullEvent(Syscalls.FOREVER);
                            final long now = System.nanoTime();
                            if ("stop".equals(event.params().get("type")))
                            {
                                break;
                            }
                            histogram.recordValue(Math.max(0, now - (Long)event.params().get("data")));
                            n++;
                            sys.sendEvent((Long)event.params().get("sender"), "pong", 0L);
                        }
                        ops[0] = n;
                        elapsedNs = System.nanoTime() - start;
                        break;
                    }
                    default:
                        throw new IllegalArgumentException("unknown mode " + mode);
                }
            }
        }
        System.out.println("OPS " + ops[0] + " " + elapsedNs);
        final ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        final int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        System.out.println("HIST " + Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length)));
        System.out.flush();
    }

    /** The {@code alloc} mode (see the class javadoc). */
    private static void allocation(final Path dir, final long count, final String kind) throws Exception
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        try (IpcClient client = IpcClient.connect(dir, 10_000))
        {
            final Op op;
            if ("getpid".equals(kind))
            {
                final Syscalls sys = client.as(1);
                op = sys::getpid;
            }
            else
            {
                final Syscalls sys = client.as(client.as(1).spawn("alloc"));
                final Map<String, Object> params = Map.of("n", 1L);
                op = () ->
                {
                    sys.queueEvent("tick", params);
                    sys.pullEvent(Syscalls.FOREVER, "tick");
                };
            }
            for (long i = 0, warm = Math.max(count / 2, 200_000); i < warm; i++)
            {
                op.run();
            }
            System.out.println("WARM");
            System.out.flush();
            if (new java.io.BufferedReader(new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8))
                .readLine() == null)
            {
                return;
            }
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (long i = 0; i < count; i++)
            {
                op.run();
            }
            final long bytes = threads.getCurrentThreadAllocatedBytes() - before;
            System.out.println("ALLOC " + count + " " + bytes);
            System.out.flush();
        }
    }

    @FunctionalInterface
    interface Op
    {
        void run() throws Exception;
    }

    /** Warm up for {@code seconds}, then measure for {@code seconds}. @return measured ns. */
    private static long loop(final double seconds, final Histogram histogram, final long[] ops, final Op op)
        throws Exception
    {
        return loop(seconds, histogram, ops, 0, op);
    }

    /**
     * The same with a pause of at least {@code pauseNs} (a park; 0: none) before each op, left out
     * of the histogram: each op meets a service that had that long to go idle.
     */
    private static long loop(final double seconds, final Histogram histogram, final long[] ops, final long pauseNs,
        final Op op) throws Exception
    {
        final long phase = (long)(seconds * 1e9);
        final long warm = System.nanoTime() + phase;
        while (System.nanoTime() < warm)
        {
            pause(pauseNs);
            op.run();
        }
        final long start = System.nanoTime();
        final long end = start + phase;
        long now = start;
        long n = 0;
        while (now < end)
        {
            if (pauseNs > 0)
            {
                pause(pauseNs);
                now = System.nanoTime();
            }
            op.run();
            final long after = System.nanoTime();
            if (histogram != null)
            {
                histogram.recordValue(after - now);
            }
            now = after;
            n++;
        }
        ops[0] = n;
        return now - start;
    }

    private static void pause(final long pauseNs)
    {
        if (pauseNs > 0)
        {
            java.util.concurrent.locks.LockSupport.parkNanos(pauseNs);
        }
    }
}
