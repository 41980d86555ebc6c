package ember.kernel.transport;

import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A client's read-only view of the service's beacon file: mapped once, so checking that the
 * service is alive, or whether its core is parked, is a memory read (no system call on the
 * client's hot path). Thread-safe (volatile reads of the mapping).
 */
public final class ServiceBeacon implements AutoCloseable
{
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer beacon;

    private ServiceBeacon(final MappedByteBuffer mapped)
    {
        this.mapped = mapped;
        this.beacon = new UnsafeBuffer(mapped);
    }

    /** @return the beacon of the service on {@code kernelDir}, or null when there is none. */
    public static ServiceBeacon open(final Path kernelDir)
    {
        final Path file = IpcLayout.serviceFile(kernelDir);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            if (channel.size() < IpcLayout.SERVICE_FILE_LENGTH)
            {
                return null;
            }
            return new ServiceBeacon(channel.map(FileChannel.MapMode.READ_ONLY, 0, IpcLayout.SERVICE_FILE_LENGTH));
        }
        catch (final IOException | RuntimeException ex)
        {
            return null;
        }
    }

    /** @return true when the service's core parks when idle, so that a client must ring it after a request. */
    public boolean doorbellUsed()
    {
        return beacon.getIntVolatile(IpcLayout.SERVICE_DOORBELL_USED) == 1;
    }

    /** @return the sequence of the park the service's core is about to take or in, 0 while it runs ({@link IpcLayout#SERVICE_CORE_PARK}). */
    public long coreParkSequence()
    {
        return beacon.getLongVolatile(IpcLayout.SERVICE_CORE_PARK);
    }

    /** @return the monotonic time ({@code System.nanoTime}) the core's armed park ends at the latest. */
    public long coreParkEndNs()
    {
        return beacon.getLongVolatile(IpcLayout.SERVICE_CORE_PARK_END);
    }

    /** @return true when the service refreshed its beacon within {@link IpcLayout#SERVICE_TIMEOUT_MS}. */
    public boolean alive(final long nowMs)
    {
        return beacon.getIntVolatile(0) == IpcLayout.MAGIC &&
            nowMs - beacon.getLongVolatile(IpcLayout.SERVICE_HEARTBEAT) < IpcLayout.SERVICE_TIMEOUT_MS;
    }

    @Override
    public void close()
    {
        IpcLayout.unmap(mapped);
    }
}
