package ember.kernel.transport;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Where the local IPC lives, how its files are laid out, and the messages it carries.
 * <pre>
 *   DIR/ipc/                     0711, the kernel's account: others may only reach the two entries below
 *   DIR/ipc/ember.sock           Unix-domain socket, 0666: every client connects here first; the
 *                                kernel takes the client's OS account from the socket's peer credentials
 *   DIR/ipc/service              the service's beacon, 0644: magic, version, heartbeat (epoch ms), OS pid,
 *                                whether the core must be rung, the core's park sequence
 *   DIR/ipc/channels/            0700: shared-memory channels, made by the service for clients of its
 *                                own account only, 0600:
 *       [0, 4096)                header: magic, version, client OS pid
 *       request ring             client → kernel, Agrona many-to-one ring buffer
 *       reply ring               kernel → client, Agrona one-to-one ring buffer
 * </pre>
 * Clients of other accounts never share memory with the service: their requests and replies
 * travel over the socket as frames ({@code int length, int type, bytes}) that the service's
 * acceptor thread moves to and from rings of the same layout in the service's own memory. So no
 * other account can resize, replace or link memory the core reads.
 * <p>
 * The handshake on the socket: the client sends {@link #HELLO_LENGTH} bytes (magic, version,
 * mode, reserved, client OS pid); the service answers {@code int status, int length, utf-8 text}
 * — for {@link #MODE_SHARED_MEMORY} the channel file's path, for a refusal its reason — and,
 * in {@link #MODE_SOCKET}, the connection then carries frames; in {@link #MODE_SHARED_MEMORY}
 * only {@link #DOORBELL} bytes. In both modes the connection stays open for the client's whole
 * life: its end is how the service learns the client is gone.
 */
public final class IpcLayout
{
    public static final String IPC_DIR = "ipc";
    public static final String CHANNELS_DIR = "channels";
    public static final String SOCKET_FILE = "ember.sock";
    public static final String SERVICE_FILE = "service";
    public static final String CHANNEL_SUFFIX = ".chan";

    public static final int MAGIC = 0x454D4252; // "EMBR"
    /** 3: shared-memory clients ring the core's doorbell ({@link #DOORBELL}) over their socket. */
    public static final int VERSION = 3;
    public static final int PAGE = 4096;
    public static final int HEADER_LENGTH = PAGE;
    public static final int REQUEST_CAPACITY = 1 << 20;
    public static final int REPLY_CAPACITY = 1 << 20;
    public static final int REQUEST_OFFSET = HEADER_LENGTH;
    public static final int REQUEST_LENGTH = REQUEST_CAPACITY + RingBufferDescriptor.TRAILER_LENGTH;
    public static final int REPLY_OFFSET = align(REQUEST_OFFSET + REQUEST_LENGTH);
    public static final int REPLY_LENGTH = REPLY_CAPACITY + RingBufferDescriptor.TRAILER_LENGTH;
    public static final int CHANNEL_FILE_LENGTH = align(REPLY_OFFSET + REPLY_LENGTH);
    /** The longest message either ring takes (an eighth of its capacity, Agrona's rule). */
    public static final int MAX_MESSAGE_LENGTH = REQUEST_CAPACITY / 8;
    /** Frame header on the socket: int length of the body, int message type. */
    public static final int FRAME_HEADER_LENGTH = 8;

    public static final int HEADER_MAGIC = 0;
    public static final int HEADER_VERSION = 4;
    public static final int HEADER_OS_PID = 8;

    public static final int SERVICE_FILE_LENGTH = PAGE;
    public static final int SERVICE_HEARTBEAT = 8;
    public static final int SERVICE_OS_PID = 16;
    /** int: 1 when the service's core parks when idle and must be rung ({@code ember.kernel.core.CoreDoorbell}), else 0. */
    public static final int SERVICE_DOORBELL_USED = 24;
    /**
     * long, on a cache line of its own: the sequence of the park the core is about to take or in,
     * 0 while it runs. A shared-memory client that committed a request reads it (after a full
     * fence) and, when it is not 0, not the one it last rang for, and the park has more than
     * {@link #RING_WHEN_PARK_LEFT_NS} left ({@link #SERVICE_CORE_PARK_END}), writes one
     * {@link #DOORBELL} byte on its socket.
     */
    public static final int SERVICE_CORE_PARK = 64;
    /** long: the monotonic time ({@code System.nanoTime}) the core's armed park ends at the latest. */
    public static final int SERVICE_CORE_PARK_END = SERVICE_CORE_PARK + ember.kernel.core.CoreDoorbell.PARK_END_OFFSET;
    /**
     * A client rings only when the armed park has more than this left: its ring takes two thread
     * wake-ups (its socket byte wakes the acceptor, which unparks the core), about 100 µs on a
     * small VM (measured with {@code bin/ember bench --only paced --idle backoff}), and the
     * core's first parks after it goes idle are shorter than that.
     */
    public static final long RING_WHEN_PARK_LEFT_NS = 250_000L;
    /** The one byte a shared-memory client may send on its socket: wake the parked core. */
    public static final byte DOORBELL = 1;
    /** A service whose beacon is older than this is taken as gone. */
    public static final long SERVICE_TIMEOUT_MS = 3_000;
    public static final long HEARTBEAT_INTERVAL_MS = 100;
    /**
     * The one clock of the service beacon's heartbeat: wall-clock epoch ms, because another process
     * (a client, {@code status}) compares it with its own wall clock to tell a live service from a
     * dead one. Nothing else in the transport reads the wall clock: its deadlines come from the
     * kernel's configured clock.
     */
    public static final org.agrona.concurrent.EpochClock HEARTBEAT_CLOCK = org.agrona.concurrent.SystemEpochClock.INSTANCE;

    // Handshake.
    public static final int HELLO_LENGTH = 24;
    public static final int MODE_SHARED_MEMORY = 1;
    public static final int MODE_SOCKET = 2;
    public static final int STATUS_OK = 0;
    public static final int STATUS_REFUSED = 1;
    /** A connection that has not sent its hello by then is closed. */
    public static final long HELLO_TIMEOUT_MS = 2_000;

    // Request message types (client → kernel).
    /** A syscall: a {@code RecordCodec} frame whose index field is the correlation id. */
    public static final int MSG_SYSCALL = 1;
    /** The client goes away. */
    public static final int MSG_DETACH = 2;
    /**
     * A read-only process query, never journaled ({@code ember.kernel.core.ProcessQuery}):
     * {@code long correlation, byte query code, long acting pid}; answered by a {@link #MSG_RESULT}
     * (or, for a large process table, {@link #MSG_RESULT_PART}s) like a syscall.
     */
    public static final int MSG_QUERY = 3;
    public static final int QUERY_LENGTH = 17;

    // Reply message types (kernel → client).
    public static final int MSG_ATTACHED = 1;
    public static final int MSG_RESULT = 2;
    public static final int MSG_HANDLER = 3;
    public static final int MSG_DETACHED = 4;
    /**
     * One piece of a result longer than a ring message (a syscall's or a query's): {@code long correlation, int total length,
     * int offset}, then that piece of the {@link ReplyCodec} encoding (which starts with the
     * correlation itself); the client decodes once it holds all {@code total} bytes.
     */
    public static final int MSG_RESULT_PART = 5;
    public static final int RESULT_PART_HEADER = 16;

    private IpcLayout()
    {
    }

    public static Path ipcDir(final Path kernelDir)
    {
        return kernelDir.resolve(IPC_DIR);
    }

    public static Path channelsDir(final Path kernelDir)
    {
        return ipcDir(kernelDir).resolve(CHANNELS_DIR);
    }

    public static Path socketFile(final Path kernelDir)
    {
        return ipcDir(kernelDir).resolve(SOCKET_FILE);
    }

    public static Path serviceFile(final Path kernelDir)
    {
        return ipcDir(kernelDir).resolve(SERVICE_FILE);
    }

    private static int align(final int value)
    {
        return (value + PAGE - 1) & -PAGE;
    }

    /** @return the request ring's region of a channel's memory (a mapped file or the service's own buffer). */
    public static UnsafeBuffer requestRegion(final ByteBuffer memory)
    {
        return new UnsafeBuffer(memory, REQUEST_OFFSET, REQUEST_LENGTH);
    }

    /** @return the reply ring's region of a channel's memory. */
    public static UnsafeBuffer replyRegion(final ByteBuffer memory)
    {
        return new UnsafeBuffer(memory, REPLY_OFFSET, REPLY_LENGTH);
    }

    /** Unmap quietly. */
    public static void unmap(final java.nio.MappedByteBuffer mapped)
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
