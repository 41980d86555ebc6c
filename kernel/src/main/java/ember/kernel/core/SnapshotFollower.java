package ember.kernel.core;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The snapshot follower: a JVM of its own, started by the kernel ({@link FollowerProcess}), that
 * keeps a {@link ShadowState} by reading the journal as the kernel writes it and writes
 * snapshots when asked. Its heap, and so its garbage collection, is not the kernel's: however
 * large the state, encoding it never pauses the core.
 * <p>
 * Protocol, one line each way (UTF-8): the kernel writes {@code snapshot INDEX CHRONICLE_INDEX};
 * the follower answers {@code written INDEX MILLIS FILE} (a snapshot at INDEX or later) or
 * {@code failed INDEX REASON}, and may send {@code log LINE} at any time for the kernel log.
 * Between requests it reads the records journaled since, so a request finds it caught up.
 * When its standard input ends (the kernel closed it, or died, even by {@code kill -9}) it halts
 * at once: it never outlives its kernel, and it takes no lock and writes only snapshot files
 * (atomically, so a halted one leaves at most a temporary file, removed at the next open).
 */
public final class SnapshotFollower
{
    private static final long CATCH_UP_EVERY_MS = 50;

    private final ShadowState shadow;
    /** The newest snapshot this follower wrote. */
    private Path lastFile;

    private SnapshotFollower(final ShadowState shadow)
    {
        this.shadow = shadow;
    }

    /** @param args the kernel directory. */
    public static void main(final String[] args)
    {
        final PrintStream protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err); // nothing but protocol lines on the kernel's pipe
        if (args.length != 1)
        {
            protocol.println("log snapshot follower: usage: SnapshotFollower DIR");
            Runtime.getRuntime().halt(2);
        }
        final Path dir = Path.of(args[0]);
        final BlockingQueue<String> requests = new ArrayBlockingQueue<>(16);
        final Thread input = new Thread(() -> readRequests(requests), "ember-follower-input");
        input.setDaemon(true);
        input.start();
        serve(dir, requests, protocol);
    }

    /** Hand each request line to the main thread; halt the JVM when the kernel's end of the pipe closes. */
    private static void readRequests(final BlockingQueue<String> requests)
    {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = in.readLine()) != null)
            {
                requests.put(line);
            }
        }
        catch (final IOException | InterruptedException ex)
        {
            // the pipe broke: same as its end
        }
        Runtime.getRuntime().halt(0);
    }

    private static void serve(final Path dir, final BlockingQueue<String> requests, final PrintStream protocol)
    {
        final ShadowState shadow = new ShadowState(dir, new SnapshotStore(dir), line -> protocol.println("log " + line), () -> false);
        final SnapshotFollower follower = new SnapshotFollower(shadow);
        boolean catchUpFailed = false;
        while (true)
        {
            final String request;
            try
            {
                request = requests.poll(CATCH_UP_EVERY_MS, TimeUnit.MILLISECONDS);
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            if (request == null)
            {
                try
                {
                    shadow.catchUp();
                    catchUpFailed = false;
                }
                catch (final RuntimeException | OutOfMemoryError ex)
                {
                    if (!catchUpFailed) // once until it works again: the next request reports it anyway
                    {
                        protocol.println("log snapshot follower cannot read the journal: " + SnapshotTaker.describe(ex));
                    }
                    catchUpFailed = true;
                }
                continue;
            }
            protocol.println(follower.answer(request));
        }
    }

    /** Main thread: the answer line to one request line. */
    private String answer(final String request)
    {
        final String[] words = request.split(" ");
        if (words.length != 3 || !words[0].equals("snapshot"))
        {
            return "failed -1 not a request: " + request;
        }
        final long index;
        try
        {
            index = Long.parseLong(words[1]);
            Long.parseLong(words[2]);
        }
        catch (final NumberFormatException ex)
        {
            return "failed -1 not a request: " + request;
        }
        final long start = System.nanoTime();
        try
        {
            if (lastFile != null && SnapshotStore.indexOf(lastFile) >= index)
            {
                return "written " + SnapshotStore.indexOf(lastFile) + " 0 " + lastFile; // already ahead of the core's request
            }
            shadow.catchUp();
            if (shadow.lastIndex() < index)
            {
                return "failed " + index + " the journal ends at index " + shadow.lastIndex() + ", before index " + index;
            }
            final Path file = shadow.takeLatest();
            lastFile = file;
            return "written " + SnapshotStore.indexOf(file) + " " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " " + file;
        }
        catch (final RuntimeException | OutOfMemoryError ex)
        {
            return "failed " + index + " " + SnapshotTaker.describe(ex);
        }
    }
}
