package ember.kernel.transport;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * Where the local IPC lives and how its files are laid out.
 * <pre>
 *   DIR/ipc/service              the service's beacon: magic, version, heartbeat (epoch ms), OS pid
 *   DIR/ipc/clients/NAME.chan    one channel per client, created by the client, mode 0600:
 *       [0, 4096)                header: magic, version, client OS pid
 *       request ring             client → kernel, Agrona many-to-one ring buffer
 *       reply ring               kernel → client, Agrona one-to-one ring buffer
 * </pre>
 * The kernel trusts a channel as coming from the OS account that owns its file.
 */
public final class IpcLayout
{
    public static final String IPC_DIR = "ipc";
    public static final String CLIENTS_DIR = "clients";
    public static final String SERVICE_FILE = "service";
    public static final String CHANNEL_SUFFIX = ".chan";

    public static final int MAGIC = 0x454D4252; // "EMBR"
    public static final int VERSION = 1;
    public static final int PAGE = 4096;
    public static final int HEADER_LENGTH = PAGE;
    public static final int REQUEST_CAPACITY = 1 << 20;
    public static final int REPLY_CAPACITY = 1 << 20;
    public static final int REQUEST_OFFSET = HEADER_LENGTH;
    public static final int REQUEST_LENGTH = REQUEST_CAPACITY + RingBufferDescriptor.TRAILER_LENGTH;
    public static final int REPLY_OFFSET = align(REQUEST_OFFSET + REQUEST_LENGTH);
    public static final int REPLY_LENGTH = REPLY_CAPACITY + RingBufferDescriptor.TRAILER_LENGTH;
    public static final int CHANNEL_FILE_LENGTH = align(REPLY_OFFSET + REPLY_LENGTH);

    public static final int HEADER_MAGIC = 0;
    public static final int HEADER_VERSION = 4;
    public static final int HEADER_OS_PID = 8;

    public static final int SERVICE_FILE_LENGTH = PAGE;
    public static final int SERVICE_HEARTBEAT = 8;
    public static final int SERVICE_OS_PID = 16;
    /** A service whose beacon is older than this is taken as gone. */
    public static final long SERVICE_TIMEOUT_MS = 3_000;
    /** A client whose reply-ring heartbeat is older than this is detached. */
    public static final long CLIENT_TIMEOUT_MS = 5_000;
    public static final long HEARTBEAT_INTERVAL_MS = 100;

    // Request message types (client → kernel).
    /** A syscall: a {@code RecordCodec} frame whose index field is the correlation id. */
    public static final int MSG_SYSCALL = 1;
    /** The client goes away. */
    public static final int MSG_DETACH = 2;

    // Reply message types (kernel → client).
    public static final int MSG_ATTACHED = 1;
    public static final int MSG_RESULT = 2;
    public static final int MSG_HANDLER = 3;
    public static final int MSG_DETACHED = 4;

    private IpcLayout()
    {
    }

    public static Path ipcDir(final Path kernelDir)
    {
        return kernelDir.resolve(IPC_DIR);
    }

    public static Path clientsDir(final Path kernelDir)
    {
        return ipcDir(kernelDir).resolve(CLIENTS_DIR);
    }

    public static Path serviceFile(final Path kernelDir)
    {
        return ipcDir(kernelDir).resolve(SERVICE_FILE);
    }

    private static int align(final int value)
    {
        return (value + PAGE - 1) & -PAGE;
    }

    /** @return the request ring's region of a mapped channel. */
    public static UnsafeBuffer requestRegion(final MappedByteBuffer mapped)
    {
        return new UnsafeBuffer(mapped, REQUEST_OFFSET, REQUEST_LENGTH);
    }

    /** @return the reply ring's region of a mapped channel. */
    public static UnsafeBuffer replyRegion(final MappedByteBuffer mapped)
    {
        return new UnsafeBuffer(mapped, REPLY_OFFSET, REPLY_LENGTH);
    }

    /** A channel file made and mapped by a client, not yet visible to the service. */
    public record NewChannel(Path temp, Path file, MappedByteBuffer mapped)
    {
        /** Make the channel visible: the service attaches it on its next scan. */
        public void publish() throws java.io.IOException
        {
            java.nio.file.Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /**
     * Create a channel file (mode 0600, owned by the calling account) under a temporary name,
     * sized and mapped, header written.
     *
     * @param kernelDir the kernel directory of the service.
     */
    public static NewChannel createChannel(final Path kernelDir) throws java.io.IOException
    {
        final Path clients = clientsDir(kernelDir);
        final String name = java.util.UUID.randomUUID().toString();
        final Path temp = clients.resolve("." + name + ".tmp");
        final Path file = clients.resolve(name + CHANNEL_SUFFIX);
        java.nio.file.Files.createFile(temp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        try
        {
            try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(temp.toFile(), "rw"))
            {
                raf.setLength(CHANNEL_FILE_LENGTH);
            }
            final MappedByteBuffer mapped = IoUtil.mapExistingFile(temp.toFile(), "ember channel");
            final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
            header.putInt(HEADER_VERSION, VERSION);
            header.putLong(HEADER_OS_PID, ProcessHandle.current().pid());
            header.putIntVolatile(HEADER_MAGIC, MAGIC);
            return new NewChannel(temp, file, mapped);
        }
        catch (final java.io.IOException | RuntimeException ex)
        {
            java.nio.file.Files.deleteIfExists(temp);
            throw ex;
        }
    }

    /** Unmap quietly. */
    public static void unmap(final MappedByteBuffer mapped)
    {
        if (mapped != null)
        {
            IoUtil.unmap(mapped);
        }
    }

    /**
     * @param kernelDir a kernel directory.
     * @param nowMs     epoch ms.
     * @return true when a service's beacon in {@code kernelDir} was refreshed within {@link #SERVICE_TIMEOUT_MS}.
     */
    public static boolean serviceAlive(final Path kernelDir, final long nowMs)
    {
        try (ServiceBeacon beacon = ServiceBeacon.open(kernelDir))
        {
            return beacon != null && beacon.alive(nowMs);
        }
    }
}
