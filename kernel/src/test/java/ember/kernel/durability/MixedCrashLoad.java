package ember.kernel.durability;

import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.EmberException;
import ember.kernel.client.Syscalls;
import ember.kernel.core.Kernel;
import ember.kernel.core.KernelConfig;
import ember.kernel.state.KernelLimits;
import ember.kernel.state.ProcessInfo;

import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A mixed syscall load for {@link CrashLoopTest}, run in its own JVM until it is killed with
 * SIGKILL. Arguments: {@code DIR ROUND SEED SNAPSHOT_EVERY IDLE} (the core's idle strategy).
 * <p>
 * Two kinds of processes: <em>holders</em> (named {@code hold-*}) keep the checked events and are
 * never ended, pulled from or given a signal that ends them; <em>victims</em> (named
 * {@code victim}) are spawned, signalled, killed and exited freely and get unchecked events.
 * Nothing is ever pulled, so an acknowledged event can only disappear with its process.
 * <p>
 * Protocol on stdout (which the test redirects to a file), one line each, written with a single
 * unbuffered {@code write(2)}:
 * <ul>
 *   <li>{@code DO KIND ARGS} just before a syscall is issued (so the one syscall in flight at the
 *       crash is known exactly);</li>
 *   <li>{@code ACK KIND DETAILS} after it returned a result;</li>
 *   <li>{@code ERR KIND MESSAGE} after it raised an error.</li>
 * </ul>
 * Kinds and details: {@code spawn PARENT ROLE PID}, {@code queue PID SEQ}, {@code send FROM TO SEQ RESULT},
 * {@code sendv FROM TO RESULT}, {@code kill FROM TARGET SIG}, {@code exit PID CODE},
 * {@code timer PID SECONDS ID}, {@code alarm PID HOUR ID}, {@code cancel PID ID}. {@code SEQ}s are
 * unique across rounds: {@code ROUND * 1e9 + n}.
 */
public final class MixedCrashLoad
{
    static final String HOLDER_PREFIX = "hold-";
    static final String VICTIM = "victim";
    static final long SEQ_PER_ROUND = 1_000_000_000L;
    static final int BLOCK_SIZE = 1 << 16;
    static final KernelLimits LIMITS = new KernelLimits(1_000_000, 4096);
    /** Signals a victim may get; those {@link #ends(long)} names end it (no victim ever installs a handler). */
    static final long[] VICTIM_SIGNALS = {9, 15, 1, 2, 3, 6, 13, 10, 18, 19, 30, 21, 22, 0, -5, 12345};
    /** Signals a holder may get: queued as events, or stop / continue it, never ending it. */
    static final long[] HOLDER_SIGNALS = {10, 18, 19, 30, 18, 21, 0, 99};
    private static final int MAX_VICTIMS = 40;

    private final OutputStream out = new FileOutputStream(FileDescriptor.out);
    private final Random random;
    private final EmbeddedClient client;
    private final long round;
    private final List<Long> holders = new ArrayList<>();
    private final List<Long> victims = new ArrayList<>();
    private final List<Long> dead = new ArrayList<>();
    private final Map<Long, List<Long>> timersOf = new HashMap<>();
    private long n;

    private MixedCrashLoad(final EmbeddedClient client, final long round, final Random random)
    {
        this.client = client;
        this.round = round;
        this.random = random;
    }

    /** @return true when {@code signal} ends a process with default dispositions (SPEC §3). */
    static boolean ends(final long signal)
    {
        return signal == 9 || signal == 1 || signal == 2 || signal == 13 || signal == 15 || signal == 3 || signal == 6;
    }

    public static void main(final String[] args)
    {
        final Path dir = Path.of(args[0]);
        final long round = Long.parseLong(args[1]);
        final long seed = Long.parseLong(args[2]);
        final long snapshotEvery = Long.parseLong(args[3]);
        final Kernel kernel = Kernel.open(KernelConfig.of(dir).withBlockSize(BLOCK_SIZE).withLimits(LIMITS)
            .withSnapshots(snapshotEvery, 0, false).withIdle(KernelConfig.idleStrategy(args[4])));
        final EmbeddedClient client = new EmbeddedClient(kernel);
        new MixedCrashLoad(client, round, new Random(seed)).run();
    }

    private void line(final String text)
    {
        try
        {
            out.write((text + "\n").getBytes(StandardCharsets.UTF_8));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private void run()
    {
        final Syscalls init = client.as(1);
        for (final long pid : init.getplist())
        {
            final ProcessInfo info = init.getpinfo(pid);
            if (info == null || pid == 1)
            {
                continue;
            }
            (info.name().startsWith(HOLDER_PREFIX) ? holders : victims).add(pid);
        }
        while (holders.size() < 3)
        {
            spawn(1, "holder");
        }
        line("READY round=" + round + " holders=" + holders.size() + " victims=" + victims.size());
        while (true)
        {
            step();
        }
    }

    private <T> T pick(final List<T> list)
    {
        return list.get(random.nextInt(list.size()));
    }

    /** @return pid 1, a holder or a live victim. */
    private long anyLive()
    {
        final int k = random.nextInt(1 + holders.size() + victims.size());
        return k == 0 ? 1 : k <= holders.size() ? holders.get(k - 1) : victims.get(k - 1 - holders.size());
    }

    private void step()
    {
        final int dice = random.nextInt(100);
        if (dice < 33)
        {
            queue();
        }
        else if (dice < 55)
        {
            send();
        }
        else if (dice < 60)
        {
            sendToVictim();
        }
        else if (dice < 68)
        {
            if (victims.size() < MAX_VICTIMS)
            {
                final long parent = random.nextInt(3) == 0 || victims.isEmpty() ? anyLive() : pick(victims);
                spawn(parent, VICTIM);
            }
            else
            {
                kill();
            }
        }
        else if (dice < 77)
        {
            kill();
        }
        else if (dice < 81)
        {
            exit();
        }
        else if (dice < 91)
        {
            timer();
        }
        else if (dice < 93)
        {
            alarm();
        }
        else
        {
            cancel();
        }
    }

    private void spawn(final long parent, final String role)
    {
        final String name = role.equals("holder") ? HOLDER_PREFIX + round + "-" + holders.size() : VICTIM;
        line("DO spawn " + parent + " " + role);
        try
        {
            final long pid = client.as(parent).spawn(name);
            (role.equals("holder") ? holders : victims).add(pid);
            line("ACK spawn " + parent + " " + role + " " + pid);
        }
        catch (final EmberException ex)
        {
            line("ERR spawn " + ex.getMessage());
        }
    }

    private Map<String, Object> payload(final long seq)
    {
        final Map<String, Object> params = new LinkedHashMap<>();
        params.put("seq", seq);
        switch (random.nextInt(6))
        {
            case 0 -> params.put("text", "ünïcødé ☃ " + random.nextInt());
            case 1 -> params.put("list", List.of(1L, "two", 3.5, true, List.of()));
            case 2 -> params.put("nested", Map.of("a", Map.of("b", Map.of("c", seq)), "flag", false));
            case 3 -> params.put("pad", "x".repeat(random.nextInt(200)));
            case 4 -> params.put("bytes", new byte[] {1, 2, (byte)random.nextInt()});
            default ->
            {
            }
        }
        return params;
    }

    private void queue()
    {
        final long pid = pick(holders);
        final long seq = round * SEQ_PER_ROUND + ++n;
        line("DO queue " + pid + " " + seq);
        try
        {
            client.as(pid).queueEvent("seq", payload(seq));
            line("ACK queue " + pid + " " + seq);
        }
        catch (final EmberException ex)
        {
            line("ERR queue " + ex.getMessage());
        }
    }

    private void send()
    {
        final long from = anyLive();
        final long to = pick(holders);
        final long seq = round * SEQ_PER_ROUND + ++n;
        line("DO send " + from + " " + to + " " + seq);
        try
        {
            final boolean result = client.as(from).sendEvent(to, "seq", payload(seq));
            line("ACK send " + from + " " + to + " " + seq + " " + result);
        }
        catch (final EmberException ex)
        {
            line("ERR send " + ex.getMessage());
        }
    }

    private void sendToVictim()
    {
        final long from = anyLive();
        final long to = random.nextInt(4) == 0 || victims.isEmpty() ? (dead.isEmpty() ? 999_999 : pick(dead)) : pick(victims);
        line("DO sendv " + from + " " + to);
        try
        {
            final Object data = switch (random.nextInt(4))
            {
                case 0 -> null;
                case 1 -> "text";
                case 2 -> List.of(1L, 2L);
                default -> Map.of("k", random.nextLong());
            };
            final boolean result = client.as(from).sendEvent(to, "junk", data);
            line("ACK sendv " + from + " " + to + " " + result);
        }
        catch (final EmberException ex)
        {
            line("ERR sendv " + ex.getMessage());
        }
    }

    private void kill()
    {
        final long from = random.nextInt(2) == 0 ? 1 : pick(holders);
        final long target;
        final long signal;
        final int dice = random.nextInt(10);
        if (dice < 6 && !victims.isEmpty())
        {
            target = pick(victims);
            signal = VICTIM_SIGNALS[random.nextInt(VICTIM_SIGNALS.length)];
        }
        else if (dice < 8)
        {
            target = pick(holders);
            signal = HOLDER_SIGNALS[random.nextInt(HOLDER_SIGNALS.length)];
        }
        else if (dice < 9)
        {
            target = 1;
            signal = random.nextBoolean() ? 9 : 15; // Permission denied / queued to init
        }
        else
        {
            target = dead.isEmpty() ? 999_999 : pick(dead); // No such process
            signal = 15;
        }
        line("DO kill " + from + " " + target + " " + signal);
        try
        {
            client.as(from).kill(target, signal);
            if (ends(signal) && target != 1)
            {
                victims.remove(target);
                dead.add(target);
                forget(target);
            }
            line("ACK kill " + from + " " + target + " " + signal);
        }
        catch (final EmberException ex)
        {
            line("ERR kill " + ex.getMessage());
        }
    }

    private void exit()
    {
        if (victims.isEmpty())
        {
            return;
        }
        final long pid = pick(victims);
        final long code = random.nextInt(256) - 128;
        line("DO exit " + pid + " " + code);
        try
        {
            client.as(pid).exit(code);
            victims.remove(pid);
            dead.add(pid);
            forget(pid);
            line("ACK exit " + pid + " " + code);
        }
        catch (final EmberException ex)
        {
            line("ERR exit " + ex.getMessage());
        }
    }

    private void forget(final long pid)
    {
        timersOf.remove(pid);
    }

    private void timer()
    {
        final long pid = anyLive();
        final double seconds = switch (random.nextInt(5))
        {
            case 0 -> 0;
            case 1 -> -1;
            case 2 -> 3600;
            default -> random.nextDouble() * 0.05;
        };
        line("DO timer " + pid + " " + seconds);
        try
        {
            final long id = client.as(pid).timer(seconds);
            timersOf.computeIfAbsent(pid, p -> new ArrayList<>()).add(id);
            line("ACK timer " + pid + " " + seconds + " " + id);
        }
        catch (final EmberException ex)
        {
            line("ERR timer " + ex.getMessage());
        }
    }

    private void alarm()
    {
        final long pid = anyLive();
        final double hour = random.nextDouble() * 24;
        line("DO alarm " + pid + " " + hour);
        try
        {
            final long id = client.as(pid).alarm(hour);
            timersOf.computeIfAbsent(pid, p -> new ArrayList<>()).add(id);
            line("ACK alarm " + pid + " " + hour + " " + id);
        }
        catch (final EmberException ex)
        {
            line("ERR alarm " + ex.getMessage());
        }
    }

    private void cancel()
    {
        final long pid = anyLive();
        final List<Long> own = timersOf.get(pid);
        final long id = own != null && !own.isEmpty() && random.nextInt(4) != 0 ? pick(own) : 1 + random.nextInt(1000);
        line("DO cancel " + pid + " " + id);
        try
        {
            client.as(pid).cancel(id);
            line("ACK cancel " + pid + " " + id);
        }
        catch (final EmberException ex)
        {
            line("ERR cancel " + ex.getMessage());
        }
    }
}
