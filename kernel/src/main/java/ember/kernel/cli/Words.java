package ember.kernel.cli;

import ember.kernel.client.EmberException;
import ember.kernel.state.SyscallValidator;

import java.util.regex.Pattern;

/**
 * Reads shell words as the types syscalls expect (SPEC §7): a word is a number when it reads as
 * one (as Lua's {@code tonumber}: decimal, exponent, hex), otherwise a string; a missing word is
 * nil. Errors are the SPEC §5 argument errors of the syscall named. Stateless static methods:
 * safe from any thread.
 */
final class Words
{
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
    private static final Pattern HEX = Pattern.compile("[+-]?0[xX][0-9a-fA-F]+");

    private Words()
    {
    }

    /** @return Long, Double, or null when {@code word} does not read as a number. */
    static Number toNumber(final String word)
    {
        if (word == null)
        {
            return null;
        }
        if (INTEGER.matcher(word).matches())
        {
            try
            {
                return Long.parseLong(word);
            }
            catch (final NumberFormatException ex)
            {
                return Double.parseDouble(word);
            }
        }
        if (DECIMAL.matcher(word).matches())
        {
            return Double.parseDouble(word);
        }
        if (HEX.matcher(word).matches())
        {
            final boolean negative = word.startsWith("-");
            final String digits = word.substring(word.indexOf('x') >= 0 ? word.indexOf('x') + 1 : word.indexOf('X') + 1);
            try
            {
                final long value = Long.parseUnsignedLong(digits, 16);
                return negative ? -value : value;
            }
            catch (final NumberFormatException ex)
            {
                return null;
            }
        }
        return null;
    }

    /** @return the Lua type name a word is passed as when a number is expected. */
    private static String gotType(final String word)
    {
        return word == null ? "nil" : "string";
    }

    /** A number argument (fractions allowed). */
    static double number(final String[] words, final int index, final int arg, final String fn)
    {
        final String word = index < words.length ? words[index] : null;
        final Number n = toNumber(word);
        if (n == null)
        {
            throw new EmberException(SyscallValidator.typeError(arg, fn, "number", gotType(word)));
        }
        return n.doubleValue();
    }

    /** An integer argument: a number with an integer value. */
    static long integer(final String[] words, final int index, final int arg, final String fn)
    {
        final String word = index < words.length ? words[index] : null;
        final Number n = toNumber(word);
        if (n == null)
        {
            throw new EmberException(SyscallValidator.typeError(arg, fn, "number", gotType(word)));
        }
        if (n instanceof Long l)
        {
            return l;
        }
        final double d = n.doubleValue();
        if (d != Math.rint(d) || d < -0x1p63 || d >= 0x1p63)
        {
            throw new EmberException(SyscallValidator.bad(arg, fn, "number has no integer representation"));
        }
        return (long)d;
    }

    /** A string argument; numbers are passed as their text, as Lua coerces them. */
    static String string(final String[] words, final int index, final int arg, final String fn)
    {
        final String word = index < words.length ? words[index] : null;
        if (word == null)
        {
            throw new EmberException(SyscallValidator.typeError(arg, fn, "string", "nil"));
        }
        return word;
    }
}
