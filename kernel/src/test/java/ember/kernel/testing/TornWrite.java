package ember.kernel.testing;

import ember.journal.Journal;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.file.Path;

/**
 * Run in its own JVM: starts writing a journal record and dies (halt) before completing it, as
 * a crash in the middle of an append leaves the journal.
 */
public final class TornWrite
{
    private TornWrite()
    {
    }

    public static void main(final String[] args)
    {
        final ChronicleQueue queue = Journal.openQueue(Path.of(args[0]), false, 1 << 20);
        final ExcerptAppender appender = queue.createAppender();
        final DocumentContext dc = appender.writingDocument();
        dc.wire().bytes().write(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        System.out.println("TORN");
        System.out.flush();
        Runtime.getRuntime().halt(0); // no close: the document stays marked not-complete
    }
}
