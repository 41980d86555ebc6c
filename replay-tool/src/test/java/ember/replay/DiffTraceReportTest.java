package ember.replay;

import ember.replay.testing.ScenarioJournalTest;
import ember.replay.testing.Jsons;
import ember.replay.testing.Tool;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code diff}, {@code trace} and {@code report} on a journal written by the real kernel. */
class DiffTraceReportTest extends ScenarioJournalTest
{
    private static Tool.Run ok(final String... args)
    {
        final Tool.Run run = Tool.run(args);
        assertEquals(0, run.exitCode(), run::toString);
        return run;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> section(final Map<String, Object> diff, final String name)
    {
        return (List<Map<String, Object>>)(List<?>)Jsons.list(diff, name);
    }

    @Test
    void diffListsBirthsEndsEventsAndTimers()
    {
        final long setuser = records.index("setuser", List.of("alice"), false);
        final long pull = records.where(e -> "pullEvent".equals(e.get("syscall")) &&
            List.of("process_complete").equals(e.get("args"))).get(0).get("index") instanceof Long l ? l : -1;
        final Map<String, Object> diff = Jsons.object(ok("diff", "--dir", dir, Long.toString(setuser), Long.toString(pull),
            "--format", "json").out());
        assertEquals(pull - setuser, diff.get("records"));
        assertEquals(List.of(scenario.child), section(diff, "born").stream().map(e -> e.get("pid")).toList());
        assertEquals(List.of(scenario.worker, scenario.child), section(diff, "ended").stream().map(e -> e.get("pid")).toList());
        final Map<String, Object> worker = section(diff, "ended").get(0);
        assertEquals("signal", worker.get("how"));
        assertEquals(15L, worker.get("signal"));
        assertEquals(3, ((List<?>)worker.get("discarded")).size());
        assertEquals(List.of(scenario.child), worker.get("orphans"));
        final List<Map<String, Object>> queued = section(diff, "queued");
        assertEquals(List.of("dropped", "dropped", "consumed", "dropped", "consumed", "still_queued"),
            queued.stream().map(e -> e.get("fate")).toList(), queued.toString());
        assertEquals(2, section(diff, "consumed").size());
        assertEquals(3, section(diff, "timersSet").size());
        assertEquals(1, section(diff, "timersFired").size());
        assertEquals(List.of("cancel", "process ended"), section(diff, "timersCancelled").stream().map(e -> e.get("reason"))
            .toList());
        assertEquals(5, section(diff, "signals").size());

        final String text = ok("diff", "--dir", dir, Long.toString(setuser), Long.toString(pull)).out();
        assertTrue(text.contains("processes born (1)") && text.contains("events queued (6)") &&
            text.contains("-> still queued") && text.contains("  pid 2: 0 -> ended"), text);
        final String summary = ok("diff", "--dir", dir, "0", Long.toString(pull), "--summary").out();
        assertTrue(summary.contains("processes born   3"), summary);
    }

    @Test
    void diffRejectsPointsInTheWrongOrder()
    {
        final Tool.Run run = Tool.run("diff", "--dir", dir, "9", "3");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("is after the second"), run::toString);
    }

    @Test
    void traceTellsTheLifeOfAProcess()
    {
        final Map<String, Object> trace = Jsons.object(ok("trace", "--dir", dir, Long.toString(scenario.worker),
            "--format", "json").out());
        assertEquals("worker", trace.get("name"));
        assertEquals(records.index("spawn", List.of("worker"), false), Jsons.map(trace, "born").get("index"));
        assertEquals(records.index("kill", List.of(scenario.worker, 15L), false), Jsons.map(trace, "ended").get("index"));
        final List<String> kinds = Jsons.list(trace, "items").stream().map(i -> (String)((Map<?, ?>)i).get("kind")).toList();
        assertEquals(List.of("spawned", "signal", "received", "received", "timer", "timer", "received", "pulled", "timer",
            "timer", "timer", "service", "disposition", "signal", "child", "signal", "signal", "signal", "received", "signal",
            "ended", "timer"), kinds);

        final String text = ok("trace", "--dir", dir, Long.toString(scenario.worker)).out();
        assertTrue(text.contains("signal 15 from 3 (user alice) refused: Permission denied"), text);
        assertTrue(text.contains("received remote_event {\"data\":{\"n\":1,\"what\":\"build\"},\"sender\":1,\"type\":\"job\"} " +
            "from 1"), text);
        assertTrue(text.contains("signal 15 from 1 (user root): terminated"), text);
        assertTrue(text.contains("2 (worker) terminated by signal 15 from 1"), text);
        assertTrue(text.contains("its queue held: remote_event"), text);
        assertTrue(text.contains("(the state just before it ended: replay-tool state --at "), text);

        final String child = ok("trace", "--dir", dir, Long.toString(scenario.child), "--calls").out();
        assertTrue(child.contains("spawned by 2 (user root) as 'child'"), child);
        assertTrue(child.contains("re-parented to 1: parent 2 ended"), child);
        assertTrue(child.contains("call        exit(3) = nil"), child);
        assertTrue(child.contains("4 (child) exited with code 3"), child);
    }

    @Test
    void traceOfAProcessThatNeverExisted()
    {
        final Tool.Run run = Tool.run("trace", "--dir", dir, "77");
        assertEquals(1, run.exitCode());
        assertTrue(run.err().startsWith("replay-tool: process 77 was never spawned in this journal"), run::toString);
    }

    @Test
    @SuppressWarnings("unchecked")
    void reportCountsSyscallsUsersErrorsSignalsAndEvents()
    {
        final Map<String, Object> report = Jsons.object(ok("report", "--dir", dir, "--format", "json").out());
        assertEquals(scenario.journalEnd, report.get("records"));
        assertEquals(8L, Jsons.map(report, "syscalls").get("kill"));
        assertEquals(3L, Jsons.map(report, "failedSyscalls").get("kill"));
        assertEquals(2L, report.get("permissionDenied"));
        assertEquals(Map.of("Permission denied", 2L, "No such process", 1L), Jsons.map(report, "errors"));
        assertEquals(3L, Jsons.map(report, "signals").get("15"));
        assertEquals(6L, Jsons.map(report, "signalSenders").get("1"));
        assertEquals(2L, Jsons.map(report, "signalSenders").get("3"));
        assertEquals(2L, Jsons.map(report, "events").get("process_complete"));
        assertEquals(1L, Jsons.map(report, "remoteTypes").get("job"));
        assertEquals(Map.of("exit 3", 1L, "signal 15", 1L), Jsons.map(report, "endings"));
        assertEquals(2, Jsons.list(report, "denials").size());
        final List<Object> busiest = Jsons.list(report, "busiest").subList(0, 2);
        assertEquals(java.util.Set.of(1L, scenario.worker),
            new java.util.HashSet<>(busiest.stream().map(b -> ((Map<String, Object>)b).get("pid")).toList()));

        final Map<String, Object> alice = Jsons.object(ok("report", "--dir", dir, "--user", "alice", "--format", "json")
            .out());
        assertEquals(Map.of("alice", alice.get("records")), Jsons.map(alice, "users"));

        final String text = ok("report", "--dir", dir).out();
        for (final String expected : List.of("Syscalls", "Users (records made)", "Permission denials (2)",
            "pid 3 user alice kill(2, 15)", "Signals by number", "15 (TERM)", "Events queued, by name",
            "Busiest processes"))
        {
            assertTrue(text.contains(expected), () -> "missing '" + expected + "' in\n" + text);
        }
    }
}
