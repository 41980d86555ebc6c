package ember.kernel.core;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The kernel log, {@code DIR/kernel.log}: diagnostics (signals 3 and 6), recoveries, faults.
 * One line per entry, flushed at once. Thread-safe: the core, the opening thread, the IPC acceptor
 * and the snapshot thread write to it (lines never interleave).
 */
public final class KernelLog implements AutoCloseable
{
    public static final String FILE = "kernel.log";
    private final Writer out;

    KernelLog(final Path dir) throws IOException
    {
        // It names processes and users: for the kernel's account only, like the journal (0600, no link followed).
        out = java.nio.channels.Channels.newWriter(
            KernelDirectory.openPrivateFile(dir.resolve(FILE), StandardOpenOption.WRITE, StandardOpenOption.APPEND),
            StandardCharsets.UTF_8);
    }

    /** Append one line, prefixed with the time. Failures to log never stop the kernel. */
    public synchronized void log(final String line)
    {
        try
        {
            out.write(Instant.now() + " " + line + "\n");
            out.flush();
        }
        catch (final IOException ignored)
        {
            // The journal, not the log, is the record of truth.
        }
    }

    @Override
    public synchronized void close()
    {
        try
        {
            out.close();
        }
        catch (final IOException ignored)
        {
            // closing
        }
    }
}
