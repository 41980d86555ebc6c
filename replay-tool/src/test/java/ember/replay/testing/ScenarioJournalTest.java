package ember.replay.testing;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base of test classes that query one journal written by the real kernel ({@link Scenario}):
 * written once per class, deleted after it.
 */
public abstract class ScenarioJournalTest
{
    protected static Scenario scenario;
    protected static Records records;
    protected static String dir;

    @BeforeAll
    static void writeScenario()
    {
        scenario = Scenario.write();
        records = Records.of(scenario);
        dir = scenario.dir.toString();
    }

    @AfterAll
    static void deleteScenario()
    {
        scenario.delete();
    }
}
