package ember.replay.render;

import ember.kernel.json.Json;
import ember.replay.audit.LogEntry;

import java.io.PrintWriter;

/** {@code log --format json}: one compact JSON object per line (JSON Lines), keys sorted. */
final class JsonLogWriter implements LogWriter
{
    private final PrintWriter out;

    JsonLogWriter(final PrintWriter out)
    {
        this.out = out;
    }

    @Override
    public void start()
    {
    }

    @Override
    public void write(final LogEntry entry)
    {
        out.println(Json.write(entry.toJson()));
    }
}
