package ember.replay.cli;

import ember.replay.audit.SignalNames;
import picocli.CommandLine;

/** Parses {@code --signal} values: a number or a name ({@code 15}, {@code TERM}, {@code SIGTERM}, {@code term}). */
final class SignalConverter implements CommandLine.ITypeConverter<Long>
{
    @Override
    public Long convert(final String value)
    {
        final long signal = SignalNames.parse(value);
        if (signal < 0)
        {
            throw new CommandLine.TypeConversionException("unknown signal '" + value + "'; a number or one of " +
                SignalNames.table());
        }
        return signal;
    }
}
