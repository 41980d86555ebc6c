package ember.kernel.core;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.ErrorConsumer;
import org.agrona.concurrent.errors.ErrorLogReader;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads a kernel's errors file ({@link ErrorsLayout}) from any JVM, with Agrona's
 * {@link ErrorLogReader}: a read-only mapping, no lock, nothing asked of the kernel, while it runs
 * or after it stopped. Only the kernel's account (and root) may open the file (0600).
 * <p>
 * Not thread-safe: one reader per thread. An error the kernel is recording meanwhile is either
 * whole or not shown (the log publishes a record's length last).
 */
public final class KernelErrorsReader implements AutoCloseable
{
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer header;
    private final UnsafeBuffer errors;

    private KernelErrorsReader(final MappedByteBuffer mapped)
    {
        this.mapped = mapped;
        this.header = new UnsafeBuffer(mapped, 0, ErrorsLayout.HEADER_LENGTH);
        this.errors = new UnsafeBuffer(mapped, ErrorsLayout.LOG_OFFSET, ErrorsLayout.LOG_LENGTH);
    }

    /**
     * @param file an errors file ({@link ErrorsLayout#file} or the previous run's).
     * @return a reader, or null when there is no complete errors file there this account may read
     *     (none made yet, an older Ember, another account's kernel, a link).
     */
    public static KernelErrorsReader open(final Path file)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))
        {
            if (channel.size() < ErrorsLayout.FILE_LENGTH)
            {
                return null;
            }
            final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, ErrorsLayout.FILE_LENGTH);
            final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, ErrorsLayout.HEADER_LENGTH);
            if (header.getIntVolatile(ErrorsLayout.HEADER_MAGIC) != ErrorsLayout.MAGIC ||
                header.getInt(ErrorsLayout.HEADER_VERSION) != ErrorsLayout.VERSION ||
                header.getInt(ErrorsLayout.HEADER_LOG_LENGTH) != ErrorsLayout.LOG_LENGTH)
            {
                IoUtil.unmap(mapped);
                return null;
            }
            return new KernelErrorsReader(mapped);
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            return null;
        }
    }

    /** @return the OS pid of the JVM whose kernel made the file (it may have stopped since). */
    public long osPid()
    {
        return header.getLong(ErrorsLayout.HEADER_OS_PID);
    }

    /** @return when that kernel opened (epoch ms). */
    public long startMs()
    {
        return header.getLong(ErrorsLayout.HEADER_START_MS);
    }

    /**
     * @param consumer told each distinct error, oldest first: its observation count, first and
     *                 last time (epoch ms) and its stack trace.
     * @return how many distinct errors there are.
     */
    public int read(final ErrorConsumer consumer)
    {
        return ErrorLogReader.read(errors, consumer);
    }

    /** @return how many distinct errors there are. */
    public int distinctErrors()
    {
        return ErrorLogReader.read(errors, (count, first, last, trace) -> { });
    }

    @Override
    public void close()
    {
        IoUtil.unmap(mapped);
    }
}
