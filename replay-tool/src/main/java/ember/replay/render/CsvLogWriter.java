package ember.replay.render;

import ember.kernel.json.Json;
import ember.replay.audit.LogEntry;

import java.io.PrintWriter;

/**
 * {@code log --format csv}: a header, then
 * {@code index,time,pid,user,syscall,args,result,error,effects}; args and result are JSON, effects
 * the text summary (a waiting pull's: {@code P waits for an event}).
 */
final class CsvLogWriter implements LogWriter
{
    static final String HEADER = "index,time,pid,user,syscall,args,result,error,effects";
    private final PrintWriter out;

    CsvLogWriter(final PrintWriter out)
    {
        this.out = out;
    }

    @Override
    public void start()
    {
        out.println(HEADER);
        out.flush();
    }

    @Override
    public void write(final LogEntry e)
    {
        out.println(Csv.line(e.index(), e.time(), e.pid(), e.user(), e.syscall(), Json.write(e.args()),
            e.error() != null ? null : Json.write(e.result()), e.error(), EffectText.summary(e.effects(), true)));
    }
}
