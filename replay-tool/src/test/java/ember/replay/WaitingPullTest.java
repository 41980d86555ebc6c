package ember.replay;

import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.ReceivedEvent;
import ember.kernel.client.Syscalls;
import ember.kernel.core.Kernel;
import ember.kernel.state.JournalReplay;
import ember.replay.testing.Jsons;
import ember.replay.testing.Scenario;
import ember.replay.testing.TempDirs;
import ember.replay.testing.Tool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A pull that waits reads as waiting, not as an empty pull, in {@code log} text and JSON; the
 * record that completes it names the record where it began to wait; a pull that timed out has no
 * completion record and one with timeout 0 is {@code empty}. On a journal the real kernel wrote,
 * whose replay still gives the live digest.
 */
final class WaitingPullTest
{
    private Path dir;
    private String live;
    /** The records: spawn, the waiting pull, the send, the completing pull, a timed-out wait, an empty pull. */
    private long waiting;
    private long completing;
    private long timedOut;
    private long empty;

    @BeforeEach
    void write() throws Exception
    {
        dir = TempDirs.create("replay-waiting");
        try (Kernel kernel = Kernel.open(Scenario.config(dir)); EmbeddedClient client = new EmbeddedClient(kernel))
        {
            final Syscalls init = client.as(1);
            final long worker = init.spawn("worker");
            final long before = index(kernel.digest());
            final CompletableFuture<ReceivedEvent> pull =
                CompletableFuture.supplyAsync(() -> client.as(worker).pullEvent(Syscalls.FOREVER, "remote_event"));
            while (index(kernel.digest()) == before) // the pull's record is in: it waits now
            {
                Thread.onSpinWait();
            }
            waiting = before + 1;
            init.sendEvent(worker, "job", Map.of("n", 1L));
            final ReceivedEvent got = pull.get(60, TimeUnit.SECONDS);
            assertEquals("remote_event", got.name());
            completing = waiting + 2;
            assertNull(client.as(worker).pullEvent(0.05, "never"), "times out: no event named never");
            timedOut = completing + 1;
            assertNull(client.as(worker).pullEvent(0, "never"));
            empty = timedOut + 1;
            live = kernel.digest();
        }
    }

    @AfterEach
    void delete()
    {
        TempDirs.delete(dir);
    }

    @Test
    void textShowsTheWaitAndWhatCompletedIt()
    {
        final Tool.Run run = Tool.run("log", "--dir", dir.toString(), "--syscall", "pullEvent");
        assertEquals(0, run.exitCode(), run::toString);
        final List<String> lines = run.lines();
        assertEquals(4, lines.size(), run::toString);
        assertTrue(lines.get(0).startsWith(waiting + " "), lines.get(0));
        assertTrue(lines.get(0).endsWith(" pullEvent(\"remote_event\") \u2192 waiting"), lines.get(0));
        assertTrue(lines.get(1).startsWith(completing + " "), lines.get(1));
        assertTrue(lines.get(1).endsWith(" pullEvent(\"remote_event\") = remote_event " +
            "{\"data\":{\"n\":1},\"sender\":1,\"type\":\"job\"} (after waiting since #" + waiting + ")"), lines.get(1));
        assertTrue(lines.get(2).startsWith(timedOut + " "), lines.get(2));
        assertTrue(lines.get(2).endsWith(" pullEvent(\"never\") \u2192 waiting"), lines.get(2));
        assertTrue(lines.get(3).startsWith(empty + " "), lines.get(3));
        assertTrue(lines.get(3).endsWith(" pullEvent(\"never\") = nil"), lines.get(3));
    }

    @Test
    void jsonNamesTheOutcome()
    {
        final Tool.Run run = Tool.run("log", "--dir", dir.toString(), "--syscall", "pullEvent", "--format", "json");
        assertEquals(0, run.exitCode(), run::toString);
        final List<Map<String, Object>> records = Jsons.lines(run);
        assertEquals(List.of("waiting", "event", "waiting", "empty"), records.stream().map(r -> r.get("outcome")).toList());
        assertEquals(waiting, records.get(1).get("waitedSince"));
        for (final int i : new int[] {0, 2, 3})
        {
            assertFalse(records.get(i).containsKey("waitedSince"), records.get(i).toString());
            assertNull(records.get(i).get("result"), "nil, in every case but the event");
        }
        assertEquals("pullWaiting", firstEffect(records.get(0)).get("type"));
        final Map<String, Object> consumed = firstEffect(records.get(1));
        assertEquals("consumed", consumed.get("type"));
        assertEquals(waiting, consumed.get("waitedSince"));
    }

    @Test
    void csvAndTraceShowTheWaitToo()
    {
        final Tool.Run csv = Tool.run("log", "--dir", dir.toString(), "--syscall", "pullEvent", "--format", "csv");
        assertEquals(0, csv.exitCode(), csv::toString);
        assertTrue(csv.lines().get(1).endsWith(",2 waits for an event"), csv.lines().get(1));
        final Tool.Run trace = Tool.run("trace", "2", "--calls", "--dir", dir.toString());
        assertEquals(0, trace.exitCode(), trace::toString);
        assertTrue(trace.out().contains("pullEvent(\"remote_event\") \u2192 waiting"), trace::toString);
        assertTrue(trace.out().contains("(after waiting since #" + waiting + ")"), trace::toString);
    }

    @Test
    void replayStillGivesTheLiveDigest()
    {
        final long index = index(live);
        assertEquals(live, index + ":" + JournalReplay.replay(dir, index).digest());
        final Tool.Run verify = Tool.run("verify", "--dir", dir.toString());
        assertEquals(0, verify.exitCode(), verify::toString);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> firstEffect(final Map<String, Object> record)
    {
        return (Map<String, Object>)Jsons.list(record, "effects").get(0);
    }

    private static long index(final String digest)
    {
        return Long.parseLong(digest.substring(0, digest.indexOf(':')));
    }
}
