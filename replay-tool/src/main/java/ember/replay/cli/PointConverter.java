package ember.replay.cli;

import ember.replay.ToolException;
import ember.replay.engine.PointSpec;
import picocli.CommandLine;

/** Lets picocli parse point arguments ({@link PointSpec}'s forms). */
final class PointConverter implements CommandLine.ITypeConverter<PointSpec>
{
    /** The forms, for option descriptions. */
    static final String FORMS = "an index (1234, 1234-1, last, last-10) or a time (ISO-8601 like " +
        "2025-06-01T12:00:00Z, HH:MM[:SS] today, today, yesterday, recent, now, or ago: 30s, 10m, 2h, 1d)";

    @Override
    public PointSpec convert(final String value)
    {
        try
        {
            return PointSpec.parse(value);
        }
        catch (final ToolException ex)
        {
            throw new CommandLine.TypeConversionException(ex.getMessage());
        }
    }
}
