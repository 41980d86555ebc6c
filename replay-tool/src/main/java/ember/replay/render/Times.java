package ember.replay.render;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Record times as the tool prints them: ISO-8601, UTC, microseconds
 * ({@code 2025-06-01T12:00:00.123456Z}).
 */
public final class Times
{
    private static final DateTimeFormatter SECONDS =
        DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

    private Times()
    {
    }

    /** @return {@code epochNanos} as ISO-8601 UTC with microseconds (truncated). */
    public static String iso(final long epochNanos)
    {
        final long seconds = Math.floorDiv(epochNanos, 1_000_000_000L);
        final long micros = Math.floorMod(epochNanos, 1_000_000_000L) / 1_000;
        final StringBuilder sb = new StringBuilder(27);
        sb.append(SECONDS.format(Instant.ofEpochSecond(seconds))).append('.');
        final String digits = Long.toString(micros);
        for (int i = digits.length(); i < 6; i++)
        {
            sb.append('0');
        }
        return sb.append(digits).append('Z').toString();
    }
}
