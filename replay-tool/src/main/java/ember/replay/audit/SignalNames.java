package ember.replay.audit;

import java.util.Locale;

/**
 * The signal names the tool reads and prints: the SPEC's table (HUP 1, INT 2, QUIT 3, ABRT 6,
 * KILL 9, PIPE 13, TERM 15, CONT 18, STOP 19, TTIN 21, TTOU 22) plus the usual USR1 10, USR2 12
 * and ALRM 14, which the SPEC leaves to their default (queued as a {@code signal} event).
 * Stateless; any thread.
 */
public final class SignalNames
{
    private static final String[] NAMES = new String[23];

    static
    {
        NAMES[1] = "HUP";
        NAMES[2] = "INT";
        NAMES[3] = "QUIT";
        NAMES[6] = "ABRT";
        NAMES[9] = "KILL";
        NAMES[10] = "USR1";
        NAMES[12] = "USR2";
        NAMES[13] = "PIPE";
        NAMES[14] = "ALRM";
        NAMES[15] = "TERM";
        NAMES[18] = "CONT";
        NAMES[19] = "STOP";
        NAMES[21] = "TTIN";
        NAMES[22] = "TTOU";
    }

    private SignalNames()
    {
    }

    /** @return the name of {@code signal} without {@code SIG} ({@code TERM}), or null when it has none. */
    public static String name(final long signal)
    {
        return signal > 0 && signal < NAMES.length ? NAMES[(int)signal] : null;
    }

    /**
     * @param text a signal as a user writes it: a number ({@code 15}) or a name in any case, with or
     *             without {@code SIG} ({@code TERM}, {@code SIGTERM}, {@code term}).
     * @return the signal number, or -1 when {@code text} is neither.
     */
    public static long parse(final String text)
    {
        final String t = text.trim();
        if (!t.isEmpty() && t.length() <= 18 && t.chars().allMatch(Character::isDigit))
        {
            return Long.parseLong(t);
        }
        String name = t.toUpperCase(Locale.ROOT);
        if (name.startsWith("SIG"))
        {
            name = name.substring(3);
        }
        for (int signal = 0; signal < NAMES.length; signal++)
        {
            if (name.equals(NAMES[signal]))
            {
                return signal;
            }
        }
        return -1;
    }

    /** @return every name with its number, e.g. {@code HUP 1, INT 2, ...}. */
    public static String table()
    {
        final StringBuilder sb = new StringBuilder();
        for (int signal = 0; signal < NAMES.length; signal++)
        {
            if (NAMES[signal] != null)
            {
                sb.append(sb.length() == 0 ? "" : ", ").append(NAMES[signal]).append(' ').append(signal);
            }
        }
        return sb.toString();
    }
}
