package ember.kernel.core;

import java.nio.file.Path;

/**
 * The layout of a kernel's errors file, {@code DIR/errors.dat} (as the error log of Aeron's CnC file):
 * <pre>
 *   [0, 128)              header: int magic (written last), int version, int error log length,
 *                         int unused, long OS pid of the kernel's JVM, long start time (epoch ms)
 *   [128, 128 + length)   an Agrona {@code DistinctErrorLog}: one record per distinct error
 *                         (observation count, first and last time, the stack trace)
 * </pre>
 * Unlike the counters file it outlives its kernel: what went wrong is still there after a stop or
 * a crash. The next kernel to open the directory keeps the previous run's file as
 * {@link #PREVIOUS_FILE} when it holds errors, and starts a new one.
 */
public final class ErrorsLayout
{
    public static final String FILE = "errors.dat";
    /** The previous run's errors file, kept by the next open when it held errors. */
    public static final String PREVIOUS_FILE = "errors.prev.dat";

    public static final int MAGIC = 0x454D4245; // "EMBE"
    public static final int VERSION = 1;
    public static final int HEADER_LENGTH = 128;
    public static final int HEADER_MAGIC = 0;
    public static final int HEADER_VERSION = 4;
    public static final int HEADER_LOG_LENGTH = 8;
    public static final int HEADER_OS_PID = 16;
    public static final int HEADER_START_MS = 24;

    /** Room for the distinct errors of one run (each holds a stack trace of a few KiB). */
    public static final int LOG_LENGTH = 1024 * 1024;
    public static final int LOG_OFFSET = HEADER_LENGTH;
    public static final long FILE_LENGTH = (long)HEADER_LENGTH + LOG_LENGTH;

    private ErrorsLayout()
    {
    }

    /** @return {@code DIR/errors.dat}. */
    public static Path file(final Path kernelDir)
    {
        return kernelDir.resolve(FILE);
    }
}
