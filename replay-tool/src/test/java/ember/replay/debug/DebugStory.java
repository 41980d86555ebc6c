package ember.replay.debug;

import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.EmberException;
import ember.kernel.client.Syscalls;
import ember.kernel.core.Kernel;
import ember.replay.testing.Scenario;
import ember.replay.testing.TempDirs;

import java.nio.file.Path;
import java.util.Map;

/**
 * A journal with a known story, written by the real kernel (embedded): worker (pid 2) is
 * spawned, a job process (3) becomes alice's, the worker queues 101 events to itself (its queue
 * passes 100 at {@link #queuePast100}), alice's kill of the worker is denied ({@link #denied}),
 * init stops the worker ({@link #stopped}) and continues it ({@link #continued}), the worker
 * registers {@code svc} ({@link #registered}) and exits ({@link #exited}), then init lists the
 * processes (the last record, {@link #last}).
 */
final class DebugStory
{
    final Path dir;
    long spawnedWorker;
    long queuePast100;
    long denied;
    long stopped;
    long continued;
    long registered;
    long exited;
    long last;

    private DebugStory(final Path dir)
    {
        this.dir = dir;
    }

    static DebugStory write()
    {
        final DebugStory s = new DebugStory(TempDirs.create("debug-story"));
        try (Kernel kernel = Kernel.open(Scenario.config(s.dir)); EmbeddedClient client = new EmbeddedClient(kernel))
        {
            final Syscalls init = client.as(1);
            final long worker = init.spawn("worker");
            s.spawnedWorker = index(kernel);
            final long job = init.spawn("job");
            final Syscalls alice = client.as(job);
            alice.setuser("alice");
            final Syscalls w = client.as(worker);
            for (int i = 1; i <= 101; i++)
            {
                w.queueEvent("work", Map.of("n", (long)i));
            }
            s.queuePast100 = index(kernel);
            try
            {
                alice.kill(worker, 15);
                throw new IllegalStateException("alice's kill was not denied");
            }
            catch (final EmberException expected)
            {
                s.denied = index(kernel);
            }
            init.kill(worker, 19);
            s.stopped = index(kernel);
            init.kill(worker, 18);
            s.continued = index(kernel);
            w.register("svc");
            s.registered = index(kernel);
            w.exit(0);
            s.exited = index(kernel);
            init.getplist();
            s.last = index(kernel);
        }
        return s;
    }

    private static long index(final Kernel kernel)
    {
        final String digest = kernel.digest();
        return Long.parseLong(digest.substring(0, digest.indexOf(':')));
    }

    void delete()
    {
        TempDirs.delete(dir);
    }
}
