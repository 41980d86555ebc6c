package ember.journal;

import net.openhft.posix.PosixAPI;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.channels.FileChannel;

/**
 * Allocates file-system blocks for a range of an open file with {@code fallocate(2)} (mode 0:
 * holes get blocks that read as zeros, data already there is not touched, the file grows to cover
 * the range): what {@link JournalSpace} otherwise does by writing the range, without copying a
 * byte through the page cache. Writing a megabyte of zeros cost the core thread about a sixth of
 * its time on the service path (measured with perf); an allocation costs microseconds.
 * <p>
 * Where it cannot be used (not Linux, a file system without fallocate, the JVM denying access to
 * a channel's descriptor, Chronicle's POSIX layer unavailable) {@link #allocate} says so and the
 * caller writes the range instead. Stateless and thread-safe.
 */
final class FileBlocks
{
    private static final int EINTR = 4;
    private static final int EFBIG = 27;
    private static final int ENOSPC = 28;
    private static final int EDQUOT = 122;
    private static final String JNR_POSIX_API = "net.openhft.posix.internal.jnr.JNRPosixAPI";

    /** The descriptor behind a FileChannel, or null where the JVM does not let us read it. */
    private static final Field CHANNEL_FD = field("sun.nio.ch.FileChannelImpl", "fd");
    private static final Field DESCRIPTOR_FD = field(FileDescriptor.class.getName(), "fd");
    private static final PosixAPI POSIX = posix();

    /** Tests: behave as on a file system without fallocate (the callers' writing path). */
    static volatile boolean unavailableForTest;

    private FileBlocks()
    {
    }

    /**
     * Allocate blocks for {@code [position, position + length)} of {@code channel}'s file.
     *
     * @return true when the range is backed; false when fallocate cannot be used here (the caller
     * then writes the range itself: nothing was changed).
     * @throws IOException when the file system has no room (ENOSPC, EDQUOT, EFBIG): the message
     * names it as the kernel does ({@code No space left on device}).
     */
    static boolean allocate(final FileChannel channel, final long position, final long length) throws IOException
    {
        final int fd = unavailableForTest ? -1 : descriptor(channel);
        if (fd < 0)
        {
            return false;
        }
        while (true)
        {
            if (POSIX.fallocate(fd, 0, position, length) == 0)
            {
                return true;
            }
            final int errno = POSIX.lastError();
            switch (errno)
            {
                case EINTR:
                    continue;
                case ENOSPC:
                case EDQUOT:
                case EFBIG:
                    throw new IOException(POSIX.strerror(errno));
                default:
                    return false; // EOPNOTSUPP, ENOSYS, ...: write the range instead
            }
        }
    }

    private static int descriptor(final FileChannel channel)
    {
        if (CHANNEL_FD == null || DESCRIPTOR_FD == null || POSIX == null || !CHANNEL_FD.getDeclaringClass().isInstance(channel))
        {
            return -1;
        }
        try
        {
            final Object descriptor = CHANNEL_FD.get(channel);
            return descriptor == null ? -1 : DESCRIPTOR_FD.getInt(descriptor);
        }
        catch (final IllegalAccessException ex)
        {
            return -1;
        }
    }

    private static Field field(final String className, final String name)
    {
        try
        {
            final Field field = Class.forName(className).getDeclaredField(name);
            field.setAccessible(true); // needs --add-opens java.base/sun.nio.ch and java.io (Ember's launchers give both)
            return field;
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            return null;
        }
    }

    private static PosixAPI posix()
    {
        if (!"Linux".equals(System.getProperty("os.name")))
        {
            return null;
        }
        try
        {
            // Only the real (JNR) binding: the stand-in Chronicle falls back to when native calls
            // cannot be loaded answers 0 to every fallocate without doing anything.
            final PosixAPI api = PosixAPI.posix();
            return api.getClass().getName().equals(JNR_POSIX_API) ? api : null;
        }
        catch (final RuntimeException | LinkageError ex)
        {
            return null;
        }
    }
}
