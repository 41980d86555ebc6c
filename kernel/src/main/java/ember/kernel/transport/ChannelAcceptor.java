package ember.kernel.transport;

import ember.kernel.core.KernelDirectory;
import ember.kernel.core.ThreadNice;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The service's front door: listens on {@code DIR/ipc/ember.sock}, takes each client's OS account
 * from the connection's peer credentials (the operating system's word, not a file a client could
 * swap), enforces the per-account and total caps, runs the handshake, and makes the client's
 * channel: a shared-memory file in the service's private {@code ipc/channels} for the kernel's
 * own account, rings in the service's own memory for every other account. For those socket
 * clients it then moves frames between the socket and the rings.
 * <p>
 * Runs on its own thread ({@code ember-ipc-acceptor}), never on the core's: accepting, file
 * creation and socket I/O cost the core nothing. Channels reach the core through
 * {@link #accepted()}; the core wakes this thread with {@link #wakeup()} when it wrote replies
 * for socket clients or asks for a channel to be closed.
 */
final class ChannelAcceptor implements Runnable
{
    /** The acceptor thread's nice value (see {@link #run}). */
    static final int ACCEPTOR_NICE = 10;
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final int OUT_CAPACITY = 2 * (IpcLayout.FRAME_HEADER_LENGTH + IpcLayout.MAX_MESSAGE_LENGTH);

    /** The kernel's configured clock, epoch ms: hello deadlines are kernel time, like the server's. */
    private final java.util.function.LongSupplier nowMs;
    private final Runnable wakeCore;
    /** Where a shared-memory client's doorbell bytes are read (acceptor thread). */
    private final ByteBuffer doorbellSink = ByteBuffer.allocate(64);
    private final Path kernelDir;
    private final Path channelsDir;
    private final String ownAccount;
    private final int maxPerAccount;
    private final int maxTotal;
    private final Consumer<String> log;
    private final java.util.function.BiConsumer<String, Throwable> errors;
    private final ManyToOneConcurrentArrayQueue<IpcChannel> accepted = new ManyToOneConcurrentArrayQueue<>(1024);
    private final ManyToOneConcurrentArrayQueue<IpcChannel> ready;
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final Map<String, Integer> perAccount = new HashMap<>();
    private final Set<String> cappedAccounts = new HashSet<>();
    private final List<Connection> connections = new ArrayList<>();
    private final Selector selector;
    private final ServerSocketChannel server;
    private final Thread thread;
    private volatile boolean running = true;
    private long serials;
    private int total;

    /** One connection, owned by the acceptor thread. */
    private static final class Connection
    {
        final SocketChannel socket;
        final String account;
        final long acceptedAtMs;
        final ByteBuffer hello = ByteBuffer.allocate(IpcLayout.HELLO_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        SelectionKey key;
        IpcChannel channel;
        // Socket clients only.
        ByteBuffer in;
        UnsafeBuffer inView;
        ByteBuffer out;
        UnsafeBuffer outView;
        boolean stalled;
        boolean eof;

        Connection(final SocketChannel socket, final String account, final long acceptedAtMs)
        {
            this.socket = socket;
            this.account = account;
            this.acceptedAtMs = acceptedAtMs;
        }
    }

    /**
     * Bind the socket and start the thread.
     *
     * @param nowMs  the kernel's configured clock, epoch ms (thread-safe): the hello deadline.
     * @param log    where refusals and failures are written (thread-safe).
     * @param errors where unexpected errors go, with their stack traces (thread-safe).
     * @param wakeCore rings the core's doorbell (thread-safe): after work is handed to the core, and
     *                 for a shared-memory client that rang over its socket.
     * @throws IOException when the socket cannot be made.
     */
    ChannelAcceptor(
        final Path kernelDir, final String ownAccount, final int maxPerAccount, final int maxTotal,
        final java.util.function.LongSupplier nowMs,
        final Consumer<String> log, final java.util.function.BiConsumer<String, Throwable> errors,
        final Runnable wakeCore) throws IOException
    {
        this.wakeCore = wakeCore;
        this.nowMs = nowMs;
        this.errors = errors;
        this.kernelDir = kernelDir;
        this.channelsDir = IpcLayout.channelsDir(kernelDir);
        this.ownAccount = ownAccount;
        this.maxPerAccount = maxPerAccount;
        this.maxTotal = maxTotal;
        this.log = log;
        this.ready = new ManyToOneConcurrentArrayQueue<>(Math.max(1024, 2 * maxTotal)); // each channel at most once
        final Path socketFile = IpcLayout.socketFile(kernelDir);
        Files.deleteIfExists(socketFile); // left by a crashed service: we hold the kernel lock
        this.selector = Selector.open();
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socketFile), 256);
        // Any account may connect (connecting needs write permission on the socket); who it is
        // comes from the connection's peer credentials.
        Files.setPosixFilePermissions(socketFile, PosixFilePermissions.fromString("rw-rw-rw-"));
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        this.thread = new Thread(this, "ember-ipc-acceptor");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** @return channels handed to the core, in order of their handshakes (core thread polls). */
    ManyToOneConcurrentArrayQueue<IpcChannel> accepted()
    {
        return accepted;
    }

    /**
     * Socket channels with something for the core (frames delivered, replies taken so a backlog
     * may move, the connection lost): the core looks at these instead of every socket channel on
     * every duty cycle, so idle clients of other accounts cost it nothing. Each channel is in it
     * at most once ({@link IpcChannel#queued}).
     */
    ManyToOneConcurrentArrayQueue<IpcChannel> ready()
    {
        return ready;
    }

    /**
     * Any thread: the core must look at {@code channel}. A socket channel goes in the
     * {@link #ready()} queue unless it is there already (a shared-memory one is looked at on every
     * duty cycle); either way a parked core is woken.
     */
    void markReady(final IpcChannel channel)
    {
        if (channel == null)
        {
            return;
        }
        if (!channel.sharedMemory && !channel.queued.get() && channel.queued.compareAndSet(false, true))
        {
            ready.offer(channel); // cannot be full: it holds each channel at most once
        }
        wakeCore.run();
    }

    /** Any thread: make the acceptor look at its channels now. Coalesced: at most one system call per round. */
    void wakeup()
    {
        if (!wakeupPending.get() && wakeupPending.compareAndSet(false, true))
        {
            selector.wakeup();
        }
    }

    /** Stop the thread, close every connection, free every channel, remove the socket. */
    void close()
    {
        running = false;
        selector.wakeup();
        try
        {
            thread.join(5_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        for (final Connection connection : connections)
        {
            closeQuietly(connection.socket);
            if (connection.channel != null)
            {
                connection.channel.free();
            }
        }
        connections.clear(); // every channel still queued for the core belongs to one of them: freed above
        accepted.clear();
        closeQuietly(server);
        try
        {
            selector.close();
            Files.deleteIfExists(IpcLayout.socketFile(kernelDir));
        }
        catch (final IOException ignored)
        {
            // best effort
        }
    }

    @Override
    public void run()
    {
        // Below the core and the clients: under a connection flood on a small machine this
        // thread, not the core nor the callers, is the one that waits for the CPU; the flooder's
        // connects then wait for the full listen backlog, which throttles it.
        ThreadNice.lowerCurrentThread(ACCEPTOR_NICE, "ipc acceptor thread", log);
        while (running)
        {
            try
            {
                selector.select(anyStalled() ? 1 : 50);
                wakeupPending.set(false); // before pumping: a reply written from now on wakes the next select
                final Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext())
                {
                    final SelectionKey key = keys.next();
                    keys.remove();
                    if (!key.isValid())
                    {
                        continue;
                    }
                    if (key.isAcceptable())
                    {
                        acceptAll();
                    }
                    else
                    {
                        final Connection connection = (Connection)key.attachment();
                        if (key.isReadable())
                        {
                            onReadable(connection);
                        }
                        if (key.isValid() && key.isWritable())
                        {
                            flushOut(connection);
                        }
                    }
                }
                service(nowMs.getAsLong());
            }
            catch (final IOException | RuntimeException ex)
            {
                errors.accept("ipc acceptor: " + ex, ex); // its stack trace too, for ember errors
            }
        }
    }

    private boolean anyStalled()
    {
        for (int i = 0; i < connections.size(); i++)
        {
            if (connections.get(i).stalled)
            {
                return true;
            }
        }
        return false;
    }

    private void acceptAll() throws IOException
    {
        SocketChannel socket;
        while ((socket = server.accept()) != null)
        {
            final String account;
            try
            {
                socket.configureBlocking(false);
                account = socket.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED).user().getName();
            }
            catch (final IOException | RuntimeException ex)
            {
                closeQuietly(socket);
                continue;
            }
            final int count = perAccount.getOrDefault(account, 0);
            if (count >= maxPerAccount || total >= maxTotal)
            {
                final String reason = count >= maxPerAccount ?
                    "account " + account + " has " + count + " clients attached, the most one account may have" :
                    "the service has " + total + " clients attached, the most it takes";
                if (cappedAccounts.add(account))
                {
                    log.accept("refusing clients of account " + account + ": " + reason + " (logged once until it drops)");
                }
                answer(socket, IpcLayout.STATUS_REFUSED, reason);
                closeQuietly(socket);
                continue;
            }
            perAccount.put(account, count + 1);
            total++;
            final Connection connection = new Connection(socket, account, nowMs.getAsLong());
            connection.key = socket.register(selector, SelectionKey.OP_READ, connection);
            connections.add(connection);
        }
    }

    private void onReadable(final Connection connection)
    {
        try
        {
            if (connection.channel == null)
            {
                if (connection.socket.read(connection.hello) < 0)
                {
                    drop(connection);
                }
                else if (!connection.hello.hasRemaining())
                {
                    handshake(connection);
                }
                return;
            }
            if (connection.in == null || connection.eof)
            {
                // A shared-memory client sends nothing on its socket but doorbell bytes (at most one
                // per park of the core): anything else breaks the protocol.
                doorbellSink.clear();
                final int n = connection.socket.read(doorbellSink);
                if (n < 0)
                {
                    lost(connection, "connection closed");
                }
                else if (n > 0)
                {
                    for (int i = 0; i < n; i++)
                    {
                        if (doorbellSink.get(i) != IpcLayout.DOORBELL)
                        {
                            lost(connection, "unexpected bytes on a shared-memory client's socket");
                            return;
                        }
                    }
                    wakeCore.run();
                }
                return;
            }
            readFrames(connection);
        }
        catch (final IOException ex)
        {
            lost(connection, "connection failed: " + ex.getMessage());
        }
    }

    private void handshake(final Connection connection) throws IOException
    {
        final ByteBuffer hello = connection.hello;
        final int magic = hello.getInt(0);
        final int version = hello.getInt(4);
        final int mode = hello.getInt(8);
        final long osPid = hello.getLong(16);
        final boolean own = ownAccount.equals(connection.account);
        final String user = own ? ember.kernel.state.KernelState.ROOT : connection.account;
        String refusal = null;
        if (magic != IpcLayout.MAGIC || version != IpcLayout.VERSION)
        {
            refusal = "not an Ember client of this version (magic " + Integer.toHexString(magic) + ", version " + version + ")";
        }
        else if (mode != IpcLayout.MODE_SHARED_MEMORY && mode != IpcLayout.MODE_SOCKET)
        {
            refusal = "unknown mode " + mode;
        }
        else if (mode == IpcLayout.MODE_SHARED_MEMORY && !own)
        {
            refusal = "shared memory is only for the kernel's own account; account " + connection.account +
                " must use the socket mode";
        }
        else if (!USER.matcher(user).matches())
        {
            refusal = "account name " + connection.account + " is not a valid kernel user name";
        }
        if (refusal != null)
        {
            answer(connection.socket, IpcLayout.STATUS_REFUSED, refusal);
            drop(connection);
            return;
        }
        final long serial = ++serials;
        final IpcChannel channel;
        final String text;
        if (mode == IpcLayout.MODE_SHARED_MEMORY)
        {
            final Path file = channelsDir.resolve(UUID.randomUUID() + IpcLayout.CHANNEL_SUFFIX);
            final MappedByteBuffer mapped;
            try (FileChannel fc = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                PosixFilePermissions.asFileAttribute(KernelDirectory.PRIVATE_FILE)))
            {
                // Fully allocated, not sparse: a write into the mapping can never fault for lack of blocks.
                fc.write(ByteBuffer.allocate(IpcLayout.CHANNEL_FILE_LENGTH), 0);
                mapped = fc.map(FileChannel.MapMode.READ_WRITE, 0, IpcLayout.CHANNEL_FILE_LENGTH);
            }
            catch (final IOException ex)
            {
                Files.deleteIfExists(file);
                answer(connection.socket, IpcLayout.STATUS_REFUSED, "the service cannot make a channel: " + ex.getMessage());
                drop(connection);
                log.accept("cannot make a channel for account " + connection.account + ": " + ex);
                return;
            }
            final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, IpcLayout.HEADER_LENGTH);
            header.putInt(IpcLayout.HEADER_VERSION, IpcLayout.VERSION);
            header.putLong(IpcLayout.HEADER_OS_PID, osPid);
            header.putIntVolatile(IpcLayout.HEADER_MAGIC, IpcLayout.MAGIC);
            channel = new IpcChannel(serial, connection.account, user, file, mapped, osPid);
            text = file.toAbsolutePath().toString();
        }
        else
        {
            channel = new IpcChannel(serial, connection.account, user, null,
                ByteBuffer.allocateDirect(IpcLayout.CHANNEL_FILE_LENGTH), osPid);
            connection.in = ByteBuffer.allocateDirect(IpcLayout.FRAME_HEADER_LENGTH + IpcLayout.MAX_MESSAGE_LENGTH)
                .order(ByteOrder.LITTLE_ENDIAN);
            connection.inView = new UnsafeBuffer(connection.in);
            connection.out = ByteBuffer.allocateDirect(OUT_CAPACITY).order(ByteOrder.LITTLE_ENDIAN);
            connection.outView = new UnsafeBuffer(connection.out);
            text = "";
        }
        if (!answer(connection.socket, IpcLayout.STATUS_OK, text) || !accepted.offer(channel))
        {
            channel.free();
            drop(connection);
            return;
        }
        wakeCore.run(); // the core attaches it on its next duty cycle
        connection.channel = channel;
    }

    /** Socket clients: move whole frames from the socket into the request ring. */
    private void readFrames(final Connection connection) throws IOException
    {
        final ByteBuffer in = connection.in;
        if (connection.stalled)
        {
            return;
        }
        final int n = connection.socket.read(in);
        if (n < 0)
        {
            connection.eof = true;
        }
        deliverFrames(connection);
        if (connection.eof && !connection.stalled)
        {
            lost(connection, "connection closed");
        }
    }

    private void deliverFrames(final Connection connection)
    {
        final ByteBuffer in = connection.in;
        final IpcChannel channel = connection.channel;
        while (in.position() >= IpcLayout.FRAME_HEADER_LENGTH)
        {
            final int length = in.getInt(0);
            final int type = in.getInt(4);
            if (length < 0 || length > IpcLayout.MAX_MESSAGE_LENGTH)
            {
                lost(connection, "malformed frame: length " + length);
                return;
            }
            if (in.position() < IpcLayout.FRAME_HEADER_LENGTH + length)
            {
                break;
            }
            if (type <= 0)
            {
                lost(connection, "malformed frame: type " + type);
                return;
            }
            if (!channel.requests.write(type, connection.inView, IpcLayout.FRAME_HEADER_LENGTH, length))
            {
                setStalled(connection, true); // the core reads the ring: retried in a millisecond
                return;
            }
            in.flip();
            in.position(IpcLayout.FRAME_HEADER_LENGTH + length);
            in.compact();
            markReady(channel);
        }
        setStalled(connection, false);
    }

    private void setStalled(final Connection connection, final boolean stalled)
    {
        if (connection.stalled != stalled && connection.key.isValid())
        {
            connection.stalled = stalled;
            connection.key.interestOps(stalled ? connection.key.interestOps() & ~SelectionKey.OP_READ :
                connection.key.interestOps() | SelectionKey.OP_READ);
        }
    }

    /** Every round: stalled frames, replies to socket clients, handshake deadlines, closes the core asked for. */
    private void service(final long nowMs)
    {
        final Iterator<Connection> it = connections.iterator();
        while (it.hasNext())
        {
            final Connection connection = it.next();
            final IpcChannel channel = connection.channel;
            if (channel == null)
            {
                if (nowMs - connection.acceptedAtMs > IpcLayout.HELLO_TIMEOUT_MS)
                {
                    it.remove();
                    release(connection, "no handshake within " + IpcLayout.HELLO_TIMEOUT_MS + " ms");
                }
                continue;
            }
            if (connection.out != null)
            {
                if (connection.stalled)
                {
                    deliverFrames(connection);
                    if (connection.eof && !connection.stalled)
                    {
                        lost(connection, "connection closed");
                    }
                }
                pumpReplies(connection);
            }
            if (channel.closeRequested)
            {
                it.remove();
                release(connection, null);
            }
        }
    }

    /** Socket clients: move replies from the reply ring to the socket. */
    private void pumpReplies(final Connection connection)
    {
        final ByteBuffer out = connection.out;
        final IpcChannel channel = connection.channel;
        while (out.remaining() >= IpcLayout.FRAME_HEADER_LENGTH + IpcLayout.MAX_MESSAGE_LENGTH)
        {
            final int read = channel.replies.read((type, buffer, index, length) ->
            {
                final int p = out.position();
                connection.outView.putInt(p, length, ByteOrder.LITTLE_ENDIAN);
                connection.outView.putInt(p + 4, type, ByteOrder.LITTLE_ENDIAN);
                connection.outView.putBytes(p + IpcLayout.FRAME_HEADER_LENGTH, buffer, index, length);
                out.position(p + IpcLayout.FRAME_HEADER_LENGTH + length);
            }, 1);
            if (read == 0)
            {
                break;
            }
            if (channel.backlogged)
            {
                markReady(channel);
            }
        }
        flushOut(connection);
    }

    private void flushOut(final Connection connection)
    {
        final ByteBuffer out = connection.out;
        if (out == null || out.position() == 0)
        {
            return;
        }
        try
        {
            out.flip();
            connection.socket.write(out);
            out.compact();
        }
        catch (final IOException ex)
        {
            out.clear();
            lost(connection, "connection failed: " + ex.getMessage());
        }
        if (connection.key.isValid())
        {
            final int ops = connection.key.interestOps();
            connection.key.interestOps(out.position() > 0 ? ops | SelectionKey.OP_WRITE : ops & ~SelectionKey.OP_WRITE);
        }
    }

    /** The client is gone or broke the protocol: tell the core (which detaches it), read nothing more. */
    private void lost(final Connection connection, final String reason)
    {
        final IpcChannel channel = connection.channel;
        if (channel != null && channel.linkFailure == null)
        {
            channel.linkFailure = reason;
            markReady(channel);
        }
        if (connection.key.isValid())
        {
            connection.key.interestOps(connection.key.interestOps() & ~SelectionKey.OP_READ);
        }
        connection.stalled = false;
    }

    /** A connection that never became a channel. */
    private void drop(final Connection connection)
    {
        connections.remove(connection);
        release(connection, null);
    }

    private void release(final Connection connection, final String reason)
    {
        if (connection.channel != null && connection.out != null)
        {
            pumpReplies(connection); // the detach notice, if the client still reads
        }
        connection.key.cancel();
        closeQuietly(connection.socket);
        if (connection.channel != null)
        {
            connection.channel.free();
        }
        if (connection.in != null)
        {
            org.agrona.BufferUtil.free(connection.in); // as the channel's rings: not left to the GC
            org.agrona.BufferUtil.free(connection.out);
            connection.in = null;
            connection.out = null;
        }
        final int left = perAccount.merge(connection.account, -1, Integer::sum);
        if (left <= 0)
        {
            perAccount.remove(connection.account);
        }
        total--;
        if (left < maxPerAccount && total < maxTotal)
        {
            cappedAccounts.remove(connection.account);
        }
    }

    /** Write a handshake answer without blocking. @return false when it could not be written whole. */
    private static boolean answer(final SocketChannel socket, final int status, final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        final ByteBuffer buffer = ByteBuffer.allocate(8 + bytes.length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(status).putInt(bytes.length).put(bytes).flip();
        try
        {
            socket.write(buffer);
            return !buffer.hasRemaining();
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private static void closeQuietly(final java.io.Closeable closeable)
    {
        try
        {
            closeable.close();
        }
        catch (final IOException ignored)
        {
            // closing anyway
        }
    }
}
