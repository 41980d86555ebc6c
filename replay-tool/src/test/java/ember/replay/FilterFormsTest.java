package ember.replay;

import ember.replay.testing.Jsons;
import ember.replay.testing.ScenarioJournalTest;
import ember.replay.testing.Tool;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The ausearch-grade filter forms of {@code log} (and of {@code report}, {@code state},
 * {@code trace}, {@code timeline} where they take them), on a journal written by the real kernel:
 * signal names, index expressions, relative and day times with a zone, excludes, regexes, the
 * last N, reverse order, the no-match exit and the shape of usage errors.
 */
class FilterFormsTest extends ScenarioJournalTest
{
    private static String[] withDir(final String command, final String... args)
    {
        final String[] full = new String[args.length + 3];
        full[0] = command;
        full[1] = "--dir";
        full[2] = dir;
        System.arraycopy(args, 0, full, 3, args.length);
        return full;
    }

    /** @return the indexes {@code log --format json ARGS} prints; asserts it matched something. */
    private static List<Long> logged(final String... args)
    {
        final String[] json = new String[args.length + 2];
        json[0] = "--format";
        json[1] = "json";
        System.arraycopy(args, 0, json, 2, args.length);
        final Tool.Run run = Tool.run(withDir("log", json));
        assertEquals(0, run.exitCode(), run::toString);
        assertEquals("", run.err(), run::toString);
        return Jsons.lines(run).stream().map(e -> (Long)e.get("index")).toList();
    }

    private static List<Long> expected(final Predicate<Map<String, Object>> predicate)
    {
        return records.where(predicate).stream().map(e -> (Long)e.get("index")).toList();
    }

    private static long lastIndex()
    {
        return records.all().size();
    }

    private static Instant timeOf(final Map<String, Object> e)
    {
        return Instant.parse((String)e.get("time"));
    }

    private static void assertNoMatches(final String... args)
    {
        final Tool.Run run = Tool.run(withDir("log", args));
        assertEquals(1, run.exitCode(), run::toString);
        assertEquals("", run.out(), run::toString);
        assertEquals("<no matches>\n", run.err(), run::toString);
    }

    private static void assertUsageError(final Tool.Run run, final String message, final String command)
    {
        assertEquals(2, run.exitCode(), run::toString);
        assertEquals("", run.out(), run::toString);
        final String[] lines = run.err().split("\n");
        assertEquals(2, lines.length, run::toString);
        assertTrue(lines[0].startsWith("replay-tool: ") && lines[0].contains(message), run::toString);
        assertEquals("try 'replay-tool " + command + " --help'", lines[1]);
    }

    @Test
    void signalsByNameOrNumber()
    {
        final List<Long> term = logged("--signal", "15");
        assertEquals(expected(e -> "kill".equals(e.get("syscall")) && 15L == (Long)Jsons.list(e, "args").get(1)), term);
        assertFalse(term.isEmpty());
        assertEquals(term, logged("--signal", "TERM"));
        assertEquals(term, logged("--signal", "SIGTERM"));
        assertEquals(term, logged("--signal", "term"));
        assertEquals(logged("--signal", "10"), logged("--signal", "USR1"));
        assertEquals(logged("--signal", "10,19"), logged("--signal", "sigusr1,STOP"));
        assertUsageError(Tool.run(withDir("log", "--signal", "BOGUS")), "unknown signal 'BOGUS'", "log");
    }

    @Test
    void indexExpressions()
    {
        final long last = lastIndex();
        assertEquals(List.of(last - 2, last - 1, last), logged("--from", "last-2"));
        assertEquals(List.of(last), logged("--from", "last"));
        assertEquals(List.of(1L, 2L, 3L, 4L), logged("--to", "5-1"));
        assertEquals(List.of(6L, 7L), logged("--from", "5+1", "--to", "7"));
        final Tool.Run atLast = Tool.run(withDir("state", "--at", "last"));
        assertEquals(0, atLast.exitCode(), atLast::toString);
        assertEquals(Tool.run(withDir("state")).out(), atLast.out());
        final Tool.Run before = Tool.run(withDir("state", "--at", last + "-1"));
        assertEquals(before.out(), Tool.run(withDir("state", "--at", "last-1")).out());
        assertEquals(before.out(), Tool.run(withDir("state", "--at", Long.toString(last - 1))).out());
    }

    @Test
    void relativeTimesAndDays()
    {
        final List<Long> all = expected(e -> true);
        // The journal was written moments ago: within the last 10 minutes, the last day, today or yesterday.
        assertEquals(all, logged("--from", "10m"));
        assertEquals(all, logged("--from", "recent"));
        assertEquals(all, logged("--from", "1d", "--to", "now"));
        assertEquals(all, logged("--from", "yesterday"));
        assertNoMatches("--to", "1h");
        assertNoMatches("--to", "yesterday");
        assertNoMatches("--from", "now");
        final Instant midnight = LocalDate.now(ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC).toInstant();
        final List<Long> today = expected(e -> !timeOf(e).isBefore(midnight));
        assumeTrue(!today.isEmpty(), "the journal was written before midnight UTC");
        assertEquals(today, logged("--from", "today"));
    }

    @Test
    void timeOfDayTodayInUtcOrAZone()
    {
        final Instant fifth = timeOf(records.at(5));
        assumeTrue(LocalDate.ofInstant(fifth, ZoneOffset.UTC).equals(LocalDate.now(ZoneOffset.UTC)),
            "record 5 was written today (UTC)");
        final Instant second = fifth.truncatedTo(ChronoUnit.SECONDS);
        final List<Long> since = expected(e -> !timeOf(e).isBefore(second));
        assertTrue(since.contains(5L));
        final DateTimeFormatter hms = DateTimeFormatter.ofPattern("HH:mm:ss");
        assertEquals(since, logged("--from", hms.withZone(ZoneOffset.UTC).format(fifth)));
        final ZoneId zone = ZoneId.of("+05:30");
        assumeTrue(LocalDate.ofInstant(fifth, zone).equals(LocalDate.now(zone)), "record 5 was written today (+05:30)");
        assertEquals(since, logged("--zone", "+05:30", "--from", hms.withZone(zone).format(fifth)));
        // A second before the first record, as a time of day in +05:30: nothing is that early. (Not
        // "six hours earlier in UTC": between 18:30 and 06:00 UTC that names a time of another day.)
        final Instant beforeFirst = timeOf(records.at(1)).minusSeconds(1);
        assumeTrue(LocalDate.ofInstant(beforeFirst, zone).equals(LocalDate.now(zone)), "record 1 was written today (+05:30)");
        assertNoMatches("--zone", "+05:30", "--to", hms.withZone(zone).format(beforeFirst));
        assertUsageError(Tool.run(withDir("log", "--zone", "Mars/Olympus")), "unknown zone 'Mars/Olympus'", "log");
    }

    @Test
    void excludeSyscalls()
    {
        final List<Long> rest = expected(e -> !"clientAttach".equals(e.get("syscall")) &&
            !"clientDetach".equals(e.get("syscall")));
        assertTrue(rest.size() < lastIndex());
        assertEquals(rest, logged("--exclude-syscall", "clientAttach", "--exclude-syscall", "clientDetach"));
        assertEquals(rest, logged("--exclude-syscall", "clientAttach,clientDetach"));
        assertEquals(expected(e -> !"kill".equals(e.get("syscall"))), logged("--exclude-syscall", "kill"));
        assertNoMatches("--denied", "--exclude-syscall", "kill"); // every denial of the scenario is a kill
    }

    @Test
    void eventNameRegex()
    {
        final List<Long> completes = logged("--event", "process_complete");
        assertEquals(completes, logged("--event-regex", "^process_"));
        assertEquals(completes, logged("--event-regex", "complete$"));
        final List<Long> timerOrSignal = new ArrayList<>(logged("--event", "timer,signal"));
        Collections.sort(timerOrSignal);
        assertEquals(timerOrSignal, logged("--event-regex", "^(timer|signal)$"));
        assertNoMatches("--event", "process_complete", "--event-regex", "^timer$"); // both must hold
        assertUsageError(Tool.run(withDir("log", "--event-regex", "(")), "bad regular expression '('", "log");
    }

    @Test
    void grepOnArgumentsAndResults()
    {
        final long needle = records.index("queueEvent", List.of("needle", Map.of("marker", "NEEDLE-XYZ")), false);
        assertEquals(List.of(needle), logged("--grep", "NEEDLE-XYZ"));
        assertEquals(List.of(needle), logged("--grep", "NEEDLE-[A-Z]+"));
        // Only the pull that returned process_complete has a signal param in its result.
        final List<Long> pulls = expected(e -> "pullEvent".equals(e.get("syscall")) &&
            List.of("process_complete").equals(e.get("args")) && e.get("result") != null);
        assertEquals(pulls, logged("--grep", "\"signal\":\\s*15"));
        assertNoMatches("--grep", "NOWHERE-IN-THE-JOURNAL");
    }

    @Test
    void lastNAndReverse()
    {
        final long last = lastIndex();
        final List<Long> kills = logged("--syscall", "kill");
        assertEquals(kills.subList(kills.size() - 3, kills.size()), logged("--syscall", "kill", "--last", "3"));
        final List<Long> reversed = new ArrayList<>(kills);
        Collections.reverse(reversed);
        assertEquals(reversed, logged("--syscall", "kill", "--reverse"));
        assertEquals(reversed.subList(0, 3), logged("--syscall", "kill", "--reverse", "--last", "3"));
        assertEquals(reversed.subList(0, 2), logged("--syscall", "kill", "--reverse", "--limit", "2"));
        assertEquals(List.of(last - 1, last), logged("--last", "2"));
        assertEquals(kills, logged("--syscall", "kill", "--last", "1000"));
        final Tool.Run text = Tool.run(withDir("log", "--last", "1"));
        assertEquals(1, text.lines().size(), text::toString);
        assertTrue(text.lines().get(0).startsWith(last + " "), text::toString);
        assertUsageError(Tool.run(withDir("log", "--reverse", "--follow")), "--reverse cannot be combined with --follow",
            "log");
    }

    @Test
    void noMatchIsExitOneWithAMessage()
    {
        assertNoMatches("--pid", "999");
        assertNoMatches("--syscall", "kill", "--user", "nobody");
        final Tool.Run csv = Tool.run(withDir("log", "--format", "csv", "--pid", "999"));
        assertEquals(1, csv.exitCode(), csv::toString);
        assertEquals("<no matches>\n", csv.err());
        final Tool.Run some = Tool.run(withDir("log", "--pid", "1"));
        assertEquals(0, some.exitCode(), some::toString);
        assertEquals("", some.err());
    }

    @Test
    void usageErrorsAreOneLineAndAHint()
    {
        assertUsageError(Tool.run(withDir("log", "--sigal", "TERM")), "Unknown option", "log");
        assertUsageError(Tool.run(withDir("log", "--from", "noon")), "not a point: 'noon'", "log");
        assertUsageError(Tool.run(withDir("report", "--signal", "NOPE")), "unknown signal 'NOPE'", "report");
        assertUsageError(Tool.run(withDir("state", "--at", "1-2")), "index out of range", "state");
        assertUsageError(Tool.run("diff", "--dir", dir, "1"), "Missing required parameter", "diff");
        final Tool.Run help = Tool.run("log", "--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().contains("--exclude-syscall") && help.out().contains("last-10"), help::toString);
        assertEquals("", help.err());
    }

    @Test
    void reportTraceAndTimelineTakeTheSameForms()
    {
        final Tool.Run report = Tool.run(withDir("report", "--format", "json", "--signal", "TERM",
            "--exclude-syscall", "signal", "--from", "10m", "--grep", "15"));
        assertEquals(0, report.exitCode(), report::toString);
        assertEquals((long)logged("--signal", "TERM", "--from", "10m", "--grep", "15").size(),
            Jsons.object(report.out()).get("records"));
        final Tool.Run needle = Tool.run(withDir("report", "--format", "json", "--event-regex", "^need"));
        assertEquals(1L, Jsons.object(needle.out()).get("records"), needle::toString);
        final String worker = Long.toString(scenario.worker);
        assertEquals(Tool.run(withDir("trace", worker)).out(), Tool.run(withDir("trace", worker, "--to", "last")).out());
        final Tool.Run timeline = Tool.run(withDir("timeline", "--html", scenario.dir.resolve("out/t.html").toString(),
            "--from", "last-4", "--to", "now"));
        assertEquals(0, timeline.exitCode(), timeline::toString);
        assertTrue(timeline.out().trim().endsWith("records " + (lastIndex() - 4) + ".." + lastIndex()), timeline::toString);
    }
}
