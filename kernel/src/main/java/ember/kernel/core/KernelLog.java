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
 * <p>
 * Lines that state the state's index and digest carry them as tokens, {@code index=N digest=HEX}
 * ({@link #digestTokens}), for readers such as the replay tool's verifier; the prose around them
 * is for people and may change. Unexpected errors ({@link #error}) also go, with their stack
 * traces, to the errors file ({@link KernelErrors}); nothing goes to the process's stderr.
 */
public final class KernelLog implements AutoCloseable
{
    public static final String FILE = "kernel.log";
    private final Writer out;
    private KernelErrors errors = KernelErrors.NONE;
    private boolean errorsFullLogged;

    KernelLog(final Path dir) throws IOException
    {
        // It names processes and users: for the kernel's account only, like the journal (0600, no link followed).
        out = java.nio.channels.Channels.newWriter(
            KernelDirectory.openPrivateFile(dir.resolve(FILE), StandardOpenOption.WRITE, StandardOpenOption.APPEND),
            StandardCharsets.UTF_8);
    }

    /**
     * @return {@code index=N digest=HEX}: how a line states the state's index and digest, the
     *     form readers of this log parse.
     */
    public static String digestTokens(final long index, final String digest)
    {
        return "index=" + index + " digest=" + digest;
    }

    /** Opening thread: record unexpected errors in this file from now on; closed with the log. */
    synchronized void recordErrorsIn(final KernelErrors errors)
    {
        this.errors = errors;
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

    /**
     * An unexpected error: its one line here, the error with its stack trace in the errors file
     * (a repeat counts once more there). Any thread.
     */
    public synchronized void error(final String line, final Throwable error)
    {
        log(line);
        if (!errors.record(error) && errors.isOpen() && !errorsFullLogged)
        {
            errorsFullLogged = true; // once: a full file stays full for this run
            log("the errors file is full: further distinct errors are only in this log");
        }
    }

    /** Closes the errors file too (kept on disk for {@code ember errors}). */
    @Override
    public synchronized void close()
    {
        errors.close();
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
