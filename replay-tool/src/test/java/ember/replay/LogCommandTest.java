package ember.replay;

import ember.replay.testing.ScenarioJournalTest;
import ember.replay.testing.Jsons;
import ember.replay.testing.Tool;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code replay-tool log}: every format and filter, on a journal written by the real kernel. */
class LogCommandTest extends ScenarioJournalTest
{
    private static final Pattern ISO_MICROS = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}Z");
    private static Tool.Run log(final String... args)
    {
        final String[] full = new String[args.length + 3];
        full[0] = "log";
        full[1] = "--dir";
        full[2] = dir;
        System.arraycopy(args, 0, full, 3, args.length);
        final Tool.Run run = Tool.run(full);
        assertEquals(0, run.exitCode(), run::toString);
        return run;
    }

    private static List<Long> indexes(final Tool.Run jsonRun)
    {
        return Jsons.lines(jsonRun).stream().map(e -> (Long)e.get("index")).toList();
    }

    @Test
    void jsonHasOneObjectPerRecordWithTheRequiredFields()
    {
        final List<Map<String, Object>> all = records.all();
        assertEquals(scenario.journalEnd, all.size(), "every record, the final clientDetach and checkpoint included");
        for (int i = 0; i < all.size(); i++)
        {
            final Map<String, Object> e = all.get(i);
            assertEquals((long)(i + 1), e.get("index"));
            assertTrue(ISO_MICROS.matcher((String)e.get("time")).matches(), e.toString());
            for (final String key : List.of("pid", "user", "syscall", "args", "result"))
            {
                assertTrue(e.containsKey(key), key + " in " + e);
            }
            assertTrue(e.get("args") instanceof List, e.toString());
        }
        assertEquals("kernelOpen", all.get(0).get("syscall"));
        assertEquals("clientAttach", all.get(1).get("syscall"));
        assertEquals("clientDetach", all.get(all.size() - 2).get("syscall"));
        assertEquals("checkpoint", all.get(all.size() - 1).get("syscall"), "a clean close ends the journal signed");
        assertTrue(all.stream().anyMatch(e -> "timerFired".equals(e.get("syscall"))));
    }

    @Test
    void outcomesComeFromReplay()
    {
        final Map<String, Object> spawn = records.at(records.index("spawn", List.of("worker"), false));
        assertEquals(scenario.worker, spawn.get("result"));
        assertEquals(1L, spawn.get("pid"));
        assertEquals("root", spawn.get("user"));

        final Map<String, Object> denied = records.at(records.index("kill", List.of(scenario.worker, 15L), true));
        assertEquals("Permission denied", denied.get("error"));
        assertEquals("alice", denied.get("user"));
        assertEquals(null, denied.get("result"));

        assertEquals("No such process", records.at(records.index("kill", List.of(999L, 15L), true)).get("error"));
        assertEquals("Permission denied", records.at(records.index("kill", List.of(1L, 9L), true)).get("error"));
        assertEquals(true, records.at(records.index("sendEvent",
            List.of(scenario.worker, "job", Map.of("n", 1L, "what", "build")), false)).get("result"));

        final Map<String, Object> pulled = records.where(e -> "pullEvent".equals(e.get("syscall")) &&
            List.of("process_complete").equals(e.get("args")) && e.get("result") != null).get(0);
        assertEquals(Map.of("name", "process_complete", "params", Map.of("id", scenario.worker, "signal", 15L)),
            pulled.get("result"));
        assertEquals(List.of(1L, scenario.aliceJob), records.where(e -> "getplist".equals(e.get("syscall"))).get(0)
            .get("result"));
        // Only failures carry "error".
        assertEquals(3, records.where(e -> e.containsKey("error")).size());
    }

    @Test
    void userIsTheCallersUserJustBeforeTheRecord()
    {
        final Map<String, Object> setuser = records.at(records.index("setuser", List.of("alice"), false));
        assertEquals("root", setuser.get("user"), "setuser is made by a root process");
        assertEquals(scenario.aliceJob, setuser.get("pid"));
        final long after = (Long)setuser.get("index");
        for (final Map<String, Object> e : records.where(e -> scenario.aliceJob == (Long)e.get("pid") &&
            (Long)e.get("index") > after))
        {
            assertEquals("alice", e.get("user"), e.toString());
        }
        final Map<String, Object> exit = records.at(records.index("exit", List.of(3L), false));
        assertEquals("root", exit.get("user"), "the exiting process's user, though it is gone afterwards");
        assertEquals(null, records.at(1).get("user"), "kernel actions have no user");
    }

    @Test
    void textLinesShowCallAndOutcome()
    {
        final Tool.Run text = log();
        assertEquals(scenario.journalEnd, text.lines().size());
        final long denied = records.index("kill", List.of(scenario.worker, 15L), true);
        final String line = text.lines().get((int)denied - 1);
        assertTrue(line.matches(denied + " \\S+Z pid=3 user=alice kill\\(2, 15\\) = error: Permission denied"), line);
        final long term = records.index("kill", List.of(scenario.worker, 15L), false);
        final String killed = text.lines().get((int)term - 1);
        assertTrue(killed.contains("kill(2, 15) = nil  [signal 15 to 2: terminated; 2 (worker) terminated by signal 15 " +
            "from 1 (by its disposition), dropped 3 queued events, children 4 re-parented to 1, released svc"), killed);
    }

    @Test
    void csvHasAHeaderAndQuotesFields()
    {
        final Tool.Run csv = log("--format", "csv", "--denied");
        final List<String> lines = csv.lines();
        assertEquals("index,time,pid,user,syscall,args,result,error,effects", lines.get(0));
        assertEquals(3, lines.size(), csv::toString);
        assertTrue(lines.get(1).matches("\\d+,\\S+Z,3,alice,kill,\"\\[2,15\\]\",,Permission denied,"), lines.get(1));
        assertTrue(lines.get(2).matches("\\d+,\\S+Z,1,root,kill,\"\\[1,9\\]\",,Permission denied,"), lines.get(2));
    }

    @Test
    void filterByCallerUserAndSyscall()
    {
        for (final Map<String, Object> e : Jsons.lines(log("--format", "json", "--pid", "3")))
        {
            assertEquals(scenario.aliceJob, e.get("pid"));
        }
        assertEquals(records.where(e -> "alice".equals(e.get("user"))).size(),
            Jsons.lines(log("--format", "json", "--user", "alice")).size());
        final List<Map<String, Object>> kills = Jsons.lines(log("--format", "json", "--syscall", "kill"));
        assertEquals(8, kills.size());
        final List<Map<String, Object>> two = Jsons.lines(log("--format", "json", "--syscall", "spawn", "--syscall", "exit"));
        assertEquals(Set.of("spawn", "exit"), new TreeSet<>(two.stream().map(e -> (String)e.get("syscall")).toList()));
        assertEquals(4, two.size());
        assertEquals(two, Jsons.lines(log("--format", "json", "--syscall", "spawn,exit")));
        assertEquals(1, Jsons.lines(log("--format", "json", "--syscall", "timerFired")).size());
    }

    @Test
    void whoSentSigtermToAProcessAndWhen()
    {
        final List<Map<String, Object>> found = Jsons.lines(log("--format", "json", "--syscall", "kill", "--signal", "15",
            "--target", Long.toString(scenario.worker)));
        assertEquals(2, found.size(), found.toString());
        assertEquals(List.of(scenario.aliceJob, 1L), found.stream().map(e -> e.get("pid")).toList());
        assertEquals("Permission denied", found.get(0).get("error"));
        assertFalse(found.get(1).containsKey("error"));
    }

    @Test
    void filterByEventSignalAndErrors()
    {
        final List<Map<String, Object>> completes = Jsons.lines(log("--format", "json", "--event", "process_complete"));
        assertEquals(List.of("kill", "exit", "pullEvent"), completes.stream().map(e -> e.get("syscall")).toList());
        assertEquals(1, Jsons.lines(log("--format", "json", "--event", "job")).size(), "a remote event's type");
        final List<Map<String, Object>> sig10 = Jsons.lines(log("--format", "json", "--signal", "10"));
        assertEquals(List.of("signal", "kill", "kill"), sig10.stream().map(e -> e.get("syscall")).toList());
        final List<Map<String, Object>> errors = Jsons.lines(log("--format", "json", "--errors"));
        assertEquals(3, errors.size());
        assertEquals(2, Jsons.lines(log("--format", "json", "--errors", "--user", "alice")).size());
        assertEquals(1, Jsons.lines(log("--format", "json", "--errors", "--user", "alice", "--denied")).size());
    }

    @Test
    void fromAndToByIndexAndByTime()
    {
        assertEquals(Arrays.asList(5L, 6L, 7L), indexes(log("--format", "json", "--from", "5", "--to", "7")));
        assertEquals(List.of(10L, 11L), indexes(log("--format", "json", "--from", "10", "--limit", "2")));
        // A time selects the records at or after (--from) / at or before (--to) it.
        final List<Long> byTime = indexes(log("--format", "json", "--from", records.time(5), "--to", records.time(7)));
        assertEquals(List.of(5L, 6L, 7L), byTime);
        // Filters after --from still see the replayed state: the user of record 6 is alice.
        assertEquals("alice", Jsons.lines(log("--format", "json", "--from", "6", "--to", "6")).get(0).get("user"));
    }

    @Test
    void usageErrorsExitWithTwo()
    {
        final Tool.Run unknown = Tool.run("log", "--dir", dir, "--syscall", "nosuch");
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.err().contains("unknown syscall 'nosuch'"), unknown::toString);
        final Tool.Run badTime = Tool.run("log", "--dir", dir, "--from", "noon");
        assertEquals(2, badTime.exitCode());
        assertTrue(badTime.err().contains("not a point: 'noon'"), badTime::toString);
    }

    @Test
    void aDirectoryWithoutAJournalIsAClearError()
    {
        final Tool.Run run = Tool.run("log", "--dir", scenario.dir.resolve("nowhere").toString());
        assertEquals(1, run.exitCode());
        assertTrue(run.err().startsWith("replay-tool: no journal in "), run::toString);
        assertEquals("", run.out());
    }
}
