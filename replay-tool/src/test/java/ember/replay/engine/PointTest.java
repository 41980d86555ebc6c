package ember.replay.engine;

import ember.replay.ToolException;
import ember.replay.render.Times;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Points (INDEX or TIME, in every form a user writes them) and the time format. */
class PointTest
{
    private static final long T = 1_795_523_400_123_456_789L; // 2026-11-24T12:30:00.123456789Z
    private static final Instant NOW = Instant.ofEpochSecond(T / 1_000_000_000L, T % 1_000_000_000L);
    private static final long LAST = 500;

    /** @return the point {@code text} stands for, now being {@link #NOW}, in UTC, on a journal ending at {@link #LAST}. */
    private static Point parse(final String text)
    {
        return parse(text, ZoneOffset.UTC);
    }

    private static Point parse(final String text, final ZoneId zone)
    {
        return PointSpec.parse(text).resolve(zone, NOW, () -> LAST);
    }

    private static long ns(final String iso)
    {
        final Instant i = Instant.parse(iso);
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    @Test
    void indexesAndTimesInEveryForm()
    {
        assertEquals(42, parse("42").index());
        assertFalse(parse("42").isTime());
        assertEquals(1_795_523_400_123_456_000L, parse("2026-11-24T12:30:00.123456Z").timeNs());
        assertEquals(1_795_523_400_000_000_000L, parse("2026-11-24T12:30:00Z").timeNs());
        assertEquals(1_795_523_400_000_000_000L, parse("2026-11-24T13:30:00+01:00").timeNs());
        assertEquals(1_795_523_400_000_000_000L, parse("2026-11-24T12:30:00").timeNs(), "UTC without a zone");
        assertEquals(1_795_478_400_000_000_000L, parse("2026-11-24").timeNs(), "a date is its midnight");
        final ToolException bad = assertThrows(ToolException.class, () -> parse("noon"));
        assertEquals(ToolException.USAGE, bad.exitCode());
    }

    @Test
    void indexExpressions()
    {
        assertEquals(41, parse("42-1").index());
        assertEquals(47, parse("42+5").index());
        assertEquals(LAST, parse("last").index());
        assertEquals(LAST - 10, parse("last-10").index());
        assertEquals(LAST - 10, parse("LAST - 10").index());
        assertEquals(0, parse("last-9999").index(), "before the first record, not below 0");
        assertFalse(parse("last").isTime());
        assertFalse(PointSpec.parse("last-3").isTime());
        assertEquals(ToolException.USAGE, assertThrows(ToolException.class, () -> parse("1-2")).exitCode());
        assertEquals(ToolException.USAGE, assertThrows(ToolException.class, () -> parse("last+1")).exitCode());
    }

    @Test
    void relativeAndDayTimes()
    {
        assertEquals(T - 30_000_000_000L, parse("30s").timeNs());
        assertEquals(T - 600_000_000_000L, parse("10m").timeNs());
        assertEquals(T - 600_000_000_000L, parse("10m ago").timeNs());
        assertEquals(T - 600_000_000_000L, parse("recent").timeNs(), "ausearch's recent: 10 minutes ago");
        assertEquals(T - 7_200_000_000_000L, parse("2h").timeNs());
        assertEquals(T - 86_400_000_000_000L, parse("1d").timeNs());
        assertEquals(T, parse("now").timeNs());
        assertEquals(ns("2026-11-24T00:00:00Z"), parse("today").timeNs());
        assertEquals(ns("2026-11-23T00:00:00Z"), parse("yesterday").timeNs());
        assertEquals(ns("2026-11-24T09:30:00Z"), parse("09:30").timeNs());
        assertEquals(ns("2026-11-24T09:30:15Z"), parse("9:30:15").timeNs());
        assertTrue(parse("09:30").isTime());
        assertEquals(ToolException.USAGE, assertThrows(ToolException.class, () -> parse("24:00")).exitCode());
        assertEquals(ToolException.USAGE, assertThrows(ToolException.class, () -> parse("10x")).exitCode());
    }

    @Test
    void aZoneAppliesToTimesWrittenWithoutOne()
    {
        final ZoneId plus2 = ZoneOffset.ofHours(2);
        assertEquals(ns("2026-11-24T07:30:00Z"), parse("09:30", plus2).timeNs());
        assertEquals(ns("2026-11-23T22:00:00Z"), parse("today", plus2).timeNs());
        // 2026-11-24T12:30Z is already 02:30 on the 25th at Kiritimati (+14:00): its today is the 25th.
        assertEquals(ns("2026-11-24T10:00:00Z"), parse("today", ZoneId.of("Pacific/Kiritimati")).timeNs());
        assertEquals(ns("2026-11-24T10:30:00Z"), parse("2026-11-24T12:30:00", plus2).timeNs());
        assertEquals(ns("2026-11-24T12:30:00Z"), parse("2026-11-24T12:30:00Z", plus2).timeNs(), "its own zone wins");
        assertEquals(T - 600_000_000_000L, parse("10m", plus2).timeNs(), "ago is the same instant in any zone");
    }

    @Test
    void aTimeToTheMicrosecondCoversItsMicrosecond()
    {
        final Point p = parse(Times.iso(T));
        assertTrue(p.covers(1, T), "the record printed with this time");
        assertFalse(p.covers(1, T - 123_456_789L + 123_457_000L), "the next microsecond");
        assertTrue(p.reachedBy(1, T));
        assertFalse(p.reachedBy(1, T - 1_000));
        final Point index = parse("7");
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
