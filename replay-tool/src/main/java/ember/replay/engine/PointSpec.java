package ember.replay.engine;

import ember.replay.ToolException;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A point as the user wrote it ({@code --from}, {@code --to}, {@code --at}, {@code diff A B}),
 * parsed once and turned into a {@link Point} when the command knows the time, the zone and the
 * journal ({@link #resolve}). The forms:
 * <ul>
 *     <li>an index: {@code 1234}, with arithmetic {@code 1234-1}, {@code 1234+5};</li>
 *     <li>the journal's last record: {@code last}, {@code last-10};</li>
 *     <li>an ISO-8601 time with a zone or {@code Z} ({@code 2025-06-01T12:00:00.123456Z});</li>
 *     <li>an ISO-8601 time or date without one, in the zone ({@code 2025-06-01T12:00}, {@code 2025-06-01});</li>
 *     <li>{@code HH:MM} or {@code HH:MM:SS}: that time today, in the zone;</li>
 *     <li>{@code today}, {@code yesterday}: midnight of that day, in the zone; {@code now};</li>
 *     <li>a time ago: {@code 30s}, {@code 10m}, {@code 2h}, {@code 1d} (optionally followed by
 *     {@code ago}); {@code recent} is 10 minutes ago, as in ausearch.</li>
 * </ul>
 * Immutable; any thread.
 */
public final class PointSpec
{
    /** How long ago {@code recent} is. */
    public static final Duration RECENT = Duration.ofMinutes(10);

    private static final Pattern ARITHMETIC = Pattern.compile("(\\d{1,18})\\s*([-+])\\s*(\\d{1,18})");
    private static final Pattern LAST = Pattern.compile("last(?:\\s*-\\s*(\\d{1,18}))?");
    private static final Pattern AGO = Pattern.compile("(\\d{1,9})\\s*([smhd])(?:\\s+ago)?");
    private static final Pattern TIME_OF_DAY = Pattern.compile("(\\d{1,2}):(\\d{2})(?::(\\d{2}))?");

    private enum Form
    {
        INDEX, LAST, INSTANT, LOCAL, TIME_OF_DAY, DAY, AGO
    }

    private final Form form;
    private final long number;
    private final Instant instant;
    private final LocalDateTime local;
    private final LocalTime timeOfDay;
    private final String text;

    private PointSpec(final Form form, final long number, final Instant instant, final LocalDateTime local,
        final LocalTime timeOfDay, final String text)
    {
        this.form = form;
        this.number = number;
        this.instant = instant;
        this.local = local;
        this.timeOfDay = timeOfDay;
        this.text = text;
    }

    /**
     * @param text a point in one of the forms above.
     * @return it, parsed.
     * @throws ToolException (usage) when {@code text} is none of them.
     */
    public static PointSpec parse(final String text)
    {
        final String t = text.trim().toLowerCase(Locale.ROOT);
        if (!t.isEmpty() && t.chars().allMatch(Character::isDigit))
        {
            return index(parseIndex(t, text), text);
        }
        Matcher m = ARITHMETIC.matcher(t);
        if (m.matches())
        {
            final long a = parseIndex(m.group(1), text);
            final long b = parseIndex(m.group(3), text);
            final long index = "-".equals(m.group(2)) ? a - b : a + b;
            if (index < 0 || index < a && "+".equals(m.group(2)))
            {
                throw new ToolException("index out of range: " + text, ToolException.USAGE);
            }
            return index(index, text);
        }
        m = LAST.matcher(t);
        if (m.matches())
        {
            return new PointSpec(Form.LAST, m.group(1) == null ? 0 : parseIndex(m.group(1), text), null, null, null, text);
        }
        m = AGO.matcher(t);
        if (m.matches())
        {
            final Duration unit = switch (m.group(2))
            {
                case "s" -> Duration.ofSeconds(1);
                case "m" -> Duration.ofMinutes(1);
                case "h" -> Duration.ofHours(1);
                default -> Duration.ofDays(1);
            };
            return new PointSpec(Form.AGO, unit.multipliedBy(Long.parseLong(m.group(1))).toNanos(), null, null, null,
                text);
        }
        switch (t)
        {
            case "now":
                return new PointSpec(Form.AGO, 0, null, null, null, text);
            case "recent":
                return new PointSpec(Form.AGO, RECENT.toNanos(), null, null, null, text);
            case "today":
                return new PointSpec(Form.DAY, 0, null, null, null, text);
            case "yesterday":
                return new PointSpec(Form.DAY, 1, null, null, null, text);
            default:
                break;
        }
        m = TIME_OF_DAY.matcher(t);
        if (m.matches())
        {
            final int hour = Integer.parseInt(m.group(1));
            final int minute = Integer.parseInt(m.group(2));
            final int second = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
            if (hour > 23 || minute > 59 || second > 59)
            {
                throw notAPoint(text);
            }
            return new PointSpec(Form.TIME_OF_DAY, 0, null, null, LocalTime.of(hour, minute, second), text);
        }
        return isoTime(text.trim(), text);
    }

    private static PointSpec index(final long index, final String text)
    {
        return new PointSpec(Form.INDEX, index, null, null, null, text);
    }

    private static long parseIndex(final String digits, final String text)
    {
        try
        {
            return Long.parseLong(digits);
        }
        catch (final NumberFormatException ex)
        {
            throw new ToolException("index out of range: " + text, ToolException.USAGE);
        }
    }

    private static PointSpec isoTime(final String t, final String text)
    {
        try
        {
            return new PointSpec(Form.INSTANT, 0, Instant.parse(t), null, null, text);
        }
        catch (final DateTimeParseException ignored)
        {
            // try the next form
        }
        try
        {
            return new PointSpec(Form.INSTANT, 0, OffsetDateTime.parse(t).toInstant(), null, null, text);
        }
        catch (final DateTimeParseException ignored)
        {
            // try the next form
        }
        try
        {
            return new PointSpec(Form.LOCAL, 0, null, LocalDateTime.parse(t), null, text);
        }
        catch (final DateTimeParseException ignored)
        {
            // try the next form
        }
        try
        {
            return new PointSpec(Form.LOCAL, 0, null, LocalDate.parse(t).atStartOfDay(), null, text);
        }
        catch (final DateTimeParseException ex)
        {
            throw notAPoint(text);
        }
    }

    private static ToolException notAPoint(final String text)
    {
        return new ToolException("not a point: '" + text + "' (a record index like 1234, 1234-1, last, last-10; " +
            "a time like 2025-06-01T12:00:00Z, 12:00, today, yesterday, recent, 10m, 2h, 1d)", ToolException.USAGE);
    }

    /** @return the text as the user wrote it. */
    public String text()
    {
        return text;
    }

    /** @return true when this names a time rather than an index. */
    public boolean isTime()
    {
        return form != Form.INDEX && form != Form.LAST;
    }

    /**
     * @param zone      the zone of times written without one.
     * @param now       the moment relative times count back from.
     * @param lastIndex the journal's last record index, asked for {@code last} only.
     * @return the point this stands for.
     */
    public Point resolve(final ZoneId zone, final Instant now, final LongSupplier lastIndex)
    {
        return switch (form)
        {
            case INDEX -> new Point(number, 0, text);
            case LAST -> new Point(Math.max(0, last(lastIndex) - number), 0, text);
            case INSTANT -> time(instant);
            case LOCAL -> time(local.atZone(zone).toInstant());
            case TIME_OF_DAY -> time(LocalDate.ofInstant(now, zone).atTime(timeOfDay).atZone(zone).toInstant());
            case DAY -> time(LocalDate.ofInstant(now, zone).minusDays(number).atStartOfDay(zone).toInstant());
            case AGO -> time(now.minusNanos(number));
        };
    }

    private long last(final LongSupplier lastIndex)
    {
        final long last = lastIndex.getAsLong();
        if (last < 0)
        {
            throw new ToolException("journal damaged: its last record cannot be decoded, so '" + text +
                "' names no record");
        }
        return last;
    }

    private Point time(final Instant at)
    {
        return new Point(-1, Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000_000L), at.getNano()), text);
    }

    @Override
    public String toString()
    {
        return text;
    }
}
