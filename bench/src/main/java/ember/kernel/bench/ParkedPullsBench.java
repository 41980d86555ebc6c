package ember.kernel.bench;

import ember.journal.SyscallType;
import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.Syscalls;
import ember.kernel.core.ClientSession;
import ember.kernel.core.Command;
import ember.kernel.core.Kernel;
import ember.kernel.core.KernelConfig;
import org.agrona.concurrent.BusySpinIdleStrategy;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.util.function.BiConsumer;

/**
 * What parked {@code pullEvent} calls cost the others: queueEvent + pullEvent (the core's cost per
 * pair, pipelined) in process A with nothing parked, then with 100,000 pulls parked over other
 * processes (names that never match) and A's own cap of 1,024 parked, alternating over five
 * rounds (medians); and the heap one parked pull takes: in all (the client's
 * command and record included) and the kernel's index alone.
 */
public final class ParkedPullsBench
{
    static final int OTHER_PROCESSES = 100;
    static final int PER_OTHER_PROCESS = 1_000;

    private ParkedPullsBench()
    {
    }

    /**
     * @param seconds how long each measured phase runs (after an equal warm-up).
     * @param out     receives {@code name=value} figures.
     */
    public static void run(final double seconds, final BiConsumer<String, String> out)
    {
        final Path dir = EmbeddedBench.tempDir();
        final KernelConfig config = KernelConfig.of(dir).withIdle(BusySpinIdleStrategy::new).withBlockSize(64L << 20)
            .withSnapshots(0, 0, false);
        try (Kernel kernel = Kernel.open(config); EmbeddedClient client = new EmbeddedClient(kernel))
        {
            final Syscalls init = client.as(1);
            final long a = init.spawn("a");
            final long[] others = new long[OTHER_PROCESSES];
            for (int i = 0; i < others.length; i++)
            {
                others[i] = init.spawn("idle" + i);
            }
            final int parkedInA = config.maxParkedPulls();
            final int total = OTHER_PROCESSES * PER_OTHER_PROCESS + parkedInA;
            // The machine is shared and noisy: alternate quiet and parked phases, compare medians.
            final int rounds = 5;
            final double phase = Math.max(0.5, seconds / 3);
            final double[] quiet = new double[rounds];
            final double[] withParked = new double[rounds];
            long heapBefore = 0;
            long heapCommands = 0;
            long heapParked = 0;
            int stillParked = 0;
            for (int round = 0; round < rounds; round++)
            {
                final ClientSession session = kernel.attach("root");
                quiet[round] = pairNs(kernel, session, a, phase);

                if (round == 0)
                {
                    heapBefore = usedHeap();
                }
                final Command[] pulls = new Command[total];
                int n = 0;
                for (final long pid : others)
                {
                    for (int i = 0; i < PER_OTHER_PROCESS; i++)
                    {
                        pulls[n++] = pull(session, pid);
                    }
                }
                for (int i = 0; i < parkedInA; i++)
                {
                    pulls[n++] = pull(session, a);
                }
                if (round == 0)
                {
                    heapCommands = usedHeap();
                }
                for (final Command command : pulls)
                {
                    kernel.submit(command);
                }
                init.getpid(); // answered after every pull above was handled
                if (round == 0)
                {
                    heapParked = usedHeap();
                }
                stillParked = 0;
                for (final Command command : pulls)
                {
                    stillParked += command.isDone() ? 0 : 1;
                }

                withParked[round] = pairNs(kernel, session, a, phase);
                kernel.detach(session); // answers its parked pulls ("client detached"): quiet again
            }
            final double quietNs = EmbeddedBench.median(quiet);
            final double parkedNs = EmbeddedBench.median(withParked);
            out.accept("parked_pulls", Integer.toString(stillParked));
            out.accept("enqueue_quiet_ns", String.format("%.0f", quietNs));
            out.accept("enqueue_with_parked_ns", String.format("%.0f", parkedNs));
            out.accept("parked_vs_quiet_ratio", String.format("%.3f", parkedNs / quietNs));
            out.accept("parked_pull_heap_bytes", String.format("%.0f", (heapParked - heapBefore) / (double)total));
            out.accept("parked_pull_index_bytes", String.format("%.0f", (heapParked - heapCommands) / (double)total));
        }
        finally
        {
            EmbeddedBench.delete(dir);
        }
    }

    /**
     * @return ns of core time per queueEvent + pullEvent pair in process {@code pid}, from the
     * pipelined rate (commands kept in flight, so the figure is the core's cost, not the
     * scheduler's hand-offs between client and core threads).
     */
    private static double pairNs(final Kernel kernel, final ClientSession session, final long pid, final double seconds)
    {
        return 2e9 / EmbeddedBench.pipelined(kernel, session, pid, seconds);
    }

    /** A pull that waits (1e9 s) for a name no one sends, as a client would submit it. */
    private static Command pull(final ClientSession session, final long pid)
    {
        final Command command = new Command(c -> { });
        command.session = session;
        command.record.reset(SyscallType.PULL_EVENT, pid).names = new String[]{"never"};
        command.record.number = 1e9;
        return command;
    }

    /** @return bytes of heap in use after a full collection (approximate: System.gc is a request). */
    private static long usedHeap()
    {
        final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++)
        {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
