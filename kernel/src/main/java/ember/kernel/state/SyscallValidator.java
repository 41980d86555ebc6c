package ember.kernel.state;

import ember.journal.SyscallRecord;
import ember.journal.SyscallType;

import java.util.regex.Pattern;

/**
 * Range checks on a syscall's arguments (SPEC §5, "a value of the right type but out of range").
 * A record that fails them is refused before the journal and never applied. Type checks (Lua
 * types of the arguments) are the client library's: they happen before a record exists.
 */
public final class SyscallValidator
{
    public static final int MAX_NAME_CHARS = 256;
    /** Names in one pullEvent filter (the record codec's own bound). */
    public static final int MAX_PULL_NAMES = ember.journal.RecordCodec.MAX_NAMES;
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private SyscallValidator()
    {
    }

    /**
     * @param record a syscall as received from a client.
     * @return the SPEC §5 message when an argument is out of range, null when the record is well-formed.
     */
    public static String check(final SyscallRecord record)
    {
        final String strings = checkStrings(record);
        if (strings != null)
        {
            return strings;
        }
        final SyscallType type = record.type;
        if (type == null || !type.isClientCall())
        {
            return "not a syscall: " + (type == null ? "unknown" : type.syscallName());
        }
        final String fn = type.syscallName();
        switch (type)
        {
            case SPAWN:
                return record.text != null && record.text.length() > MAX_NAME_CHARS ?
                    bad(1, fn, "name longer than " + MAX_NAME_CHARS + " characters") : null;
            case SETUSER:
                if (record.text == null)
                {
                    return typeError(1, fn, "string", "nil");
                }
                return USER.matcher(record.text).matches() ? null :
                    bad(1, fn, "user must be 1-64 characters of A-Z a-z 0-9 _ . -");
            case REGISTER:
            case LOOKUP:
                return checkName(1, fn, record.text);
            case QUEUE_EVENT:
                if (record.payload == null)
                {
                    return typeError(2, fn, "table", "nil");
                }
                return checkName(1, fn, record.text);
            case SEND_EVENT:
                if (record.payload == null)
                {
                    return bad(3, fn, "missing data");
                }
                return checkName(2, fn, record.text);
            case PULL_EVENT:
                if (Double.isNaN(record.number))
                {
                    return bad(1, fn, "timeout must be a number");
                }
                if (record.names != null)
                {
                    if (record.names.length > MAX_PULL_NAMES)
                    {
                        return bad(MAX_PULL_NAMES + 1, fn, "at most " + MAX_PULL_NAMES + " event names");
                    }
                    for (int i = 0; i < record.names.length; i++)
                    {
                        final String message = checkName(i + 1, fn, record.names[i]);
                        if (message != null)
                        {
                            return message;
                        }
                    }
                }
                return null;
            case TIMER:
                return Double.isFinite(record.number) ? null : bad(1, fn, "number must be finite");
            case ALARM:
                return record.number >= 0 && record.number < 24 ? null :
                    bad(1, fn, "hour must be at least 0 and less than 24");
            default:
                return null;
        }
    }

    /**
     * Strings are journaled as UTF-8: one that is not valid Unicode (an unpaired surrogate)
     * would replay as a different string, so it is refused.
     */
    private static String checkStrings(final SyscallRecord record)
    {
        final String fn = record.type.syscallName();
        final int textArg = record.type == ember.journal.SyscallType.SEND_EVENT ? 2 : 1;
        if (record.text != null && !wellFormed(record.text))
        {
            return bad(textArg, fn, "string is not valid Unicode");
        }
        if (record.names != null)
        {
            for (int i = 0; i < record.names.length; i++)
            {
                if (record.names[i] != null && !wellFormed(record.names[i]))
                {
                    return bad(i + 1, fn, "string is not valid Unicode");
                }
            }
        }
        return null;
    }

    private static boolean wellFormed(final String value)
    {
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            if (Character.isHighSurrogate(c))
            {
                if (i + 1 >= value.length() || !Character.isLowSurrogate(value.charAt(i + 1)))
                {
                    return false;
                }
                i++;
            }
            else if (Character.isLowSurrogate(c))
            {
                return false;
            }
        }
        return true;
    }

    private static String checkName(final int arg, final String fn, final String name)
    {
        if (name == null)
        {
            return typeError(arg, fn, "string", "nil");
        }
        return name.length() > MAX_NAME_CHARS ? bad(arg, fn, "name longer than " + MAX_NAME_CHARS + " characters") : null;
    }

    /**
     * @return {@code bad argument #N to 'NAME' (expected table, got TYPE)} for a parameter table
     *     argument that is not one; a list reads as {@code array}, since tables have string keys.
     */
    public static String notATable(final int arg, final String fn, final Object value)
    {
        return typeError(arg, fn, "table", value instanceof java.util.List ? "array" : ember.journal.PayloadCodec.luaType(value));
    }

    /** @return {@code bad argument #N to 'NAME' (REASON)}. */
    public static String bad(final int arg, final String fn, final String reason)
    {
        return "bad argument #" + arg + " to '" + fn + "' (" + reason + ")";
    }

    /** @return {@code bad argument #N to 'NAME' (expected TYPE, got TYPE)}. */
    public static String typeError(final int arg, final String fn, final String expected, final String got)
    {
        return bad(arg, fn, "expected " + expected + ", got " + got);
    }
}
