package ember.replay.debug;

import ember.replay.engine.JournalDir;
import ember.replay.engine.Origin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.time.ZoneOffset;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The debugger driven command by command over a journal with a known story ({@link DebugStory}):
 * each answer asserted. A checkpoint every 16 records, so moves back and backward searches run
 * over several checkpoint spans of the 113-record journal.
 */
class DebugSessionTest
{
    private static final long INTERVAL = 16;
    private static DebugStory story;

    @BeforeAll
    static void writeStory()
    {
        story = DebugStory.write();
    }

    @AfterAll
    static void deleteStory()
    {
        story.delete();
    }

    private static Session open()
    {
        return new Session(Origin.earliest(JournalDir.of(story.dir)), ZoneOffset.UTC, INTERVAL);
    }

    /** @return the answer block of one command; asserts it succeeded. */
    private static List<String> ask(final Session session, final String command)
    {
        final StringWriter out = new StringWriter();
        final boolean ok = session.execute(command, new PrintWriter(out, true));
        assertTrue(ok, () -> command + " failed: " + out);
        return List.of(out.toString().split("\n"));
    }

    /** @return the one error line of a command that must fail. */
    private static String fail(final Session session, final String command)
    {
        final StringWriter out = new StringWriter();
        assertFalse(session.execute(command, new PrintWriter(out, true)), command + " succeeded: " + out);
        final String text = out.toString();
        assertTrue(text.startsWith("error: ") && text.indexOf('\n') == text.length() - 1, text);
        return text.strip();
    }

    private static long indexOf(final String whereLine)
    {
        return Long.parseLong(whereLine.substring(0, whereLine.indexOf(' ')));
    }

    @Test
    void breaksStopWhereTheStoryHappensInBothDirections()
    {
        try (Session s = open())
        {
            assertEquals(List.of("0 start: the empty state, before record 1"), ask(s, "where"));
            assertEquals(List.of("breakpoint 1: when queued(2) > 100"), ask(s, "break when queued(2) > 100"));

            List<String> a = ask(s, "continue");
            assertEquals("stopped at " + story.queuePast100 + " by breakpoint 1 (when queued(2) > 100)", a.get(0));
            assertEquals(story.queuePast100, indexOf(a.get(1)));
            assertTrue(a.get(1).contains(" pid=2 user=root queueEvent(\"work\", {\"n\":101}) = nil"), a.get(1));
            assertEquals(2, a.size());

            assertEquals(List.of("queue of 2 (worker): 101 events", "  1. work {\"n\":1}", "  2. work {\"n\":2}",
                "  3. work {\"n\":3}", "  ... 98 more"), ask(s, "print queue 2 3"));

            assertEquals(List.of("breakpoint 2: error Permission denied"), ask(s, "break error Permission denied"));
            assertEquals(List.of("breakpoint 3: watch process 2"), ask(s, "watch process 2"));
            a = ask(s, "continue");
            assertEquals("stopped at " + story.denied + " by breakpoint 2 (error Permission denied)", a.get(0));
            assertTrue(a.get(1).startsWith(story.denied + " "), a.get(1));
            assertTrue(a.get(1).endsWith(" pid=3 user=alice kill(2, 15) = error: Permission denied"), a.get(1));
            assertEquals(List.of("record " + story.denied + " kill at " + a.get(1).split(" ")[1] + ": no effects"),
                ask(s, "effects"));

            a = ask(s, "continue");
            assertEquals("stopped at " + story.stopped + " by breakpoint 3 (watch process 2): process 2: stopped user " +
                "root parent 1 name worker", a.get(0));
            assertTrue(a.get(1).startsWith(story.stopped + " ") && a.get(1).contains("kill(2, 19) = nil"), a.get(1));
            assertEquals("  signal 19 to 2: stopped", ask(s, "effects").get(1));
            assertEquals(List.of("PID PPID USER STATE QUEUED NAME", "1 0 root running 0 init",
                "2 1 root stopped 101 worker", "3 1 alice running 0 job"), ask(s, "ps"));

            // Backwards: the same stops, in reverse order, then the start.
            assertEquals("stopped at " + story.denied + " by breakpoint 2 (error Permission denied)",
                ask(s, "reverse-continue").get(0));
            assertEquals("stopped at " + story.queuePast100 + " by breakpoint 1 (when queued(2) > 100)",
                ask(s, "reverse-continue").get(0));
            a = ask(s, "reverse-continue");
            assertEquals("stopped at " + story.spawnedWorker + " by breakpoint 3 (watch process 2): process 2: running " +
                "user root parent 1 name worker", a.get(0));
            assertTrue(a.get(1).contains("spawn(\"worker\") = 2"), a.get(1));
            assertEquals(List.of("reached the start: no breakpoint stops before record " + story.spawnedWorker,
                "0 start: the empty state, before record 1"), ask(s, "reverse-continue"));
            assertEquals("error: at the start (record 0)", fail(s, "reverse-continue"));

            assertEquals(List.of("1 when queued(2) > 100", "2 error Permission denied", "3 watch process 2"),
                ask(s, "info breaks"));
            assertEquals(List.of("deleted breakpoint 2"), ask(s, "delete 2"));
            assertEquals("error: no breakpoint 2; info breaks lists them", fail(s, "delete 2"));
            assertEquals(List.of("deleted 2 breakpoints"), ask(s, "delete"));
            assertEquals(List.of("no breakpoints"), ask(s, "info breaks"));
        }
    }

    @Test
    void conditionsAreEdgeTriggeredInBothDirections()
    {
        try (Session s = open())
        {
            ask(s, "break when stopped(2)");
            // Forwards from the start: true only after the stop (the continue ends it one record later).
            assertEquals("stopped at " + story.stopped + " by breakpoint 1 (when stopped(2))", ask(s, "continue").get(0));
            // Still true after the stop record itself: stepping on and continuing finds no new edge.
            assertEquals(List.of("reached the end: no breakpoint stops after record " + story.stopped),
                ask(s, "continue").subList(0, 1));
            final long end = s.index();
            assertTrue(end > story.exited, "at the end " + end);
            // Backwards from the end: the record where it became true, not where it stopped holding.
            assertEquals("stopped at " + story.stopped + " by breakpoint 1 (when stopped(2))",
                ask(s, "reverse-continue").get(0));
            // From inside the interval where it holds, backwards: the same edge.
            ask(s, "delete");
            ask(s, "break when exists(2) && !stopped(2)");
            assertEquals("stopped at " + story.continued + " by breakpoint 2 (when exists(2) && !stopped(2))",
                ask(s, "continue").get(0));
            assertEquals("stopped at " + story.spawnedWorker + " by breakpoint 2 (when exists(2) && !stopped(2))",
                ask(s, "reverse-continue").get(0));
        }
    }

    @Test
    void theFirstBackAfterAFarGotoIsBounded()
    {
        // As --at N does: a fresh session goes straight to the end; the seek forward keeps
        // checkpoints on its way, so the first step back into that region replays under an interval.
        try (Session s = open())
        {
            final long end = indexOf(ask(s, "goto end").get(0));
            assertTrue(end > 4 * INTERVAL, "the story spans several intervals: " + end);
            assertEquals(end - 1, indexOf(ask(s, "back").get(0)));
            assertTrue(s.lastReplayed() <= INTERVAL, "back replayed " + s.lastReplayed());
            assertEquals(INTERVAL + 1, indexOf(ask(s, "goto " + (INTERVAL + 1)).get(0)));
            assertTrue(s.lastReplayed() <= INTERVAL, "goto back replayed " + s.lastReplayed());
        }
    }

    @Test
    void stepBackGotoAndTheirCostIsBounded()
    {
        try (Session s = open())
        {
            assertEquals(story.stopped, indexOf(ask(s, "goto " + story.stopped).get(0)));
            assertEquals(story.stopped - 3, indexOf(ask(s, "back 3").get(0)));
            assertTrue(s.lastReplayed() <= INTERVAL, "back replayed " + s.lastReplayed());
            assertEquals(story.stopped - 1, indexOf(ask(s, "step 2").get(0)));
            assertEquals(story.stopped, indexOf(ask(s, "step").get(0)));
            assertEquals(1, s.lastReplayed(), "one step forwards applies one record");
            final long end = indexOf(ask(s, "goto end").get(0));
            assertEquals("error: at the end of the journal (record " + end + ")", fail(s, "step"));
            for (long at = end; at > 0; at -= 7)
            {
                final long expected = Math.max(0, at - 7);
                assertEquals(expected, indexOf(ask(s, "back 7").get(0)));
                assertTrue(s.lastReplayed() <= INTERVAL, "back to " + expected + " replayed " + s.lastReplayed());
            }
            assertEquals(List.of("0 start: the empty state, before record 1"), ask(s, "where"));
            assertEquals(List.of("no record: at the start, before record 1"), ask(s, "effects"));
            assertEquals(1, indexOf(ask(s, "goto last-" + (end - 1)).get(0)));
            assertTrue(ask(s, "where").get(0).contains("kernelOpen("), "record 1 opens the kernel");
            assertEquals(0, indexOf(ask(s, "goto start").get(0)));
            assertEquals("error: the journal ends at record " + end + "; there is no record 9999", fail(s, "goto 9999"));
            assertTrue(fail(s, "goto soon").startsWith("error: "), "a point that is none of the forms");
            assertEquals("error: expected a number, got 'x' (step [K])", fail(s, "step x"));
            assertEquals("error: unknown command 'frob'; type help", fail(s, "frob"));
            assertEquals(0, s.index(), "errors do not move");
        }
    }

    @Test
    void inspectionAndWhen()
    {
        try (Session s = open())
        {
            ask(s, "goto " + story.registered);
            assertEquals(List.of("process 2 (worker) user root, parent 1, running, 102 queued, 0 timers",
                "  dispositions changed: none", "  held handler calls: none", "  services: svc"),
                ask(s, "print process 2"));
            assertEquals(List.of("services: 1", "  svc -> 2"), ask(s, "print services"));
            assertEquals(List.of("pending timers and alarms: 0"), ask(s, "print timers"));
            assertEquals("error: no process 9 after record " + story.registered, fail(s, "print process 9"));
            final List<String> diff = ask(s, "diff " + story.denied);
            assertTrue(diff.get(0).startsWith("diff from record " + story.denied + " "), diff.get(0));
            assertTrue(diff.contains("services registered (1)"), diff::toString);
            assertTrue(diff.stream().anyMatch(l -> l.contains("signal 19 to 2: stopped")), diff::toString);

            assertEquals(List.of(Long.toString(story.queuePast100)), ask(s, "when queued(2) > 100"));
            assertEquals(List.of(Long.toString(story.queuePast100)), ask(s, "find queued(2) > 100 --all"));
            assertEquals(List.of("0", Long.toString(story.continued)), ask(s, "when !stopped(2) --all"));
            assertEquals(List.of(Long.toString(story.spawnedWorker + 1)), ask(s, "when user(3) == \"root\""));
            assertEquals(List.of("never: queued(2) > 102 holds after no record"), ask(s, "when queued(2) > 102"));
            assertEquals(story.registered, s.index(), "when does not move");

            // watch service: where svc is registered and where it is released with its process.
            ask(s, "goto start");
            ask(s, "watch service svc");
            assertEquals("stopped at " + story.registered + " by breakpoint 1 (watch service svc): service svc -> 2",
                ask(s, "continue").get(0));
            assertEquals("stopped at " + story.exited + " by breakpoint 1 (watch service svc): service svc -> nil",
                ask(s, "continue").get(0));
            ask(s, "delete");
            ask(s, "watch queue 2");
            ask(s, "goto " + story.spawnedWorker);
            assertEquals("stopped at " + (story.queuePast100 - 100) + " by breakpoint 2 (watch queue 2): queued(2) = 1",
                ask(s, "continue").get(0));
            ask(s, "delete");
            ask(s, "break signal STOP");
            ask(s, "break user alice");
            assertEquals("stopped at " + story.denied + " by breakpoint 4 (user alice)", ask(s, "continue").get(0));
            assertEquals("stopped at " + story.stopped + " by breakpoint 3 (signal STOP)", ask(s, "continue").get(0));
            ask(s, "break syscall register");
            assertEquals("stopped at " + story.registered + " by breakpoint 5 (syscall register)",
                ask(s, "continue").get(0));
            assertTrue(ask(s, "help").size() == Commands.ALL.size());
            assertTrue(ask(s, "help break").get(0).startsWith("break syscall NAME|pid P"));
        }
    }

    @Test
    void aPipeGetsOneAnswerBlockPerCommandAndErrorsDoNotStopIt()
    {
        try (Session s = open())
        {
            final StringWriter out = new StringWriter();
            final int code = s.run(new BufferedReader(new StringReader(
                "# a comment\n\nbreak when queued(2) > 100\ncontinue\nbreak when queued(2) >\nwhere\nquit\nwhere\n")),
                new PrintWriter(out, true));
            final String[] lines = out.toString().split("\n");
            assertEquals(1, code, "an error makes the exit code 1");
            assertEquals(5, lines.length, out::toString);
            assertEquals("breakpoint 1: when queued(2) > 100", lines[0]);
            assertEquals("stopped at " + story.queuePast100 + " by breakpoint 1 (when queued(2) > 100)", lines[1]);
            assertEquals("error: at column 12: expected a value, found the end in 'queued(2) >'", lines[3]);
            assertEquals(lines[2], lines[4], "where after the error: the same record; nothing after quit");
        }
    }
}
