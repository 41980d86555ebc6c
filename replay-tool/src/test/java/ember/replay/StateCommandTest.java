package ember.replay;

import ember.replay.testing.ScenarioJournalTest;
import ember.replay.testing.Jsons;
import ember.replay.testing.Tool;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code replay-tool state}: the whole state at any point, equal to the live kernel's. */
class StateCommandTest extends ScenarioJournalTest
{
    private static Map<String, Object> stateJson(final String at)
    {
        final Tool.Run run = Tool.run("state", "--dir", dir, "--at", at, "--format", "json");
        assertEquals(0, run.exitCode(), run::toString);
        return Jsons.object(run.out());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> process(final Map<String, Object> state, final long pid)
    {
        for (final Object p : Jsons.list(state, "processes"))
        {
            if (((Map<String, Object>)p).get("pid").equals(pid))
            {
                return (Map<String, Object>)p;
            }
        }
        return null;
    }

    @Test
    void digestEqualsTheLiveKernelsDigest()
    {
        final Map<String, Object> state = stateJson(Long.toString(scenario.lastIndex));
        assertEquals(scenario.lastIndex, state.get("index"));
        assertEquals(scenario.liveDigest, state.get("digest"), "replayed state = live state at the same index");
    }

    @Test
    void queuesDispositionsTimersAndServicesJustBeforeAProcessDied()
    {
        final long term = records.index("kill", List.of(scenario.worker, 15L), false);
        final Map<String, Object> state = stateJson(Long.toString(term - 1));
        final Map<String, Object> worker = process(state, scenario.worker);
        assertEquals(List.of(
            Map.of("name", "remote_event", "params", Map.of("data", Map.of("n", 1L, "what", "build"), "sender", 1L,
                "type", "job")),
            Map.of("name", "self", "params", Map.of("k", "v")),
            Map.of("name", "signal", "params", Map.of("signal", 18L))), worker.get("queue"), "head first");
        assertEquals("running", worker.get("state"));
        assertEquals(List.of(Map.of("signal", 10L, "disposition", "handler", "owner", 1L)), worker.get("dispositions"));
        assertEquals(List.of("svc"), worker.get("services"));
        assertEquals(Map.of("svc", scenario.worker), state.get("services"));
        assertEquals(List.of(1L), state.get("clients"));
        final List<Object> timers = Jsons.list(state, "timers");
        assertEquals(1, timers.size());
        final Map<String, Object> alarm = (Map<String, Object>)timers.get(0);
        assertEquals("alarm", alarm.get("kind"));
        assertEquals(scenario.worker, alarm.get("pid"));
        assertTrue(((String)alarm.get("deadline")).endsWith("T12:30:00.000000Z"), alarm.toString());
        assertEquals(scenario.worker, process(state, scenario.child).get("parent"));

        final Map<String, Object> after = stateJson(Long.toString(term));
        assertEquals(null, process(after, scenario.worker));
        assertEquals(1L, process(after, scenario.child).get("parent"), "re-parented to init");
        assertEquals(List.of(), Jsons.list(after, "timers"));
    }

    @Test
    void heldHandlerCallsWhileStopped()
    {
        final long held = records.where(e -> "kill".equals(e.get("syscall")) &&
            List.of(scenario.worker, 10L).equals(e.get("args"))).get(1).get("index") instanceof Long l ? l : -1;
        final Map<String, Object> worker = process(stateJson(Long.toString(held)), scenario.worker);
        assertEquals("stopped", worker.get("state"));
        assertEquals(List.of(10L), worker.get("held"));
    }

    @Test
    void textShowsEverySection()
    {
        final long term = records.index("kill", List.of(scenario.worker, 15L), false);
        final Tool.Run run = Tool.run("state", "--dir", dir, "--at", Long.toString(term - 1));
        assertEquals(0, run.exitCode(), run::toString);
        final String out = run.out();
        for (final String expected : List.of("state after record " + (term - 1), "digest   ", "processes (4)",
            "queues (head first)", "pid 2 (worker), 3 events", "    1. remote_event {\"data\":{\"n\":1,\"what\":\"build\"}," +
                "\"sender\":1,\"type\":\"job\"}", "    3. signal {\"signal\":18}", "signal dispositions changed from the defaults",
            "  pid 2: 10 handler (client 1)", "pending timers and alarms (1)", "services (1)", "  svc -> 2",
            "attached clients 1"))
        {
            assertTrue(out.contains(expected), () -> "missing '" + expected + "' in\n" + out);
        }
    }

    @Test
    void atZeroIsTheEmptyStateAndAtTimeIsTheLastRecordBeforeIt()
    {
        final Map<String, Object> empty = stateJson("0");
        assertEquals(0L, empty.get("index"));
        assertEquals(1, Jsons.list(empty, "processes").size());
        final Map<String, Object> byTime = stateJson(records.time(6));
        assertEquals(6L, byTime.get("index"));
        assertEquals(stateJson("6").get("digest"), byTime.get("digest"));
    }

    @Test
    void withoutAtIsAfterTheLastRecord()
    {
        final Tool.Run run = Tool.run("state", "--dir", dir, "--format", "json");
        assertEquals(scenario.journalEnd, Jsons.object(run.out()).get("index"));
    }

    @Test
    void pastTheEndIsAnError()
    {
        final Tool.Run run = Tool.run("state", "--dir", dir, "--at", "999");
        assertEquals(1, run.exitCode());
        assertEquals("replay-tool: the journal ends at record " + scenario.journalEnd + "; there is no record 999\n",
            run.err());
    }
}
