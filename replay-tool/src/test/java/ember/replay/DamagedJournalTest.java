package ember.replay;

import ember.replay.testing.Damage;
import ember.replay.testing.Jsons;
import ember.replay.testing.Records;
import ember.replay.testing.Scenario;
import ember.replay.testing.TempDirs;
import ember.replay.testing.Tool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damaged journals: a flipped byte, a file cut mid-record, every byte of one record flipped in
 * turn. {@code verify} names the first bad record and exits 1; the other commands print only what
 * is intact, then a clear message, and exit 1; nothing after the damage is reported.
 */
class DamagedJournalTest
{
    static Scenario scenario;
    static long needle;
    static Path copy;

    @BeforeAll
    static void write()
    {
        scenario = Scenario.write();
        needle = Records.of(scenario).index("queueEvent", List.of("needle", Map.of("marker", "NEEDLE-XYZ")), false);
    }

    @AfterAll
    static void deleteScenario()
    {
        scenario.delete();
    }

    @AfterEach
    void deleteCopy()
    {
        TempDirs.delete(copy);
    }

    private static Path damagedCopy()
    {
        copy = TempDirs.copy(scenario.dir, "replay-damaged");
        return copy;
    }

    @Test
    void intactJournalVerifies()
    {
        final Tool.Run run = Tool.run("verify", "--dir", scenario.dir.toString());
        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.out().contains("checked  integrity: " + scenario.journalEnd + " records"), run::toString);
        assertTrue(run.out().contains("checked  determinism: a second replay gives the same digest"), run::toString);
        assertTrue(run.out().contains("checked  live digests: 2 of 2 kernel.log digests compared, all equal"), run::toString);
        assertTrue(run.out().matches("(?s).*replay   \\d+ records in [0-9.]+ s: [0-9,]+ records/s.*"), run::toString);
        assertTrue(run.out().endsWith("OK\n"), run::toString);
    }

    @Test
    void flippedByteIsNamedAndNothingAfterItIsReported()
    {
        final Path dir = damagedCopy();
        final Path file = Damage.cycleFile(dir);
        final Damage.Frame frame = Damage.find(file, "NEEDLE-XY", needle);
        Damage.flip(file, frame.end() - 6, 0x01); // inside the payload

        final Tool.Run verify = Tool.run("verify", "--dir", dir.toString());
        assertEquals(1, verify.exitCode(), verify::toString);
        assertTrue(verify.err().startsWith("replay-tool: verify failed: first bad record is index " + needle +
            ": corrupt record after index " + (needle - 1) + " (file "), verify::toString);
        assertTrue(verify.err().contains("record checksum mismatch (CRC32C)"), verify::toString);
        assertTrue(verify.out().contains("FAILED: first bad record is index " + needle), verify::toString);

        assertOnlyIntactRecordsReported(dir);
    }

    @Test
    void journalCutMidRecordIsNamed()
    {
        final Path dir = damagedCopy();
        final Path file = Damage.cycleFile(dir);
        final Damage.Frame frame = Damage.find(file, "NEEDLE-XY", needle);
        Damage.cut(file, (frame.start() + frame.end()) / 2);

        final Tool.Run verify = Tool.run("verify", "--dir", dir.toString());
        assertEquals(1, verify.exitCode(), verify::toString);
        assertTrue(verify.err().startsWith("replay-tool: verify failed: first bad record is index " + needle), verify::toString);
        assertOnlyIntactRecordsReported(dir);
    }

    /** log prints records 1..needle-1 exactly, then fails; state/trace/report/diff fail without output past it. */
    private static void assertOnlyIntactRecordsReported(final Path dir)
    {
        final String d = dir.toString();
        final Tool.Run log = Tool.run("log", "--dir", d, "--format", "json");
        assertEquals(1, log.exitCode(), log::toString);
        assertEquals(LongStream.range(1, needle).boxed().toList(),
            Jsons.lines(log).stream().map(e -> e.get("index")).toList());
        assertTrue(log.err().startsWith("replay-tool: journal damaged: corrupt record after index " + (needle - 1) +
            " (file "), log::toString);

        final Tool.Run before = Tool.run("state", "--dir", d, "--at", Long.toString(needle - 1), "--format", "json");
        assertEquals(0, before.exitCode(), "the state before the damage is intact: " + before);
        final Tool.Run state = Tool.run("state", "--dir", d);
        assertEquals(1, state.exitCode(), state::toString);
        assertEquals("", state.out());
        assertTrue(state.err().contains("corrupt record after index " + (needle - 1)), state::toString);

        for (final String[] args : List.of(new String[] {"report"}, new String[] {"trace", "1"},
            new String[] {"diff", "1", Long.toString(needle)}, new String[] {"timeline", "--html", d + "/t.html"}))
        {
            final String[] full = new String[args.length + 2];
            System.arraycopy(args, 0, full, 0, args.length);
            full[args.length] = "--dir";
            full[args.length + 1] = d;
            final Tool.Run run = Tool.run(full);
            assertEquals(1, run.exitCode(), run::toString);
            assertEquals("", run.out(), run::toString);
            assertTrue(run.err().contains("corrupt record after index " + (needle - 1)), run::toString);
        }
    }

    @Test
    void everyByteOfARecordIsCovered()
    {
        final Path dir = damagedCopy();
        final Path file = Damage.cycleFile(dir);
        final Damage.Frame frame = Damage.find(file, "NEEDLE-XY", needle);
        for (int offset = frame.start() - 4; offset < frame.end(); offset++) // Chronicle's header, then the frame
        {
            for (final int mask : new int[] {0x01, 0x40, 0x80})
            {
                Damage.flip(file, offset, mask);
                final Tool.Run verify = Tool.run("verify", "--dir", dir.toString(), "--no-kernel-log");
                final int at = offset - frame.start();
                assertEquals(1, verify.exitCode(), () -> "byte " + at + " ^ " + mask + ": " + verify);
                assertTrue(verify.err().contains("first bad record is index " + needle + ":"),
                    () -> "byte " + at + " ^ " + mask + ": " + verify);
                if (offset % 16 == 0)
                {
                    final Tool.Run log = Tool.run("log", "--dir", dir.toString(), "--from", Long.toString(needle - 1));
                    assertEquals(1, log.exitCode(), log::toString);
                    assertEquals(1, log.lines().size(), log::toString);
                }
                Damage.flip(file, offset, mask);
            }
        }
        assertEquals(0, Tool.run("verify", "--dir", dir.toString()).exitCode(), "restored");
    }
}
