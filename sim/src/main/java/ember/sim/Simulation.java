package ember.sim;

import ember.journal.Journal;
import ember.journal.JournalReader;
import ember.journal.PayloadCodec;
import ember.journal.SyscallType;
import ember.kernel.core.ClientSession;
import ember.kernel.core.Command;
import ember.kernel.core.HandlerCall;
import ember.kernel.core.Kernel;
import ember.kernel.core.KernelConfig;
import ember.kernel.core.SimulationAccess;
import ember.kernel.core.SyncMode;
import ember.kernel.state.Event;
import ember.kernel.state.JournalReplay;
import ember.kernel.state.KernelState;
import ember.kernel.state.PendingTimer;
import ember.kernel.state.ProcessEntry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * One seeded run of the real kernel (driven core, real Chronicle journal on a tmpfs, real
 * snapshots and recovery) under a simulated clock, simulated clients of several users and
 * injected faults, checked after every step against {@link Model}. Everything the run decides
 * comes from one {@link SplittableRandom}: the same seed and step count give the same run, and
 * the same {@link Result#traceDigest}.
 * <p>
 * Invariants after every step: each answered syscall equals the model's answer; waiting pulls are
 * answered exactly when and as the model says; each client got exactly the handler calls the model
 * says; the state rebuilt by replaying the journal (incrementally) equals the model (processes,
 * queues, pending timers with their deadlines, services) and its digest equals the live kernel's;
 * nothing is answered under {@code --sync always|batch} before it is synced; the core never
 * stopped itself. A crash loses nothing that was answered; a corrupted byte in the journal or in a
 * snapshot is detected, never applied.
 * <p>
 * Not thread-safe: one simulator thread.
 */
final class Simulation
{
    /** What a run found. */
    record Result(long seed, int steps, String failure, String traceDigest, TreeMap<String, Integer> faults)
    {
    }

    static
    {
        // Chronicle's disk monitor warns of each full tmpfs the simulator makes on purpose, from a thread of its own.
        System.setProperty("chronicle.disk.monitor.disable", "true");
    }

    private static final String[] USERS = {"root", "alice", "bob"};
    private static final String[] NAMES = {"a", "b", "c"};
    private static final String[] SERVICES = {"svc1", "svc2", "svc3"};
    private static final long MS = 1_000_000L;
    /** The core looks at the journal's free space every 100 ms of its clock. */
    private static final long DISK_CHECK_NS = 100 * MS;
    /** Less than the core's two journal blocks (1 MiB here) and 1 MiB: it must refuse. */
    private static final long DISK_LEFT_FREE = 1L << 20;
    private static final ember.kernel.core.CheckpointPolicy NO_CHECKPOINTS = new ember.kernel.core.CheckpointPolicy(0, 0, false, null);

    private final long seed;
    private final int steps;
    private final PlantedBug bug;
    private final Path scratch;
    private final boolean wantsDisk;
    private Path root;
    private SimDisk disk;
    private final SplittableRandom rnd;
    private final SimClock clock;
    private final SimLimits limits;
    private final SyncMode sync;
    private KernelConfig config;
    private final PayloadCodec codec = new PayloadCodec();
    private final MessageDigest trace;
    private final TreeMap<String, Integer> faults = new TreeMap<>();
    private final List<SimClient> clients = new ArrayList<>();
    private Model model;
    private Kernel kernel;
    private JournalReader replicaReader;
    private KernelState replica;
    private long syncedIndex;
    private boolean snapshotFault;
    private int step;
    private String liveView;
    private java.io.PrintStream traceOut;

    /** A simulated client: a session of one user, its waiting pulls. */
    private static final class SimClient
    {
        final int id;
        final String user;
        final ClientSession session;
        final List<Object[]> waiting = new ArrayList<>(); // {Command, Model.Waiter}

        SimClient(final int id, final String user, final ClientSession session)
        {
            this.id = id;
            this.user = user;
            this.session = session;
        }
    }

    /** A broken invariant. */
    static final class Divergence extends RuntimeException
    {
        Divergence(final String message)
        {
            super(message, null, false, false);
        }
    }

    Simulation(final long seed, final int steps, final PlantedBug bug, final Path root)
    {
        this.seed = seed;
        this.steps = steps;
        this.bug = bug;
        this.scratch = root.resolve("seed-" + seed);
        this.root = scratch;
        this.rnd = new SplittableRandom(seed);
        // A start anywhere in 2023-2026, at any time of day: alarms at times of day are exercised.
        this.clock = new SimClock(1_672_531_200_000_000_000L + rnd.nextLong(4 * 365 * 86_400_000_000_000L));
        this.limits = new SimLimits(1 + rnd.nextInt(6), 40 + rnd.nextInt(80), 4 + rnd.nextInt(8), 2 + rnd.nextInt(6),
            1 + rnd.nextInt(4), 1 + rnd.nextInt(3));
        this.sync = SyncMode.values()[rnd.nextInt(SyncMode.values().length)];
        // Signed checkpoints in a quarter of the seeds: an Ed25519 signature per checkpoint is a large share of a run.
        this.config = configFor(this.root).withSnapshots(rnd.nextBoolean() ? 0 : 8 + rnd.nextInt(40), 0, rnd.nextBoolean())
            .withCheckpoints(rnd.nextInt(4) == 0 ? ember.kernel.core.CheckpointPolicy.DEFAULTS : NO_CHECKPOINTS);
        // A fifth of the seeds run on a small tmpfs of their own, which a filler file makes full (needs root).
        this.wantsDisk = rnd.nextInt(5) == 0;
        try
        {
            this.trace = MessageDigest.getInstance("SHA-256");
        }
        catch (final java.security.NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private KernelConfig configFor(final Path dir)
    {
        return KernelConfig.of(dir).withClock(clock).withBlockSize(1 << 20).withSync(sync)
            .withLimits(limits.kernelLimits()).withMaxParkedPulls(limits.maxParked());
    }

    /** Run every step, then clean up the directory. Never throws: a failure is in the result. */
    Result run()
    {
        String failure = null;
        SimulationAccess.probe(new Probe());
        SimulationAccess.snapshotWriteFault(index -> snapshotFault);
        ember.kernel.state.SimulationStateAccess.plantSkipParent(bug == PlantedBug.DIGEST_SKIPS_A_FIELD);
        try
        {
            Files.createDirectories(root.getParent());
            deleteTree(root);
            if (wantsDisk)
            {
                disk = SimDisk.mount(scratch.resolveSibling(scratch.getFileName() + "-disk"));
                if (disk == null)
                {
                    count("disk_full_unavailable"); // SimCli says so: not root, or no tmpfs
                }
                else
                {
                    root = disk.dir();
                    config = configFor(root).withSnapshots(config.snapshotEvery(), config.snapshotIntervalMs(),
                        config.snapshotOnClose()).withCheckpoints(config.checkpoints());
                }
            }
            model = new Model(limits);
            open();
            for (step = 1; step <= steps; step++)
            {
                step();
                check();
            }
            closeKernel();
        }
        catch (final Divergence ex)
        {
            failure = "step " + step + ": " + ex.getMessage();
        }
        catch (final Throwable ex)
        {
            failure = "step " + step + ": exception: " + ex;
        }
        finally
        {
            SimulationAccess.probe(null);
            SimulationAccess.snapshotWriteFault(null);
            ember.kernel.state.SimulationStateAccess.plantSkipParent(false);
            if (kernel != null && !kernel.isClosed())
            {
                try
                {
                    SimulationAccess.crash(kernel);
                }
                catch (final Throwable ignored)
                {
                    // tearing down after a failure
                }
            }
            closeReplica();
            deleteTree(root);
            if (disk != null)
            {
                disk.close();
            }
        }
        return new Result(seed, steps, failure, HexFormat.of().formatHex(trace.digest()).substring(0, 16), faults);
    }

    // ---------------------------------------------------------------------------------- steps

    private void step()
    {
        final int r = rnd.nextInt(1000);
        if (r < 620 || clients.isEmpty())
        {
            if (clients.isEmpty() || r >= 620 && r < 700)
            {
                attach();
            }
            else
            {
                syscall(clients.get(rnd.nextInt(clients.size())));
            }
        }
        else if (r < 760)
        {
            advanceClock();
        }
        else if (r < 800)
        {
            attach();
        }
        else if (r < 830)
        {
            detach(clients.get(rnd.nextInt(clients.size())));
        }
        else if (r < 850)
        {
            crash(rnd.nextBoolean());
        }
        else if (r < 860)
        {
            restartCleanly();
        }
        else if (r < 875)
        {
            snapshotFault = !snapshotFault;
            count(snapshotFault ? "snapshot_write_failing" : "snapshot_write_ok");
            log("snapshot-fault " + snapshotFault);
        }
        else if (r < 880)
        {
            if (rnd.nextBoolean())
            {
                corruptCopy(true);
            }
            else
            {
                corruptJournalRecord();
            }
        }
        else if (r < 890 && disk != null)
        {
            diskFull();
        }
        else
        {
            syscall(clients.get(rnd.nextInt(clients.size())));
        }
    }

    private void advanceClock()
    {
        long to;
        final int how = rnd.nextInt(4);
        final Model.Timer next = model.timers.values().stream().min((a, b) -> Long.compare(a.deadline(), b.deadline())).orElse(null);
        if (how == 0 && next != null)
        {
            to = next.deadline() - 1 - rnd.nextLong(2 * ember.kernel.core.TimerWheel.TICK_NS); // just before a deadline
        }
        else if (how == 1 && next != null)
        {
            to = next.deadline();
        }
        else if (how == 2)
        {
            to = clock.nanoTime() + rnd.nextLong(3_600_000 * MS); // up to an hour: alarms come due
        }
        else
        {
            to = clock.nanoTime() + rnd.nextLong(3_000 * MS);
        }
        // The wheel fires at ~1 ms ticks: a timer may fire up to a tick after its deadline (SPEC: never
        // before). The model fires at the deadline, so the clock never stops within two ticks after one.
        final long guard = 2 * ember.kernel.core.TimerWheel.TICK_NS;
        boolean moved = true;
        while (moved)
        {
            moved = false;
            for (final Model.Timer t : model.timers.values())
            {
                if (t.deadline() <= to && to < t.deadline() + guard)
                {
                    to = t.deadline() + guard;
                    moved = true;
                }
            }
        }
        clock.advance(to - clock.nanoTime());
        log("clock " + clock.nanoTime());
        cycle();
        model.tick(clock.nanoTime());
    }

    private void attach()
    {
        final String user = USERS[rnd.nextInt(USERS.length)];
        final Command c = new Command(x -> { });
        c.record.reset(SyscallType.CLIENT_ATTACH, 0).text = user;
        kernel.submit(c);
        cycle();
        expectDone(c, "attach");
        final int id = model.attach(user);
        equal("attach " + user, "num:" + id, c.refusal == null ? "num:" + c.result.number : "err:" + c.refusal);
        clients.add(new SimClient(id, user, c.session));
        model.tick(clock.nanoTime());
    }

    private void detach(final SimClient client)
    {
        final Command c = new Command(x -> { });
        c.record.reset(SyscallType.CLIENT_DETACH, 0).arg0 = client.id;
        kernel.submit(c);
        cycle();
        expectDone(c, "detach");
        model.detach(client.id);
        clients.remove(client);
        log("detach " + client.id + " waiting=" + client.waiting.size());
        checkWaiters(client);
        model.tick(clock.nanoTime());
    }

    private void syscall(final SimClient client)
    {
        final long pid = pickPid();
        final int id = client.id;
        final long now = clock.nanoTime();
        final Command c = new Command(x -> { });
        c.session = client.session;
        final String expected;
        final String what;
        final int kind = rnd.nextInt(17);
        switch (kind)
        {
            case 0:
            {
                final String name = rnd.nextInt(3) == 0 ? null : "p" + rnd.nextInt(3);
                c.record.reset(SyscallType.SPAWN, pid).text = name;
                what = "spawn " + name;
                expected = model.spawn(id, pid, name);
                break;
            }
            case 1:
            {
                final long code = rnd.nextInt(5);
                c.record.reset(SyscallType.EXIT, pid).arg0 = code;
                what = "exit " + code;
                expected = model.exit(id, pid, code);
                break;
            }
            case 2:
                c.record.reset(rnd.nextBoolean() ? SyscallType.GETPID : SyscallType.GETPPID, pid);
                what = c.record.type.name();
                expected = c.record.type == SyscallType.GETPID ? model.getpid(id, pid) : model.getppid(id, pid);
                break;
            case 3:
                c.record.reset(SyscallType.GETUSER, pid);
                what = "getuser";
                expected = model.getuser(id, pid);
                break;
            case 4:
            {
                final String user = USERS[rnd.nextInt(USERS.length)];
                c.record.reset(SyscallType.SETUSER, pid).text = user;
                what = "setuser " + user;
                expected = model.setuser(id, pid, user);
                break;
            }
            case 5:
                c.record.reset(SyscallType.GETPLIST, pid);
                what = "getplist";
                expected = model.getplist(id, pid);
                break;
            case 6:
            {
                final long target = pickPid();
                c.record.reset(SyscallType.GETPINFO, pid).arg0 = target;
                what = "getpinfo " + target;
                expected = model.getpinfo(id, pid, target);
                break;
            }
            case 7:
            {
                final String name = SERVICES[rnd.nextInt(SERVICES.length)];
                final boolean register = rnd.nextBoolean();
                c.record.reset(register ? SyscallType.REGISTER : SyscallType.LOOKUP, pid).text = name;
                what = (register ? "register " : "lookup ") + name;
                expected = register ? model.register(id, pid, name) : model.lookup(id, pid, name);
                break;
            }
            case 8:
            {
                final String name = NAMES[rnd.nextInt(NAMES.length)];
                final Map<String, Object> params = params();
                c.record.reset(SyscallType.QUEUE_EVENT, pid).text = name;
                c.record.payload = codec.encode(params);
                what = "queue " + name + " " + Outcome.canonical(params);
                expected = model.queueEvent(id, pid, name, params, c.record.payload.length);
                break;
            }
            case 9:
                c.record.reset(SyscallType.PEEK_EVENT, pid);
                what = "peek";
                expected = model.peek(id, pid);
                break;
            case 10:
            case 11:
            {
                final String[] names = new String[rnd.nextInt(3)];
                for (int i = 0; i < names.length; i++)
                {
                    names[i] = rnd.nextInt(5) == 0 ? "timer" : NAMES[rnd.nextInt(NAMES.length)];
                }
                final int t = rnd.nextInt(4);
                final double seconds = t == 0 ? 0 : t == 1 ? -1 : rnd.nextInt(3000) / 1000.0;
                c.record.reset(SyscallType.PULL_EVENT, pid).names = names;
                c.record.number = seconds;
                what = "pull " + String.join(",", names) + " timeout=" + seconds;
                expected = model.pull(id, pid, names, seconds, now);
                break;
            }
            case 12:
            {
                final long target = pickPid();
                final String name = NAMES[rnd.nextInt(NAMES.length)];
                final Object data = data();
                c.record.reset(SyscallType.SEND_EVENT, pid).arg0 = target;
                c.record.text = name;
                c.record.payload = codec.encode(data);
                what = "send " + target + " " + name + " " + Outcome.canonical(data);
                expected = model.sendEvent(id, pid, target, name, PayloadCodec.normalize(data), c.record.payload.length);
                break;
            }
            case 13:
            {
                final long target = pickPid();
                final long[] signals = {1, 2, 3, 9, 10, 15, 18, 19, 21, 99};
                final long sig = signals[rnd.nextInt(signals.length)];
                c.record.reset(SyscallType.KILL, pid).arg0 = target;
                c.record.arg1 = sig;
                what = "kill " + target + " " + sig;
                expected = model.kill(id, pid, target, sig);
                break;
            }
            case 14:
            {
                final long[] signals = {1, 9, 10, 15, 18, 19, 99};
                final long sig = signals[rnd.nextInt(signals.length)];
                final boolean on = rnd.nextInt(3) != 0;
                c.record.reset(SyscallType.SIGNAL, pid).arg0 = sig;
                c.record.arg1 = on ? 1 : 0;
                what = "signal " + sig + " " + on;
                expected = model.signal(id, pid, sig, on);
                break;
            }
            case 15:
            {
                if (rnd.nextInt(4) == 0)
                {
                    final double hour = rnd.nextInt(24 * 60) / 60.0;
                    c.record.reset(SyscallType.ALARM, pid).number = hour;
                    what = "alarm " + hour;
                    expected = model.alarm(id, pid, hour, now);
                }
                else
                {
                    final double seconds = rnd.nextInt(5) == 0 ? 0 : rnd.nextInt(2500) / 1000.0;
                    c.record.reset(SyscallType.TIMER, pid).number = seconds;
                    what = "timer " + seconds;
                    expected = model.timer(id, pid, seconds, now);
                }
                break;
            }
            default:
            {
                final long tid = rnd.nextBoolean() || model.timers.isEmpty() ? 1 + rnd.nextInt((int)model.timerCount + 1) :
                    new ArrayList<>(model.timers.keySet()).get(rnd.nextInt(model.timers.size()));
                c.record.reset(SyscallType.CANCEL, pid).arg0 = tid;
                what = "cancel " + tid;
                expected = model.cancel(id, pid, tid);
                break;
            }
        }
        kernel.submit(c);
        cycle();
        final String label = "client " + id + " (" + client.user + ") pid " + pid + ": " + what;
        if (expected == null)
        {
            if (c.isDone())
            {
                throw new Divergence(label + ": answered " + Outcome.of(c, codec) + ", the model waits");
            }
            client.waiting.add(new Object[] {c, model.lastWaiter});
            log(label + " -> waits");
        }
        else
        {
            expectDone(c, label);
            equal(label, expected, Outcome.of(c, codec));
            checkSynced(c, label);
        }
        model.serve();
        model.tick(clock.nanoTime());
    }

    private long pickPid()
    {
        if (rnd.nextInt(10) == 0)
        {
            return 1 + rnd.nextInt((int)model.nextPid + 1); // maybe one that ended, or never was
        }
        final List<Long> live = new ArrayList<>(model.procs.keySet());
        return live.get(rnd.nextInt(live.size()));
    }

    private Map<String, Object> params()
    {
        final TreeMap<String, Object> params = new TreeMap<>();
        final int n = rnd.nextInt(3);
        for (int i = 0; i < n; i++)
        {
            params.put("k" + i, data());
        }
        return params;
    }

    private Object data()
    {
        switch (rnd.nextInt(6))
        {
            case 0:
                return (long)rnd.nextInt(1000);
            case 1:
                return "x".repeat(rnd.nextInt(rnd.nextInt(10) == 0 ? 200 : 12));
            case 2:
                return rnd.nextBoolean();
            case 3:
                return List.of((long)rnd.nextInt(9), "y");
            case 4:
                return rnd.nextInt(100) / 4.0 + 0.5;
            default:
                return Map.of("n", (long)rnd.nextInt(9));
        }
    }

    // ---------------------------------------------------------------------------------- faults

    private void crash(final boolean torn)
    {
        count(torn ? "crash_torn_record" : "crash");
        log("crash torn=" + torn);
        SimulationAccess.crash(kernel);
        kernel = null;
        if (torn)
        {
            TornRecord.write(root);
        }
        lostClients();
        open(); // checks the recovered state against the model: nothing answered was lost
        count("recovery");
    }

    /**
     * The disk fills up under the kernel: the syscalls it is then given are refused with a clear
     * error, none of them is journaled or applied (the model never hears of them: the next check
     * compares), and once the space is back the kernel accepts syscalls again. The clock moves
     * only far enough for the core's free-space check (100 ms) and only when no timer, alarm or
     * pull timeout is due meanwhile: those would need the journal while it cannot grow.
     */
    private void diskFull()
    {
        final long jump = DISK_CHECK_NS + MS;
        final long until = clock.nanoTime() + 2 * jump + 2 * ember.kernel.core.TimerWheel.TICK_NS;
        for (final Model.Timer t : model.timers.values())
        {
            if (t.deadline() <= until)
            {
                return;
            }
        }
        for (final Model.Waiter w : model.waiters)
        {
            if (w.deadline <= until)
            {
                return;
            }
        }
        count("disk_full");
        final int refused = 1 + rnd.nextInt(3);
        log("disk-full refused=" + refused);
        try
        {
            disk.fill(DISK_LEFT_FREE);
            jumpClock(jump);
            for (int i = 0; i < refused; i++)
            {
                final SimClient client = clients.get(rnd.nextInt(clients.size()));
                final long pid = pickPid();
                final Command c = new Command(x -> { });
                c.session = client.session;
                c.record.reset(SyscallType.QUEUE_EVENT, pid).text = "full";
                c.record.payload = codec.encode(Map.of("n", (long)i));
                kernel.submit(c);
                cycle();
                expectDone(c, "queue at a full disk");
                if (c.refusal == null || !c.refusal.startsWith("journal write failed: disk full"))
                {
                    throw new Divergence("queue at a full disk: " + Outcome.of(c, codec) +
                        ", expected a refusal 'journal write failed: disk full ...'");
                }
                count("disk_full_refused");
            }
            disk.release();
            jumpClock(jump);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("the simulated disk: " + ex.getMessage());
        }
    }

    /** Move the clock by {@code ns} (no timer is due meanwhile: the caller made sure) and let the core see it. */
    private void jumpClock(final long ns)
    {
        clock.advance(ns);
        log("clock " + clock.nanoTime());
        cycle();
        model.tick(clock.nanoTime());
    }

    private void restartCleanly()
    {
        count("restart");
        log("restart");
        closeKernel();
        lostClients();
        open();
    }

    /** Every client and waiting pull is gone with the kernel (a dead kernel answers nobody). */
    private void lostClients()
    {
        clients.clear();
        model.kernelOpened();
    }

    /**
     * Flip one byte of the journal or of the newest snapshot in a copy of the directory, and open
     * the copy: it must refuse (damage detected) or recover the very state the original holds.
     */
    private void corruptCopy(final boolean snapshot)
    {
        final String expected = replica.digest();
        final Path copy = scratch.resolveSibling(scratch.getFileName() + "-copy"); // not on a seed's own small tmpfs
        deleteTree(copy);
        try
        {
            copyTree(root, copy);
            Files.deleteIfExists(copy.resolve(Kernel.LOCK_FILE));
            final List<Path> targets = new ArrayList<>();
            try (var files = Files.walk(copy.resolve(snapshot ? "snapshots" : Journal.QUEUE_DIR)))
            {
                files.filter(Files::isRegularFile).filter(f -> f.toString().endsWith(snapshot ? ".snap" : ".cq4"))
                    .sorted().forEach(targets::add);
            }
            if (targets.isEmpty())
            {
                return;
            }
            final Path file = targets.get(targets.size() - 1);
            final byte[] bytes = Files.readAllBytes(file);
            int end = bytes.length;
            while (end > 0 && bytes[end - 1] == 0)
            {
                end--;
            }
            if (end == 0)
            {
                return;
            }
            final int at = rnd.nextInt(end);
            try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE))
            {
                channel.write(java.nio.ByteBuffer.wrap(new byte[] {(byte)(bytes[at] ^ (1 + rnd.nextInt(255)))}), at);
            }
            count(snapshot ? "corrupt_snapshot_byte" : "corrupt_journal_byte");
            log("corrupt " + (snapshot ? "snapshot" : "journal") + " byte " + at);
            String got;
            try
            {
                final Kernel other = SimulationAccess.openDriven(configFor(copy).withSnapshots(0, 0, false));
                got = null;
                try
                {
                    final Command q = SimulationAccess.digestQuery();
                    other.submit(q);
                    SimulationAccess.dutyCycle(other);
                    got = (String)q.result.value;
                }
                finally
                {
                    SimulationAccess.crash(other);
                }
            }
            catch (final RuntimeException ex)
            {
                count("corruption_detected");
                return; // refused: detected
            }
            // Opened: it must hold the original state (the flipped byte was one recovery did not need),
            // with the copy's own kernelOpen record applied on top: compare without it.
            final KernelState again = JournalReplay.replay(copy, replica.lastIndex());
            if (!expected.equals(again.digest()) && !snapshot)
            {
                throw new Divergence("a corrupted journal byte at " + at + " of " + file.getFileName() +
                    " was applied: replay digest " + again.digest() + " != " + expected + " (live " + got + ")");
            }
            count("corruption_harmless");
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
        finally
        {
            deleteTree(copy);
        }
    }

    /**
     * Flip one byte of one journal record — its length or CRC (Ember's record header) or its body —
     * in a copy of the directory, and open the copy, half the time with {@code --cut-damaged-journal}.
     * When recovery reads that record it must see the damage: refuse to open, or (asked to cut)
     * give up the records from there on and hold exactly the state before it. When it does not read
     * it (a snapshot covers it), the copy holds the very state the model holds. Never applied.
     */
    private void corruptJournalRecord()
    {
        final Path copy = scratch.resolveSibling(scratch.getFileName() + "-copy");
        deleteTree(copy);
        try
        {
            copyTree(root, copy);
            Files.deleteIfExists(copy.resolve(Kernel.LOCK_FILE));
            final List<long[]> records = new ArrayList<>(); // {index, file offset of the frame, frame length}
            final List<Path> files = new ArrayList<>();
            try (JournalReader reader = new JournalReader(copy, true))
            {
                final ember.journal.SyscallRecord record = new ember.journal.SyscallRecord();
                while (reader.next(record))
                {
                    records.add(new long[] {record.index, reader.offset(), reader.frameLength()});
                    files.add(Path.of(reader.position().replaceFirst("^file (.*), excerpt .*$", "$1")));
                }
            }
            if (records.isEmpty())
            {
                return;
            }
            final int k = rnd.nextInt(records.size());
            final long index = records.get(k)[0];
            final int part = rnd.nextInt(3);
            final String name = part == 0 ? "length" : part == 1 ? "crc" : "body";
            final long at = records.get(k)[1] + (part == 0 ? rnd.nextInt(4) : part == 1 ? 4 + rnd.nextInt(4) :
                8 + rnd.nextInt((int)records.get(k)[2] - 8));
            flip(files.get(k), at, (byte)(1 + rnd.nextInt(255)));
            final boolean cut = rnd.nextBoolean();
            count("corrupt_journal_" + name);
            log("corrupt journal record " + index + " " + name + " byte " + at + " cut=" + cut);
            final String what = "a flipped " + name + " byte of journal record " + index + (cut ? " (--cut-damaged-journal)" : "");
            final Kernel other;
            try
            {
                other = SimulationAccess.openDriven(configFor(copy).withSnapshots(0, 0, false).withCutDamagedJournal(cut));
            }
            catch (final ember.kernel.core.KernelOpenException ex)
            {
                if (cut)
                {
                    throw new Divergence(what + ": the copy did not open: " + ex.getMessage());
                }
                count("corruption_refused");
                return;
            }
            final long fromSnapshot;
            final String view;
            try
            {
                fromSnapshot = other.recoveredSnapshotIndex();
                final Command q = SimulationAccess.digestQuery();
                other.submit(q);
                SimulationAccess.dutyCycle(other);
                view = liveView;
            }
            finally
            {
                SimulationAccess.crash(other);
            }
            if (index <= fromSnapshot)
            {
                // Recovery started after it: nothing of it was needed, the copy holds the model's state.
                if (!modelView().equals(view))
                {
                    throw new Divergence(what + " (covered by snapshot " + fromSnapshot + ") changed the state:\nmodel:\n" +
                        modelView() + "copy:\n" + view);
                }
                count("corruption_not_needed");
                return;
            }
            if (!cut)
            {
                throw new Divergence(what + " was not detected: the copy opened (recovered from snapshot " + fromSnapshot + ")");
            }
            // Cut: the records from the damaged one on are given up; before it, the copy is the original.
            final String before = JournalReplay.replay(root, index - 1).digest();
            final String kept = JournalReplay.replay(copy, index - 1).digest();
            if (!before.equals(kept))
            {
                throw new Divergence(what + ": the cut journal's state at " + (index - 1) + " differs from the original's");
            }
            try (JournalReader reader = new JournalReader(copy, true))
            {
                final ember.journal.SyscallRecord record = new ember.journal.SyscallRecord();
                // The reopening's own record directly follows the cut (then what the reopened kernel did: fired timers).
                while (reader.next(record) && record.index < index)
                {
                    // up to the cut
                }
                if (record.index != index || record.type != SyscallType.KERNEL_OPEN)
                {
                    throw new Divergence(what + ": the cut journal holds " + record.type + " at index " + record.index +
                        ", not the reopening's kernelOpen record at " + index);
                }
            }
            count("corruption_cut");
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
        finally
        {
            deleteTree(copy);
        }
    }

    private static void flip(final Path file, final long at, final byte mask) throws IOException
    {
        try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ,
            java.nio.file.StandardOpenOption.WRITE))
        {
            final java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
            channel.read(one, at);
            one.put(0, (byte)(one.get(0) ^ mask)).rewind();
            channel.write(one, at);
        }
    }

    // ---------------------------------------------------------------------------------- kernel

    private void open()
    {
        kernel = SimulationAccess.openDriven(config);
        cycle();
        model.tick(clock.nanoTime());
        closeReplica();
        replicaReader = new JournalReader(root, true);
        replica = new KernelState();
        check();
    }

    private void closeKernel()
    {
        if (kernel != null)
        {
            kernel.close();
            kernel = null;
        }
    }

    private void closeReplica()
    {
        if (replicaReader != null)
        {
            replicaReader.close();
            replicaReader = null;
        }
    }

    /** Duty cycles until the core is idle (the clock does not move meanwhile). */
    private void cycle()
    {
        int rounds = 0;
        while (SimulationAccess.dutyCycle(kernel) > 0 && ++rounds < 100)
        {
            // a served pull or a fired timer may make more work
        }
        SimulationAccess.awaitSnapshot(kernel);
        if (kernel.failure() != null)
        {
            throw new Divergence("the core stopped itself: " + kernel.failure());
        }
    }

    private String liveDigest()
    {
        final Command q = SimulationAccess.digestQuery();
        kernel.submit(q);
        cycle();
        expectDone(q, "digest");
        return q.result.number + ":" + q.result.value;
    }

    // ---------------------------------------------------------------------------------- invariants

    private void check()
    {
        // Handler calls: exactly those the model says, in order, to the client that registered them.
        for (final SimClient client : clients)
        {
            final List<String> expected = model.handlerCalls.get(client.id);
            HandlerCall call;
            while ((call = client.session.pollHandlerCall()) != null)
            {
                final String got = call.pid() + ":" + call.signal();
                if (expected.isEmpty() || !expected.get(0).equals(got))
                {
                    throw new Divergence("client " + client.id + " got handler call " + got + ", the model expects " +
                        (expected.isEmpty() ? "none" : expected.get(0)));
                }
                expected.remove(0);
                log("handler " + client.id + " " + got);
            }
            if (!expected.isEmpty())
            {
                throw new Divergence("client " + client.id + " did not get handler call " + expected.get(0));
            }
            checkWaiters(client);
        }
        // The journal, replayed, is the model's state and the live kernel's digest.
        JournalReplay.replay(replicaReader, replica, Long.MAX_VALUE, null);
        final String live = liveDigest(); // also takes the live state's view (Probe.onDigestQuery)
        compareState();
        final String replayed = replica.lastIndex() + ":" + replica.digest();
        if (!live.equals(replayed))
        {
            throw new Divergence("live digest " + live + " != replayed " + replayed);
        }
    }

    private void checkWaiters(final SimClient client)
    {
        for (int i = 0; i < client.waiting.size(); i++)
        {
            final Command c = (Command)client.waiting.get(i)[0];
            final Model.Waiter w = (Model.Waiter)client.waiting.get(i)[1];
            if (c.isDone() != (w.answer != null))
            {
                throw new Divergence("client " + client.id + " pid " + w.pid + " waiting pull: kernel " +
                    (c.isDone() ? "answered " + Outcome.of(c, codec) : "still waits") + ", model " +
                    (w.answer == null ? "still waits" : "answered " + w.answer));
            }
            if (c.isDone())
            {
                equal("client " + client.id + " pid " + w.pid + " waiting pull", w.answer, Outcome.of(c, codec));
                if (c.refusal == null)
                {
                    checkSynced(c, "waiting pull");
                }
                client.waiting.remove(i--);
            }
        }
    }

    private void compareState()
    {
        final String want = modelView();
        final String got = view(replica);
        if (!want.equals(got))
        {
            throw new Divergence("replayed state differs from the model:\nmodel:\n" + want + "journal:\n" + got);
        }
        // The live state itself, field by field: a digest blind to a field (or a snapshot that lost one) shows here.
        if (liveView != null && !want.equals(liveView))
        {
            throw new Divergence("live state differs from the model (the digests agree: " + (live(replica)) + "):\nmodel:\n" +
                want + "live:\n" + liveView);
        }
        for (final Model.Timer t : model.fired)
        {
            if (t.deadline() > clock.nanoTime())
            {
                throw new Divergence("timer " + t.id() + " fired before its deadline");
            }
        }
        model.fired.clear();
    }

    private static String live(final KernelState state)
    {
        return state.lastIndex() + ":" + state.digest();
    }

    /** @return the model's processes (with their queues), pending timers and services, one per line. */
    private String modelView()
    {
        final StringBuilder want = new StringBuilder();
        for (final Model.Proc p : model.procs.values())
        {
            want.append(Model.info(p)).append(p.queue).append('\n');
        }
        model.timers.values().forEach(t -> want.append("timer ").append(t.id()).append(' ').append(t.pid()).append(' ')
            .append(t.deadline()).append('\n'));
        want.append(model.services).append('\n');
        return want.toString();
    }

    /** @return {@code state} as {@link #modelView} shows the model, read through its public accessors. */
    private String view(final KernelState state)
    {
        final StringBuilder got = new StringBuilder();
        for (final long pid : state.pids())
        {
            final ProcessEntry p = state.process(pid);
            final var i = p.info();
            final List<String> queue = new ArrayList<>();
            for (final Event e : p.queue())
            {
                queue.add(Outcome.event(e.name(), e.params(codec)));
            }
            got.append(i.id()).append(',').append(i.name()).append(',').append(i.user()).append(',').append(i.parent())
                .append(',').append(i.state()).append(',').append(i.queued()).append(',').append(i.timers()).append(queue)
                .append('\n');
        }
        for (final PendingTimer t : state.pendingTimers())
        {
            got.append("timer ").append(t.id()).append(' ').append(t.pid()).append(' ').append(t.deadlineNs()).append('\n');
        }
        got.append(state.services()).append('\n');
        return got.toString();
    }

    /** Under --sync always|batch an answer means the record is synced. */
    private void checkSynced(final Command c, final String label)
    {
        if (sync != SyncMode.NONE && c.refusal == null && c.record.index > syncedIndex)
        {
            throw new Divergence(label + ": answered record " + c.record.index + " not synced (synced up to " +
                syncedIndex + ", --sync " + sync + ")");
        }
    }

    private void expectDone(final Command c, final String label)
    {
        if (!c.isDone())
        {
            throw new Divergence(label + ": not answered");
        }
    }

    private void equal(final String label, final String expected, final String got)
    {
        log(label + " -> " + got);
        if (!expected.equals(got))
        {
            throw new Divergence(label + ": kernel " + got + ", model " + expected);
        }
    }

    // ---------------------------------------------------------------------------------- probe

    private final class Probe implements SimulationAccess.Probe
    {
        private long answers;

        @Override
        public void beforeAnswer(final Command command)
        {
            if (bug == PlantedBug.DROP_PULLED_EVENT && command.record.type == SyscallType.PULL_EVENT &&
                command.refusal == null && command.result.kind == ember.kernel.state.SyscallResult.Kind.EVENT &&
                ++answers % 4 == 0)
            {
                command.result.clear(); // the event left the queue, the caller sees nil
            }
        }

        @Override
        public boolean skipSync(final long index)
        {
            return bug == PlantedBug.UNSYNCED_ACK && index % 5 == 0;
        }

        @Override
        public void onSynced(final long index)
        {
            syncedIndex = Math.max(syncedIndex, index);
        }

        @Override
        public void onDigestQuery(final KernelState state)
        {
            liveView = view(state);
        }

        @Override
        public long wheelDeadline(final long id, final long deadlineNs)
        {
            return bug == PlantedBug.EARLY_TIMER ? deadlineNs - ember.kernel.core.TimerWheel.TICK_NS : deadlineNs;
        }
    }

    // ---------------------------------------------------------------------------------- trace

    private void log(final String line)
    {
        final String entry = step + " " + line + "\n";
        trace.update(entry.getBytes(StandardCharsets.UTF_8));
        if (traceOut != null)
        {
            traceOut.print(entry);
        }
    }

    /** @param out receives every line of the trace as it is made (simulate --verbose, a failing run); null for none. */
    Simulation traceTo(final java.io.PrintStream out)
    {
        traceOut = out;
        return this;
    }

    private void count(final String fault)
    {
        faults.merge(fault, 1, Integer::sum);
    }

    static void deleteTree(final Path dir)
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (var files = Files.walk(dir))
        {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
        catch (final IOException ignored)
        {
            // best effort
        }
    }

    private static void copyTree(final Path from, final Path to) throws IOException
    {
        try (var files = Files.walk(from))
        {
            for (final Path f : (Iterable<Path>)files::iterator)
            {
                final Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f))
                {
                    Files.createDirectories(target);
                }
                else if (!f.getFileName().toString().startsWith("."))
                {
                    Files.copy(f, target);
                }
            }
        }
    }
}
