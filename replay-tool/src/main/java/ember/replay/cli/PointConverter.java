package ember.replay.cli;

import ember.replay.engine.Point;
import picocli.CommandLine;

/** Lets picocli parse {@code INDEX|TIME} arguments into {@link Point}s. */
final class PointConverter implements CommandLine.ITypeConverter<Point>
{
    @Override
    public Point convert(final String value)
    {
        try
        {
            return Point.parse(value);
        }
        catch (final ember.replay.ToolException ex)
        {
            throw new CommandLine.TypeConversionException(ex.getMessage());
        }
    }
}
