package ember.replay.engine;

import ember.replay.ToolException;
import ember.replay.render.Times;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Points (INDEX or TIME) and the time format. */
class PointTest
{
    private static final long T = 1_795_523_400_123_456_789L; // 2026-11-24T12:30:00.123456789Z

    @Test
    void indexesAndTimesInEveryForm()
    {
        assertEquals(42, Point.parse("42").index());
        assertFalse(Point.parse("42").isTime());
        assertEquals(1_795_523_400_123_456_000L, Point.parse("2026-11-24T12:30:00.123456Z").timeNs());
        assertEquals(1_795_523_400_000_000_000L, Point.parse("2026-11-24T12:30:00Z").timeNs());
        assertEquals(1_795_523_400_000_000_000L, Point.parse("2026-11-24T13:30:00+01:00").timeNs());
        assertEquals(1_795_523_400_000_000_000L, Point.parse("2026-11-24T12:30:00").timeNs(), "UTC without a zone");
        assertEquals(1_795_478_400_000_000_000L, Point.parse("2026-11-24").timeNs(), "a date is its midnight");
        final ToolException bad = assertThrows(ToolException.class, () -> Point.parse("noon"));
        assertEquals(ToolException.USAGE, bad.exitCode());
    }

    @Test
    void aTimeToTheMicrosecondCoversItsMicrosecond()
    {
        final Point p = Point.parse(Times.iso(T));
        assertTrue(p.covers(1, T), "the record printed with this time");
        assertFalse(p.covers(1, T - 123_456_789L + 123_457_000L), "the next microsecond");
        assertTrue(p.reachedBy(1, T));
        assertFalse(p.reachedBy(1, T - 1_000));
        final Point index = Point.parse("7");
        assertTrue(index.covers(7, 0) && !index.covers(8, 0) && index.reachedBy(7, 0) && !index.reachedBy(6, 0));
    }

    @Test
    void timesPrintAsIsoUtcWithMicroseconds()
    {
        assertEquals("2026-11-24T12:30:00.123456Z", Times.iso(T));
        assertEquals("1970-01-01T00:00:00.000000Z", Times.iso(0));
        assertEquals("1969-12-31T23:59:59.999999Z", Times.iso(-1));
    }

    @Test
    void noProgressBarWithoutATerminal()
    {
        assertEquals(System.console() == null, Progress.onTerminal("t", 10) == Progress.NONE);
    }
}
