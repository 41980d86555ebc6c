package ember.replay;

import ember.replay.testing.Jsons;
import ember.replay.testing.ScenarioJournalTest;
import ember.replay.testing.Tool;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code report} and {@code timeline} whose filters keep nothing: {@code <no matches>}, exit 1, as {@code log}. */
class NoMatchesTest extends ScenarioJournalTest
{
    private static void assertNoMatches(final Tool.Run run)
    {
        assertEquals(1, run.exitCode(), run::toString);
        assertEquals("", run.out(), run::toString);
        assertEquals("<no matches>\n", run.err(), run::toString);
    }

    @Test
    void reportWithAFilterMatchingNothing()
    {
        assertNoMatches(Tool.run("report", "--dir", dir, "--user", "nobody-at-all"));
        assertNoMatches(Tool.run("report", "--dir", dir, "--grep", "NO-SUCH-NEEDLE", "--format", "json"));
        assertNoMatches(Tool.run("log", "--dir", dir, "--user", "nobody-at-all")); // the convention both follow
    }

    @Test
    void reportWithAFilterMatchingSomethingStillExitsZero()
    {
        final Tool.Run run = Tool.run("report", "--dir", dir, "--user", "alice", "--format", "json");
        assertEquals(0, run.exitCode(), run::toString);
        assertTrue((Long)Jsons.object(run.out()).get("records") > 0, run::toString);
    }

    @Test
    void timelineOfProcessesThatNeverExistedWritesNoPage()
    {
        final Path html = scenario.dir.resolve("out/none.html");
        assertNoMatches(Tool.run("timeline", "--dir", dir, "--html", html.toString(), "--pid", "4242"));
        assertFalse(Files.exists(html), "no page written");
        final Tool.Run some = Tool.run("timeline", "--dir", dir, "--html", html.toString(), "--pid", "1");
        assertEquals(0, some.exitCode(), some::toString);
        assertTrue(Files.exists(html));
    }
}
