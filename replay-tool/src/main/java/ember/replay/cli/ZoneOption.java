package ember.replay.cli;

import ember.replay.engine.JournalDir;
import ember.replay.engine.Point;
import ember.replay.engine.PointSpec;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;

/**
 * The {@code --zone ZONE} option of every command that takes points, and the one moment ("now")
 * all of a command's relative points count back from, so {@code --from 2h --to 1h} is one window.
 * Used by the command's thread only.
 */
final class ZoneOption
{
    @Option(names = "--zone", paramLabel = "ZONE", defaultValue = "UTC", converter = ZoneConverter.class,
        description = "zone of times written without one (HH:MM, today, yesterday, 2025-06-01T12:00): UTC, " +
            "an offset (+02:00) or a region (Europe/Paris) (default: ${DEFAULT-VALUE}); output is always UTC")
    ZoneId zone;

    private Instant now;

    /**
     * @param spec    a point as the user wrote it, or null.
     * @param journal the journal, asked for its last index by {@code last}.
     * @return the point, or null for null.
     */
    Point resolve(final PointSpec spec, final JournalDir journal)
    {
        if (spec == null)
        {
            return null;
        }
        if (now == null)
        {
            now = Instant.now();
        }
        return spec.resolve(zone, now, journal::lastIndex);
    }

    /** Parses {@code --zone} values with a one-line error. */
    static final class ZoneConverter implements CommandLine.ITypeConverter<ZoneId>
    {
        @Override
        public ZoneId convert(final String value)
        {
            try
            {
                return ZoneId.of(value);
            }
            catch (final DateTimeException ex)
            {
                throw new CommandLine.TypeConversionException("unknown zone '" + value +
                    "'; UTC, an offset like +02:00 or a region like Europe/Paris");
            }
        }
    }
}
