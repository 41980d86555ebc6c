package ember.kernel.core;

import org.agrona.IoUtil;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.DistinctErrorLog;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The kernel's unexpected errors with their stack traces, in an Agrona {@link DistinctErrorLog}
 * in a memory-mapped file ({@link ErrorsLayout}): a repeat of an error (same class, message and
 * stack trace) counts once more on its record instead of filling the file. Read from any JVM by
 * {@link KernelErrorsReader} ({@code ember errors}); the one-line account of each stays in the
 * kernel log ({@link KernelLog#error}), which is where every error is recorded from.
 * <p>
 * The file is created by the kernel when it opens ({@link PrivateMappedFile}: 0600, no link
 * followed, fully allocated) and kept when it closes, so a stopped or crashed kernel's errors can
 * still be read. The previous run's file is kept as {@link ErrorsLayout#PREVIOUS_FILE} when it
 * holds errors. When the file cannot be made the kernel runs without it ({@link #NONE}).
 * <p>
 * Thread-safe: the core, the snapshot thread and the IPC acceptor record; recording and
 * {@link #close} (which unmaps) exclude each other, so no thread writes into an unmapped file.
 * Errors are rare: the lock costs nothing on a hot path.
 */
public final class KernelErrors implements AutoCloseable
{
    /** Records nothing: the file could not be made. */
    static final KernelErrors NONE = new KernelErrors();

    private final MappedByteBuffer mapped;
    private final DistinctErrorLog errors;
    private boolean closed;

    private KernelErrors()
    {
        mapped = null;
        errors = null;
        closed = true;
    }

    private KernelErrors(final MappedByteBuffer mapped)
    {
        this.mapped = mapped;
        final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, ErrorsLayout.HEADER_LENGTH);
        this.errors = new DistinctErrorLog(new UnsafeBuffer(mapped, ErrorsLayout.LOG_OFFSET, ErrorsLayout.LOG_LENGTH),
            SystemEpochClock.INSTANCE, StandardCharsets.UTF_8);
        header.putInt(ErrorsLayout.HEADER_VERSION, ErrorsLayout.VERSION);
        header.putInt(ErrorsLayout.HEADER_LOG_LENGTH, ErrorsLayout.LOG_LENGTH);
        header.putLong(ErrorsLayout.HEADER_OS_PID, ProcessHandle.current().pid());
        header.putLong(ErrorsLayout.HEADER_START_MS, System.currentTimeMillis());
        header.putIntOrdered(ErrorsLayout.HEADER_MAGIC, ErrorsLayout.MAGIC); // last: the file is complete
    }

    /**
     * Opening thread, with the directory lock held: keep the previous run's errors, make a new file.
     *
     * @param dir the kernel directory (already {@link KernelDirectory#secure secured}).
     * @param log where keeping the previous file, or failing to make one, is reported.
     * @return the errors, or {@link #NONE} when the file cannot be made (the kernel runs on without).
     */
    static KernelErrors create(final Path dir, final KernelLog log)
    {
        final Path file = ErrorsLayout.file(dir);
        try
        {
            keepPrevious(dir, file, log);
            return new KernelErrors(PrivateMappedFile.create(file, ErrorsLayout.FILE_LENGTH));
        }
        catch (final IOException | RuntimeException ex)
        {
            log.log("unexpected errors are not recorded in " + file + ": cannot make it: " +
                (ex instanceof IOException ? KernelDirectory.describe((IOException)ex) : ex.getMessage()));
            return NONE;
        }
    }

    private static void keepPrevious(final Path dir, final Path file, final KernelLog log) throws IOException
    {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
        {
            return; // none, or a link: never read through, replaced by the new file
        }
        final int distinct;
        try (KernelErrorsReader previous = KernelErrorsReader.open(file))
        {
            distinct = previous == null ? 0 : previous.distinctErrors();
        }
        if (distinct > 0)
        {
            final Path kept = dir.resolve(ErrorsLayout.PREVIOUS_FILE);
            Files.move(file, kept, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            log.log("the previous run's " + distinct + " distinct unexpected error(s) are kept in " + kept +
                " (ember errors --previous)");
        }
    }

    /**
     * Any thread: record an error (a repeat counts once more on its record).
     *
     * @return false when it was not recorded: closed, no file, or the file is full.
     */
    synchronized boolean record(final Throwable error)
    {
        return !closed && errors.record(error);
    }

    /** @return true while errors are recorded in a file (made, not closed). */
    synchronized boolean isOpen()
    {
        return !closed;
    }

    /** Any thread, when the kernel closes: unmapped, the file kept for readers. */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        IoUtil.unmap(mapped);
    }
}
