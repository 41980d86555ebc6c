package ember.kernel.durability;

import ember.journal.JournalReader;
import ember.journal.PayloadCodec;
import ember.journal.SyscallRecord;
import ember.journal.SyscallType;
import ember.kernel.core.Kernel;
import ember.kernel.core.KernelConfig;
import ember.kernel.state.JournalReplay;
import ember.kernel.state.KernelEffects;
import ember.kernel.state.KernelState;
import ember.kernel.state.PendingTimer;
import ember.kernel.state.SyscallResult;
import ember.kernel.testing.TempDirs;
import org.agrona.concurrent.SystemEpochNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Crash-loop verification: R rounds on one kernel directory. Each round a separate JVM runs
 * {@link MixedCrashLoad} (spawn, queueEvent, sendEvent, kill, exit, timer, alarm, cancel) and is
 * killed with SIGKILL at a random moment, sometimes while it is still recovering; then
 * <ol>
 *   <li>a full replay of the journal must hold every acknowledged syscall's effect, exactly
 *       (see {@link CrashLoopModel}), and no timer may have fired before its deadline;</li>
 *   <li>{@link Kernel#open} must recover the state a fresh full {@link JournalReplay} gives at
 *       the same index, and fire the timers that fell due while nothing ran.</li>
 * </ol>
 * The next round continues on the same directory, so recoveries of recoveries (and of
 * snapshots written just before a crash) are exercised.
 * <p>
 * {@code -Dember.crashloop.rounds=N} sets the rounds (default 5), {@code -Dember.crashloop.seed=S}
 * replays a seed, {@code -Dember.crashloop.keep=true} keeps the kernel directory and the loads'
 * outputs for a post-mortem. The load's stdout goes to a file, not a pipe: a JDK 17 reader thread
 * of a killed child's pipe can lose its last lines ("Stream closed" when the process reaper
 * closes the pipe under it). The counts are printed as {@code CRASHLOOP name=value} lines for
 * {@code bench/crash-loop.sh}.
 */
class CrashLoopTest
{
    static final String PREFIX = "CRASHLOOP ";
    private static final long MAX_RUN_MS = 1500;
    /** The load's core idle strategy, drawn per round. */
    private static final String[] IDLE = {"busy-spin", "busy-spin", "backoff"};

    private final Path dir = TempDirs.create("ember-crashloop");
    private final Path outputs = TempDirs.create("ember-crashloop-out");
    private final LoadJvm jvm = new LoadJvm();
    private Process load;

    @AfterEach
    void cleanup() throws InterruptedException
    {
        if (load != null && load.isAlive())
        {
            load.destroyForcibly();
            load.waitFor(30, TimeUnit.SECONDS);
        }
        jvm.close();
        if (!Boolean.getBoolean("ember.crashloop.keep"))
        {
            TempDirs.delete(dir);
            TempDirs.delete(outputs);
        }
        else
        {
            System.out.println("kept " + dir + " " + outputs);
        }
    }

    private static KernelConfig config(final Path dir)
    {
        return KernelConfig.of(dir).withBlockSize(MixedCrashLoad.BLOCK_SIZE).withLimits(MixedCrashLoad.LIMITS);
    }

    @Test
    void everyAcknowledgedSyscallSurvivesRepeatedKill9() throws Exception
    {
        final int rounds = Integer.getInteger("ember.crashloop.rounds", 5);
        final long seed = Long.getLong("ember.crashloop.seed", System.nanoTime());
        System.out.println(PREFIX + "seed=" + seed);
        final Random random = new Random(seed);
        final CrashLoopModel model = new CrashLoopModel();
        final PayloadCodec codec = new PayloadCodec();
        final long start = System.nanoTime();
        long records = 0;
        long killedBeforeReady = 0;
        long snapshotRecoveries = 0;
        long tornLines = 0;
        long inFlight = 0;
        int checkedEvents = 0;
        long readyMs = 1500;

        for (int round = 1; round <= rounds; round++)
        {
            final String where = "seed " + seed + ", round " + round + ": ";
            final long snapshotEvery = random.nextInt(3) == 0 ? 0 : 200 + random.nextInt(3000);
            final boolean early = random.nextInt(6) == 0;
            final String idle = IDLE[random.nextInt(IDLE.length)];
            // Early: anywhere from JVM start to a little after the last round's READY (so mostly while the
            // load opens and recovers the kernel); otherwise while the load runs.
            final long killAfterMs = early ? random.nextInt((int)(readyMs * 6 / 5) + 1) : random.nextInt((int)MAX_RUN_MS);

            // 1. Run the load and kill -9 it at a random moment.
            final LoadOutput output = new LoadOutput(outputs.resolve("round-" + round + ".out"));
            load = jvm.start(MixedCrashLoad.class, output.file(), dir.toString(), Integer.toString(round),
                Long.toString(random.nextLong()), Long.toString(snapshotEvery), idle);
            final long started = System.nanoTime();
            if (!early)
            {
                final long deadline = started + TimeUnit.SECONDS.toNanos(60);
                while (!output.seen("READY") && load.isAlive() && System.nanoTime() < deadline)
                {
                    Thread.sleep(5);
                }
                assertTrue(output.seen("READY"), where + "the load did not start: " + output.lines());
                readyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            }
            Thread.sleep(killAfterMs);
            assertTrue(load.isAlive(), where + "the load ended by itself (exit " +
                (load.isAlive() ? "?" : load.exitValue()) + ")");
            load.destroyForcibly(); // SIGKILL: no shutdown hook, no close, no flush
            assertTrue(load.waitFor(30, TimeUnit.SECONDS), where + "the load did not die");
            final List<String> lines = output.lines();
            if (!output.seen("READY"))
            {
                killedBeforeReady++;
            }
            if (output.partialBytes() > 0)
            {
                tornLines++;
            }

            // 2. Everything acknowledged is in the journal: replay it, checking timer deadlines on the way.
            System.out.println("crashloop round " + round + ": lines=" + lines.size() + " kill after " + killAfterMs +
                " ms" + (early ? " from start" : " from READY") + ", snapshot every " + snapshotEvery + ", idle " + idle);
            final String[] pending = model.consume(lines, round);
            model.assertNoFailures(where + "the load's acknowledgements contradict the model");
            final KernelState state;
            if (records == 0 && !output.seen("READY") && !metadataReadable())
            {
                // Killed during the very first open, while Chronicle created its metadata file or
                // before the first journal file existed: a read-only reader refuses that journal
                // (JournalMetadataException; the next read-write open, step 3, repairs it). The load
                // acknowledges nothing before READY: nothing to find.
                System.out.println(where + "killed while the journal's metadata was being created: nothing acknowledged");
                state = new KernelState();
            }
            else
            {
                state = replayCheckingDeadlines(where);
            }
            if (pending != null)
            {
                inFlight++;
            }
            model.resolveInFlight(pending, state, codec);
            checkedEvents = model.check(state, codec);
            model.assertNoFailures(where + "the recovered state lost or invented acknowledged syscalls (" +
                model.summary() + "); the load's last lines:\n    " +
                String.join("\n    ", lines.subList(Math.max(0, lines.size() - 12), lines.size())) + "\n ");
            records = state.lastIndex();

            // 3. The kernel recovers (maybe from a snapshot) to what a fresh full replay gives.
            final long openNs = new SystemEpochNanoClock().nanoTime();
            try (Kernel kernel = Kernel.open(config(dir)))
            {
                if (kernel.recoveredRecords() < state.lastIndex())
                {
                    snapshotRecoveries++;
                }
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (true)
                {
                    final String digest = kernel.digest();
                    final long index = Long.parseLong(digest.substring(0, digest.indexOf(':')));
                    assertTrue(index > state.lastIndex(), where + "recovery continues the index: " + index);
                    final KernelState replayed = JournalReplay.replay(dir, index);
                    assertEquals(index, replayed.lastIndex(), where + "replay reaches the kernel's index");
                    assertEquals(digest, index + ":" + replayed.digest(),
                        where + "the recovered kernel and a fresh replay disagree at index " + index);
                    final PendingTimer overdue = replayed.pendingTimers().stream()
                        .filter(t -> t.deadlineNs() < openNs).findFirst().orElse(null);
                    if (overdue == null)
                    {
                        break;
                    }
                    assertTrue(System.nanoTime() < deadline,
                        where + "timer " + overdue + " was due before the kernel opened and has not fired 10 s later");
                    Thread.sleep(20);
                }
            }
        }

        final long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.println(PREFIX + "rounds=" + rounds);
        System.out.println(PREFIX + "acknowledged_syscalls_checked=" + model.acknowledged);
        System.out.println(PREFIX + "acknowledged_errors_checked=" + model.errors);
        System.out.println(PREFIX + "events_checked=" + checkedEvents);
        System.out.println(PREFIX + "records=" + records);
        System.out.println(PREFIX + "in_flight_resolved=" + inFlight);
        System.out.println(PREFIX + "killed_while_starting=" + killedBeforeReady);
        System.out.println(PREFIX + "torn_output_lines=" + tornLines);
        System.out.println(PREFIX + "snapshot_recoveries=" + snapshotRecoveries);
        System.out.println(PREFIX + "elapsed_ms=" + ms);
        System.out.println("crashloop final model: " + model.summary());
    }

    /** @return whether a read-only reader can open the journal at all. */
    private boolean metadataReadable()
    {
        try (JournalReader ignored = new JournalReader(dir, true))
        {
            return true;
        }
        catch (final IllegalStateException ex)
        {
            return false;
        }
    }

    /**
     * Replay the whole journal into a fresh state; every timer or alarm must fire at or after its
     * deadline (SPEC §4), also across crashes and recoveries.
     */
    private KernelState replayCheckingDeadlines(final String where)
    {
        final KernelState state = new KernelState();
        final SyscallRecord record = new SyscallRecord();
        final SyscallResult result = new SyscallResult();
        try (JournalReader reader = new JournalReader(dir, true))
        {
            while (reader.next(record))
            {
                if (record.type == SyscallType.TIMER_FIRED || record.type == SyscallType.ALARM_FIRED)
                {
                    final PendingTimer timer = state.pendingTimer(record.arg0);
                    if (timer != null && timer.deadlineNs() > record.timestamp)
                    {
                        throw new AssertionError(where + "timer " + timer + " fired at " + record.timestamp +
                            ", " + (timer.deadlineNs() - record.timestamp) + " ns before its deadline (record " +
                            record.index + ")");
                    }
                }
                state.apply(record, result, KernelEffects.NONE);
            }
        }
        return state;
    }
}
