package ember.replay.render;

import ember.replay.audit.LogEntry;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Prints {@link LogEntry}s in one of the {@code log --format}s. Writers do not flush: the caller
 * flushes whenever it reaches the journal's current end, so {@code --follow} output reaches a pipe
 * as records arrive while long listings stay fast.
 */
public interface LogWriter
{
    /** The formats of {@code log --format}. */
    enum Format
    {
        TEXT, JSON, CSV;

        /** picocli accepts the lower-case names. */
        @Override
        public String toString()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Print anything that precedes the first entry (a CSV header). */
    void start();

    /** Print one entry. */
    void write(LogEntry entry);

    /**
     * @param format the format.
     * @param out    where to print.
     * @return a writer for that format.
     */
    static LogWriter of(final Format format, final PrintWriter out)
    {
        switch (format)
        {
            case JSON:
                return new JsonLogWriter(out);
            case CSV:
                return new CsvLogWriter(out);
            case TEXT:
            default:
                return new TextLogWriter(out);
        }
    }
}
