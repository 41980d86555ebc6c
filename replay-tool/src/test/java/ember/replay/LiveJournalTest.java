package ember.replay;

import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.Syscalls;
import ember.kernel.core.Kernel;
import ember.replay.cli.ReplayTool;
import ember.replay.testing.Jsons;
import ember.replay.testing.Scenario;
import ember.replay.testing.TempDirs;
import ember.replay.testing.Tool;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tool reads a journal while the kernel writes it: follow, consistent prefixes, verify, state. */
class LiveJournalTest
{
    /** A writer several threads may use; {@link #toString()} is what was written so far. */
    static final class SharedBuffer extends Writer
    {
        private final StringBuffer buffer = new StringBuffer();

        @Override
        public void write(final char[] chars, final int off, final int len)
        {
            buffer.append(chars, off, len);
        }

        @Override
        public void flush()
        {
        }

        @Override
        public void close()
        {
        }

        @Override
        public String toString()
        {
            return buffer.toString();
        }

        long lines()
        {
            return buffer.chars().filter(c -> c == '\n').count();
        }
    }

    private static void await(final java.util.function.BooleanSupplier condition, final String what)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void followPrintsRecordsAsTheKernelWritesThem() throws Exception
    {
        final Path dir = TempDirs.create("replay-live");
        try (Kernel kernel = Kernel.open(Scenario.config(dir)); EmbeddedClient client = new EmbeddedClient(kernel))
        {
            final Syscalls init = client.as(1);
            final long worker = init.spawn("worker"); // records 1..3 are there before the tool starts
            final long last = 3 + 40;
            final SharedBuffer out = new SharedBuffer();
            final StringWriter err = new StringWriter();
            final AtomicInteger code = new AtomicInteger(-1);
            final Thread follower = new Thread(() -> code.set(ReplayTool.execute(new String[] {"log", "--dir",
                dir.toString(), "--follow", "--poll-ms", "5", "--format", "json", "--to", Long.toString(last)},
                new PrintWriter(out), new PrintWriter(err))), "follower");
            follower.start();
            await(() -> out.lines() == 3, "the records already written");
            for (int i = 0; i < 20; i++)
            {
                init.sendEvent(worker, "ping", (long)i);
                client.as(worker).pullEvent(0, "remote_event");
                if (i == 10)
                {
                    await(() -> out.lines() >= 3 + 2 * 10, "records written after the tool started");
                }
            }
            follower.join(20_000);
            assertEquals(0, code.get(), () -> out + "\n" + err);
            final List<Map<String, Object>> lines = Jsons.lines(new Tool.Run(0, out.toString(), ""));
            assertEquals(LongStream.rangeClosed(1, last).boxed().toList(), lines.stream().map(e -> e.get("index")).toList());
            assertEquals(Map.of("name", "remote_event", "params", Map.of("data", 19L, "sender", 1L, "type", "ping")),
                lines.get(lines.size() - 1).get("result"));
        }
        finally
        {
            TempDirs.delete(dir);
        }
    }

    @Test
    void readersSeeAConsistentPrefixWhileTheKernelWrites() throws Exception
    {
        final Path dir = TempDirs.create("replay-live");
        try (Kernel kernel = Kernel.open(Scenario.config(dir)); EmbeddedClient client = new EmbeddedClient(kernel))
        {
            final Syscalls init = client.as(1);
            final long worker = init.spawn("worker");
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread writer = new Thread(() ->
            {
                try
                {
                    long i = 0;
                    while (!stop.get())
                    {
                        init.sendEvent(worker, "load", i++);
                        client.as(worker).pullEvent(0);
                        if (i % 50 == 0)
                        {
                            client.as(worker).cancel(client.as(worker).timer(3600));
                        }
                    }
                }
                catch (final Throwable t)
                {
                    failure.set(t);
                }
            }, "writer");
            writer.start();
            try
            {
                for (int round = 0; round < 3; round++)
                {
                    Thread.sleep(100);
                    final Tool.Run log = Tool.run("log", "--dir", dir.toString(), "--format", "json");
                    assertEquals(0, log.exitCode(), log::toString);
                    final List<Object> indexes = Jsons.lines(log).stream().map(e -> e.get("index")).toList();
                    assertEquals(LongStream.rangeClosed(1, indexes.size()).boxed().toList(), indexes);
                    assertTrue(indexes.size() > 3, "records arrive while the tool reads");

                    final Tool.Run verify = Tool.run("verify", "--dir", dir.toString());
                    assertEquals(0, verify.exitCode(), verify::toString);

                    final Tool.Run report = Tool.run("report", "--dir", dir.toString(), "--format", "json");
                    assertEquals(0, report.exitCode(), report::toString);
                }
            }
            finally
            {
                stop.set(true);
                writer.join(10_000);
            }
            assertEquals(null, failure.get());

            // With the writer stopped, the replayed state equals the live kernel's at the same index.
            final String live = kernel.digest();
            final String index = live.substring(0, live.indexOf(':'));
            final Tool.Run state = Tool.run("state", "--dir", dir.toString(), "--at", index, "--format", "json");
            assertEquals(live.substring(live.indexOf(':') + 1), Jsons.object(state.out()).get("digest"));
        }
        finally
        {
            TempDirs.delete(dir);
        }
    }
}
