package ember.replay;

import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.Syscalls;
import ember.kernel.core.Kernel;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Why a process ended ({@code EndCause}: exit, signal 9, a terminating disposition) and the
 * diagnostic of signals 3 and 6 show in {@code log} text and JSON and in {@code trace}, as apply
 * reported them; on a journal the real kernel wrote.
 */
final class EndCauseTest
{
    private Path dir;
    private long exited;
    private long killed;
    private long terminated;
    private long quit;

    @BeforeEach
    void write()
    {
        dir = TempDirs.create("replay-end-cause");
        try (Kernel kernel = Kernel.open(Scenario.config(dir)); EmbeddedClient client = new EmbeddedClient(kernel))
        {
            final Syscalls init = client.as(1);
            exited = init.spawn("exiter");
            killed = init.spawn("killed");
            terminated = init.spawn("terminated");
            quit = init.spawn("quitter");
            client.as(exited).exit(4);
            init.kill(killed, 9);
            init.kill(terminated, 15);
            init.kill(quit, 3);
        }
    }

    @AfterEach
    void delete()
    {
        TempDirs.delete(dir);
    }

    @Test
    void textShowsTheCauseAndTheDiagnostic()
    {
        final Tool.Run run = Tool.run("log", "--dir", dir.toString(), "--syscall", "exit,kill");
        assertEquals(0, run.exitCode(), run::toString);
        final List<String> lines = run.lines();
        assertEquals(4, lines.size(), run::toString);
        assertTrue(lines.get(0).contains("exit(4) = nil  [" + exited + " (exiter) exited with code 4;"), lines.get(0));
        assertTrue(lines.get(1).contains("kill(" + killed + ", 9) = nil  [signal 9 to " + killed + ": terminated; " + killed +
            " (killed) terminated by signal 9 from 1 (kill: signal 9, uncatchable);"), lines.get(1));
        assertTrue(lines.get(2).contains("kill(" + terminated + ", 15) = nil  [signal 15 to " + terminated + ": terminated; " +
            terminated + " (terminated) terminated by signal 15 from 1 (by its disposition);"), lines.get(2));
        assertTrue(lines.get(3).contains("kill(" + quit + ", 3) = nil  [signal 3 to " + quit + ": terminated; diagnostic: process " +
            quit + " (quitter, user root) terminated by signal 3 from process 1; " + quit +
            " (quitter) terminated by signal 3 from 1 (by its disposition);"), lines.get(3));
    }

    @Test
    void jsonNamesTheCauseAndTheDiagnostic()
    {
        final Tool.Run run = Tool.run("log", "--dir", dir.toString(), "--syscall", "exit,kill", "--format", "json");
        assertEquals(0, run.exitCode(), run::toString);
        final List<Map<String, Object>> records = Jsons.lines(run);
        assertEquals(List.of("exit", "kill", "disposition", "disposition"),
            records.stream().map(r -> ended(r).get("cause")).toList());
        final List<Object> quitEffects = Jsons.list(records.get(3), "effects");
        assertEquals(Map.of("type", "diagnostic", "line", "process " + quit + " (quitter, user root) terminated by signal 3 " +
            "from process 1"), quitEffects.get(1));
        for (final int i : new int[] {0, 1, 2})
        {
            assertTrue(Jsons.list(records.get(i), "effects").stream().noneMatch(e -> "diagnostic".equals(((Map<?, ?>)e).get("type"))),
                records.get(i).toString());
        }
    }

    @Test
    void traceShowsTheDiagnosticAndTheCause()
    {
        final Tool.Run run = Tool.run("trace", Long.toString(quit), "--dir", dir.toString());
        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.out().contains("diagnostic: process " + quit + " (quitter, user root) terminated by signal 3 from process 1"),
            run::toString);
        assertTrue(run.out().contains(quit + " (quitter) terminated by signal 3 from 1 (by its disposition)"), run::toString);
        final Tool.Run other = Tool.run("trace", Long.toString(terminated), "--dir", dir.toString());
        assertEquals(0, other.exitCode(), other::toString);
        assertTrue(!other.out().contains("diagnostic"), other::toString);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> ended(final Map<String, Object> record)
    {
        for (final Object effect : Jsons.list(record, "effects"))
        {
            if ("ended".equals(((Map<String, Object>)effect).get("type")))
            {
                return (Map<String, Object>)effect;
            }
        }
        throw new AssertionError("no ended effect in " + record);
    }
}
