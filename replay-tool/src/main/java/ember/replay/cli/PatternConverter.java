package ember.replay.cli;

import picocli.CommandLine;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Parses a Java regular expression ({@code --event-regex}, {@code --grep}) with a one-line error. */
final class PatternConverter implements CommandLine.ITypeConverter<Pattern>
{
    @Override
    public Pattern convert(final String value)
    {
        try
        {
            return Pattern.compile(value);
        }
        catch (final PatternSyntaxException ex)
        {
            throw new CommandLine.TypeConversionException("bad regular expression '" + value + "': " +
                ex.getDescription() + (ex.getIndex() >= 0 ? " at index " + ex.getIndex() : ""));
        }
    }
}
