package ember.kernel.bench;

import ember.kernel.core.KernelConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.function.BiConsumer;

/**
 * {@code ember bench}: measure Ember and print one {@code name=value} line per figure.
 * <p>
 * Lives in module {@code bench/}, not in the kernel, so that the kernel a program embeds does not
 * depend on the benchmarks' libraries (HdrHistogram, Jedis). {@code bin/ember bench} runs this class
 * on the bench module's class path; the kernel's {@code EmberCli} lists {@code bench} and, when this
 * class is on its class path, delegates to {@link #run(String[])} by name (no compile-time dependency).
 * Runs on the calling thread; the benchmarks start their own threads and JVMs and stop them.
 */
@Command(name = "ember bench", mixinStandardHelpOptions = true, version = "ember 0.1.0",
    description = {
        "Measure Ember and print one name=value line per figure.",
        "Bounded: each phase runs --seconds after an equal warm-up."
    })
public final class BenchCli implements Callable<Integer>
{
    @Option(names = "--seconds", defaultValue = "3", description = "measured seconds per phase (default: ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--idle", paramLabel = "STRATEGY", defaultValue = "busy-spin",
        description = "the service's idle strategy in the service figures (default: ${DEFAULT-VALUE})")
    String idle;

    @Option(names = "--clients", defaultValue = "4", description = "client JVMs of the N-client figures (default: ${DEFAULT-VALUE})")
    int clients;

    @Option(names = "--only", paramLabel = "GROUP",
        description = "run one group of figures: embedded, parked, service, chain, alloc, sync, recovery, snapshot, paced or flood (default: embedded, parked, service (alloc included), chain, sync)")
    String only;

    @Option(names = "--snapshot-timers", defaultValue = "1000000",
        description = "pending timers in the state of the snapshot figures (default: ${DEFAULT-VALUE})")
    long snapshotTimers;

    @Option(names = "--recovery-records", split = ",", defaultValue = "1000000,10000000",
        description = "journal lengths of the recovery figures (default: ${DEFAULT-VALUE})")
    long[] recoveryRecords;

    public static void main(final String[] args)
    {
        System.exit(run(args));
    }

    /**
     * Parse {@code args} (the words after {@code bench}) and run the benchmarks they select.
     *
     * @return the exit code: 0, or 2 for bad options (picocli's usage error on stderr).
     */
    public static int run(final String[] args)
    {
        return new CommandLine(new BenchCli()).execute(args);
    }

    @Override
    public Integer call()
    {
        final BiConsumer<String, String> print = (name, value) ->
        {
            System.out.println(name + "=" + value);
            System.out.flush();
        };
        if (only == null || only.equals("embedded"))
        {
            EmbeddedBench.run(seconds, print);
        }
        if (only == null || only.equals("parked"))
        {
            ParkedPullsBench.run(seconds, print);
        }
        if (only == null || only.equals("service"))
        {
            ServiceBench.run(seconds, clients, KernelConfig.idleStrategy(idle), print);
        }
        if (only == null || only.equals("chain"))
        {
            ServiceBench.chainCost(seconds, KernelConfig.idleStrategy(idle), print);
        }
        if (only == null || only.equals("sync"))
        {
            DurabilityBench.syncModes(seconds, print);
        }
        if ("recovery".equals(only))
        {
            DurabilityBench.recovery(recoveryRecords, print);
        }
        if ("alloc".equals(only))
        {
            ServiceBench.allocation(print);
        }
        if ("paced".equals(only))
        {
            ServiceBench.paced(seconds, KernelConfig.idleStrategy(idle), print);
        }
        if ("flood".equals(only))
        {
            FloodBench.run(seconds, KernelConfig.idleStrategy(idle), print);
        }
        if ("snapshot".equals(only))
        {
            DurabilityBench.snapshotPause(snapshotTimers, seconds, print);
        }
        return 0;
    }
}
