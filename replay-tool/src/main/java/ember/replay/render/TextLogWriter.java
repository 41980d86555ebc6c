package ember.replay.render;

import ember.replay.audit.LogEntry;

import java.io.PrintWriter;

/**
 * {@code log --format text}: one line per record,
 * {@code INDEX TIME pid=PID user=USER SYSCALL(ARGS) = OUTCOME [EFFECTS]}, e.g.
 * {@code 17 2025-06-01T12:00:00.123456Z pid=1 user=root kill(2, 15) = nil [signal 15 to 2: terminated; ...]}.
 * A pull that waits reads {@code pullEvent("job") → waiting} instead of {@code = nil}, and the record
 * that completes it {@code pullEvent("job") = job {...} (after waiting since #N)}.
 */
public final class TextLogWriter implements LogWriter
{
    private final PrintWriter out;

    TextLogWriter(final PrintWriter out)
    {
        this.out = out;
    }

    @Override
    public void start()
    {
    }

    @Override
    public void write(final LogEntry e)
    {
        out.println(line(e));
    }

    /** @return the text line of an entry (as {@code log} prints it; the debugger's {@code where}). */
    public static String line(final LogEntry e)
    {
        final StringBuilder sb = new StringBuilder(128);
        sb.append(e.index()).append(' ').append(e.time())
            .append(" pid=").append(e.pid())
            .append(" user=").append(e.user() == null ? "-" : e.user())
            .append(' ').append(e.syscall()).append('(').append(CallText.args(e.args())).append(')')
            .append(CallText.outcome(e.result(), e.error(), e.effects()));
        final String effects = EffectText.summary(e.effects());
        if (!effects.isEmpty())
        {
            sb.append("  [").append(effects).append(']');
        }
        return sb.toString();
    }
}
