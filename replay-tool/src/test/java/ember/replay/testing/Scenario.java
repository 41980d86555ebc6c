package ember.replay.testing;

import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.EmberException;
import ember.kernel.client.ReceivedEvent;
import ember.kernel.client.Syscalls;
import ember.kernel.core.Kernel;
import ember.kernel.core.KernelConfig;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A journal written by the real kernel, embedded, covering every kind of record: spawns, a user
 * change, permission denials, a missing process, events sent and queued and pulled, timers fired
 * and cancelled, an alarm, a service, a signal handler, stop and continue, a SIGTERM that ends a
 * process with queued events, a child and a service, an exit with a code.
 * <p>
 * The pids and the live digest at the end are kept for assertions.
 */
public final class Scenario
{
    public final Path dir;
    public long worker;
    public long aliceJob;
    public long child;
    public String liveDigest;
    /** The last record the scenario's syscalls journaled (before the client's detach). */
    public long lastIndex;
    /** The journal's last record: after {@link #lastIndex}, the client's detach and the checkpoint a clean close signs. */
    public long journalEnd;
    public final AtomicInteger handlerRuns = new AtomicInteger();

    private Scenario(final Path dir)
    {
        this.dir = dir;
    }

    /**
     * Checkpoints by count and at close, not by time: a scenario's journal is the same records on
     * every run, however slow the machine (a time-based checkpoint would land anywhere).
     */
    public static final ember.kernel.core.CheckpointPolicy TEST_CHECKPOINTS =
        new ember.kernel.core.CheckpointPolicy(1_000, 0, true, null);

    /** @return a kernel config for tests: small Chronicle blocks, checkpoints as {@link #TEST_CHECKPOINTS}. */
    public static KernelConfig config(final Path dir)
    {
        return KernelConfig.of(dir).withBlockSize(1 << 20).withCheckpoints(TEST_CHECKPOINTS);
    }

    /** Write the scenario's journal into a new temporary directory. */
    public static Scenario write()
    {
        final Scenario s = new Scenario(TempDirs.create("replay-scenario"));
        try (Kernel kernel = Kernel.open(config(s.dir)); EmbeddedClient client = new EmbeddedClient(kernel))
        {
            s.play(client);
            final String digest = kernel.digest();
            s.lastIndex = Long.parseLong(digest.substring(0, digest.indexOf(':')));
            s.liveDigest = digest.substring(digest.indexOf(':') + 1);
        }
        s.journalEnd = s.lastIndex + 2;
        return s;
    }

    private void play(final EmbeddedClient client)
    {
        final Syscalls init = client.as(1);
        worker = init.spawn("worker");
        aliceJob = init.spawn("job");
        final Syscalls alice = client.as(aliceJob);
        alice.setuser("alice");
        expectError(() -> alice.kill(worker, 15), "Permission denied");
        expectError(() -> alice.kill(999, 15), "No such process");
        expectError(() -> init.kill(1, 9), "Permission denied");
        init.sendEvent(worker, "job", Map.of("n", 1L, "what", "build"));
        final Syscalls w = client.as(worker);
        w.queueEvent("self", Map.of("k", "v"));
        final long fired = w.timer(0);
        final ReceivedEvent timerEvent = w.pullEvent(10, "timer");
        if (timerEvent == null || !Long.valueOf(fired).equals(timerEvent.params().get("id")))
        {
            throw new IllegalStateException("timer " + fired + " did not fire: " + timerEvent);
        }
        final long cancelled = w.timer(3600);
        w.cancel(cancelled);
        w.alarm(12.5);
        w.register("svc");
        w.signal(10, sig -> handlerRuns.incrementAndGet());
        init.kill(worker, 10);
        child = w.spawn("child");
        init.kill(worker, 19);
        init.kill(worker, 10); // held while stopped
        init.kill(worker, 18); // continues, runs the held handler, queues signal 18
        init.kill(worker, 15); // terminates: drops its queue, re-parents child, releases svc, cancels the alarm
        client.as(child).exit(3);
        init.pullEvent(0, "process_complete");
        alice.timer(3600);
        alice.queueEvent("needle", Map.of("marker", "NEEDLE-XYZ"));
        init.getplist();
    }

    private static void expectError(final Runnable call, final String message)
    {
        try
        {
            call.run();
        }
        catch (final EmberException ex)
        {
            if (!message.equals(ex.getMessage()))
            {
                throw new IllegalStateException("expected " + message + ", got " + ex.getMessage());
            }
            return;
        }
        throw new IllegalStateException("expected " + message);
    }

    /** Delete the journal. */
    public void delete()
    {
        TempDirs.delete(dir);
    }
}
