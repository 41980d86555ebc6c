package ember.replay.cli;

import ember.journal.SyscallType;
import picocli.CommandLine;

import java.util.StringJoiner;

/** Parses a syscall name as the SPEC writes it ({@code kill}, {@code queueEvent}, {@code timerFired}). */
final class SyscallConverter implements CommandLine.ITypeConverter<SyscallType>
{
    @Override
    public SyscallType convert(final String value)
    {
        final SyscallType type = SyscallType.fromName(value);
        if (type == null)
        {
            throw new CommandLine.TypeConversionException("unknown syscall '" + value + "'; one of " + names());
        }
        return type;
    }

    /** @return every record type's name, comma separated. */
    static String names()
    {
        final StringJoiner joiner = new StringJoiner(", ");
        for (final SyscallType type : SyscallType.values())
        {
            joiner.add(type.syscallName());
        }
        return joiner.toString();
    }
}
