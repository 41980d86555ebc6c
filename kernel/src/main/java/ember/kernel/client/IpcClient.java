package ember.kernel.client;

import ember.journal.PayloadCodec;
import ember.journal.RecordCodec;
import ember.journal.SyscallRecord;
import ember.kernel.core.KernelDirectory;
import ember.kernel.core.ProcessQuery;
import ember.kernel.transport.IpcLayout;
import ember.kernel.transport.ReplyCodec;
import ember.kernel.transport.ServiceBeacon;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.IoUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A client of an {@code ember serve} service on the same machine.
 * <p>
 * Thread-safe: any number of threads may issue syscalls at once; whichever waits reads the replies
 * for all (one reader at a time), and handler calls it finds go to a queue that {@link ClientBase}
 * drains under its dispatch lock, so each runs exactly once, in arrival order, one at a time.
 * <p>
 * It connects to the service's Unix-domain socket {@code DIR/ipc/ember.sock}; the service learns
 * the client's OS account from the connection itself. A client of the service's own account then
 * talks through a shared-memory channel of Agrona ring buffers that the service made for it
 * (lowest latency); a client of any other account sends its requests as frames on the socket and
 * gets its replies the same way, so it never shares memory with the service. Either way the
 * connection stays open while the client lives: when it ends, the service detaches the client,
 * and when the service goes away, every waiting call fails at once.
 * <p>
 * A waiting caller polls the reply ring itself; a daemon thread reads replies every
 * {@value IpcLayout#HEARTBEAT_INTERVAL_MS} ms / 2 while no caller does, so handler calls for an
 * idle client still arrive ({@link #runHandlers()} runs them).
 * <p>
 * The hot path (shared-memory mode) allocates nothing: a call claims its request's bytes in the
 * request ring and encodes the record in place ({@code tryClaim}/{@code commit}); its correlation
 * id comes from the ring ({@code nextCorrelationId}); each call frame of a thread has one
 * {@link Waiter}, registered once, which the reply reader finds by correlation id and fills.
 */
public final class IpcClient extends ClientBase
{
    /** How long a non-blocking syscall may take before the client gives up on the service. */
    public static final long ANSWER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    /** Requests one pipeline keeps in flight on the channel (a power of two). */
    static final int PIPELINE_CAPACITY = 1024;
    private static final long WAIT_SPINS = Long.getLong("ember.ipc.spins", 2_000);
    private static final long WAIT_YIELDS = Long.getLong("ember.ipc.yields", 20_000);
    private static final long WAIT_MAX_PARK_NS = Long.getLong("ember.ipc.maxParkNs", 200_000);
    private static final long SOCKET_MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final ThreadLocal<RecordCodec> CODECS = ThreadLocal.withInitial(RecordCodec::new);
    private static final ThreadLocal<ExpandableArrayBuffer> QUERY_BUFFERS =
        ThreadLocal.withInitial(() -> new ExpandableArrayBuffer(IpcLayout.QUERY_LENGTH));
    /** What a call's encoder writes: a record or a query, into a claimed slot or a socket frame. */
    private static final int ENCODE_RECORD = 0;
    private static final int ENCODE_QUERY = 1;

    private final Path kernelDir;
    private final SocketChannel socket;
    /** Shared-memory mode: the service's channel file, mapped; null in socket mode. */
    private final MappedByteBuffer mapped;
    /** Shared-memory mode: the request ring; null in socket mode. */
    private final ManyToOneRingBuffer requests;
    private final OneToOneRingBuffer replies;
    private final ReentrantLock readerLock = new ReentrantLock();
    private final Object socketWriteLock = new Object();
    /**
     * Shared-memory mode with a core that parks when idle: the service's beacon, where the core's
     * park sequence is read after each request; null otherwise (nothing to ring).
     */
    private final ServiceBeacon beacon;
    /** The park sequence this client last rang the doorbell for (at most one byte per park). */
    private volatile long rungForPark;
    /** The doorbell byte, written under {@link #socketWriteLock}. */
    private final ByteBuffer doorbell = ByteBuffer.allocate(1).put(0, IpcLayout.DOORBELL);
    /** Every waiter ever registered (one per call frame of a thread); copied on write, read by the reply reader. */
    private volatile Waiter[] waiters = new Waiter[0];
    /** The open pipelines, each with its own ring of waiters (copied on write: opened and closed rarely). */
    private volatile IpcPipeline[] pipelines = new IpcPipeline[0];
    /** Socket mode's correlation ids (shared-memory mode takes them from the request ring). */
    private final AtomicLong correlations = new AtomicLong();
    /** Calls between their closed check and their last touch of the rings: close waits for them. */
    private final java.util.concurrent.atomic.AtomicInteger active = new java.util.concurrent.atomic.AtomicInteger();
    /** Decodes the parameters of events in replies; used under {@link #readerLock} only. */
    private final PayloadCodec replyPayloads = new PayloadCodec();
    private final Thread poller;
    private final Thread link;
    private final org.agrona.concurrent.MessageHandler onReply = this::onReply;
    private volatile int clientId;
    private volatile String user;
    private volatile String detachedReason;
    private volatile boolean closed;

    /**
     * What one call frame waits with: the correlation id it waits for (0 while idle), and the
     * answer the reply reader writes into the frame's result. The frame's thread arms it, the
     * reader completes it ({@code done}, a volatile write after the result), the thread disarms it.
     */
    private static final class Waiter
    {
        /** Its own, copied to the frame's result once done: a late answer to an abandoned call cannot touch a later one. */
        final CallResult result = new CallResult();
        /** The calling thread, unparked when the answer is in (socket mode lets it park long). */
        final Thread thread = Thread.currentThread();
        final org.agrona.concurrent.BackoffIdleStrategy idle;
        /** The pieces of a result longer than one ring message, while they arrive (reader thread only). */
        ExpandableArrayBuffer parts;
        volatile long correlation;
        volatile String refusal;
        volatile boolean done;

        Waiter(final boolean socket)
        {
            // Spin for the lowest latency, then yield, then park: a long pullEvent must not burn a core.
            // In socket mode the link thread reads every reply and unparks its caller: park long.
            this.idle = new org.agrona.concurrent.BackoffIdleStrategy(
                WAIT_SPINS, WAIT_YIELDS, 1_000, socket ? SOCKET_MAX_PARK_NS : WAIT_MAX_PARK_NS);
        }

        /** Reader: the answer (or a refusal) is in. */
        void complete(final String refusal)
        {
            this.refusal = refusal;
            done = true;
            if (thread != Thread.currentThread())
            {
                java.util.concurrent.locks.LockSupport.unpark(thread); // a waiter reading its own reply is awake
            }
        }
    }

    private IpcClient(final Path kernelDir, final SocketChannel socket, final MappedByteBuffer mapped,
        final ByteBuffer replyMemory)
    {
        this.kernelDir = kernelDir;
        this.socket = socket;
        this.mapped = mapped;
        this.requests = mapped == null ? null : new ManyToOneRingBuffer(IpcLayout.requestRegion(mapped));
        this.replies = new OneToOneRingBuffer(IpcLayout.replyRegion(mapped == null ? replyMemory : mapped));
        this.beacon = mapped == null ? null : doorbellBeacon(kernelDir);
        this.poller = new Thread(this::pollLoop, "ember-ipc-poller");
        this.poller.setDaemon(true);
        this.link = new Thread(mapped == null ? this::socketReadLoop : this::watchLoop, "ember-ipc-link");
        this.link.setDaemon(true);
    }

    /**
     * Attach to the service running on {@code kernelDir}.
     *
     * @param timeoutMs how long to wait for the service to accept the client.
     * @throws EmberException when no service runs there, it cannot be reached, or it refuses the client.
     */
    public static IpcClient connect(final Path kernelDir, final long timeoutMs)
    {
        return connect(kernelDir, timeoutMs, false);
    }

    /**
     * Attach to the service running on {@code kernelDir} through the socket only, sharing no memory
     * with it even when this is the kernel's own account (what every other account gets).
     *
     * @param timeoutMs how long to wait for the service to accept the client.
     * @throws EmberException when no service runs there, it cannot be reached, or it refuses the client.
     */
    public static IpcClient connectOverSocket(final Path kernelDir, final long timeoutMs)
    {
        return connect(kernelDir, timeoutMs, true);
    }

    private static IpcClient connect(final Path kernelDir, final long timeoutMs, final boolean socketOnly)
    {
        final Path socketFile = IpcLayout.socketFile(kernelDir);
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        SocketChannel socket = null;
        MappedByteBuffer mapped = null;
        IpcClient client = null;
        try
        {
            socket = SocketChannel.open(StandardProtocolFamily.UNIX);
            try
            {
                socket.connect(UnixDomainSocketAddress.of(socketFile));
            }
            catch (final IOException ex)
            {
                throw new EmberException(unreachable(kernelDir, ex));
            }
            final boolean own = !socketOnly && KernelDirectory.uidOf(socketFile) == KernelDirectory.ownUid();
            final ByteBuffer hello = ByteBuffer.allocate(IpcLayout.HELLO_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
            hello.putInt(IpcLayout.MAGIC).putInt(IpcLayout.VERSION)
                .putInt(own ? IpcLayout.MODE_SHARED_MEMORY : IpcLayout.MODE_SOCKET).putInt(0)
                .putLong(ProcessHandle.current().pid()).flip();
            try
            {
                while (hello.hasRemaining())
                {
                    socket.write(hello);
                }
            }
            catch (final IOException ex)
            {
                // A service that refuses at once (a cap) answers and closes before reading the hello:
                // its answer says why.
            }
            final String answer = readAnswer(socket, kernelDir, deadline);
            if (own)
            {
                final Path file = Path.of(answer);
                if (!file.startsWith(IpcLayout.channelsDir(kernelDir).toAbsolutePath()) ||
                    KernelDirectory.uidOf(file) != KernelDirectory.ownUid())
                {
                    throw new EmberException("the service on " + kernelDir + " offered a channel outside its directory");
                }
                mapped = IoUtil.mapExistingFile(file.toFile(), "ember channel");
                client = new IpcClient(kernelDir, socket, mapped, null);
            }
            else
            {
                client = new IpcClient(kernelDir, socket, null, ByteBuffer.allocateDirect(IpcLayout.CHANNEL_FILE_LENGTH));
            }
            client.link.start();
            client.awaitAttached(deadline);
            client.poller.start();
            return client;
        }
        catch (final IOException ex)
        {
            abandon(client, socket, mapped);
            throw new EmberException("cannot attach to the Ember service on " + kernelDir + ": " + KernelDirectory.describe(ex));
        }
        catch (final RuntimeException ex)
        {
            abandon(client, socket, mapped);
            throw ex instanceof EmberException e ? e : new EmberException("cannot attach to the Ember service on " +
                kernelDir + ": " + ex);
        }
    }

    /** A failed connect: stop the client's threads before its mapping goes. */
    private static void abandon(final IpcClient client, final SocketChannel socket, final MappedByteBuffer mapped)
    {
        if (client != null)
        {
            client.shutDown();
            return;
        }
        closeQuietly(socket);
        IpcLayout.unmap(mapped);
    }

    private static String unreachable(final Path kernelDir, final IOException ex)
    {
        final String message = String.valueOf(ex.getMessage());
        if (message.contains("ermission denied"))
        {
            return "cannot reach the Ember service on " + kernelDir + ": permission denied";
        }
        return "no Ember service is running on " + kernelDir;
    }

    /** Read the handshake answer: the text on success; a refusal throws. */
    private static String readAnswer(final SocketChannel socket, final Path kernelDir, final long deadline)
        throws IOException
    {
        socket.configureBlocking(false);
        try
        {
            final ByteBuffer head = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(socket, head, kernelDir, deadline);
            final int status = head.getInt(0);
            final int length = head.getInt(4);
            if (length < 0 || length > 64 * 1024)
            {
                throw new EmberException("the service on " + kernelDir + " answered garbage");
            }
            final ByteBuffer text = ByteBuffer.allocate(length);
            readFully(socket, text, kernelDir, deadline);
            final String answer = new String(text.array(), StandardCharsets.UTF_8);
            if (status != IpcLayout.STATUS_OK)
            {
                throw new EmberException("the service on " + kernelDir + " refused the client: " + answer);
            }
            return answer;
        }
        finally
        {
            socket.configureBlocking(true);
        }
    }

    private static void readFully(final SocketChannel socket, final ByteBuffer buffer, final Path kernelDir,
        final long deadline) throws IOException
    {
        while (buffer.hasRemaining())
        {
            final int n = socket.read(buffer);
            if (n < 0)
            {
                throw new EmberException("the Ember service on " + kernelDir + " closed the connection");
            }
            if (n == 0)
            {
                if (System.nanoTime() > deadline)
                {
                    throw new EmberException("the Ember service on " + kernelDir + " did not answer the handshake");
                }
                try
                {
                    Thread.sleep(1);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    throw new EmberException("interrupted");
                }
            }
        }
    }

    /** @return the client id the journal knows this client by. */
    public int clientId()
    {
        return clientId;
    }

    /** @return the kernel user the service mapped this client's OS account to. */
    public String user()
    {
        return user;
    }

    /** @return true when this client shares memory with the service (the kernel's own account). */
    public boolean sharedMemory()
    {
        return mapped != null;
    }

    private void awaitAttached(final long deadline)
    {
        while (clientId == 0)
        {
            pollReplies();
            if (detachedReason != null)
            {
                throw new EmberException("the service refused the client: " + detachedReason);
            }
            if (System.nanoTime() > deadline)
            {
                throw new EmberException("the Ember service on " + kernelDir + " did not accept the client in time");
            }
            Thread.onSpinWait();
        }
    }

    @Override
    protected void invoke(final CallFrame frame, final boolean mayWait)
    {
        active.incrementAndGet();
        try
        {
            checkUsable();
            final SyscallRecord record = frame.record;
            final int length = RecordCodec.encodedLength(record);
            if (length > IpcLayout.MAX_MESSAGE_LENGTH)
            {
                throw new EmberException("Payload too large");
            }
            await(frame, IpcLayout.MSG_SYSCALL, ENCODE_RECORD, null, length, mayWait);
        }
        finally
        {
            active.decrementAndGet();
        }
    }

    @Override
    protected void query(final CallFrame frame, final ProcessQuery query, final long pid)
    {
        active.incrementAndGet();
        try
        {
            checkUsable();
            await(frame, IpcLayout.MSG_QUERY, ENCODE_QUERY, query, IpcLayout.QUERY_LENGTH, false);
        }
        finally
        {
            active.decrementAndGet();
        }
    }

    private void checkUsable()
    {
        if (closed)
        {
            throw new EmberException("client closed");
        }
        if (detachedReason != null)
        {
            throw new EmberException("detached by the service: " + detachedReason);
        }
    }

    /** @return the frame's waiter, registered with the reply reader on the frame's first call. */
    private Waiter waiter(final CallFrame frame)
    {
        if (frame.transport instanceof Waiter waiter)
        {
            return waiter;
        }
        final Waiter waiter = new Waiter(requests == null);
        synchronized (this)
        {
            // Copied on write (rare: a thread's first call at a depth); the waiters of threads that
            // ended go, so a client used by short-lived threads does not accumulate them.
            final Waiter[] old = waiters;
            final Waiter[] all = new Waiter[old.length + 1];
            int n = 0;
            for (final Waiter w : old)
            {
                if (w.thread.isAlive() || w.correlation != 0)
                {
                    all[n++] = w;
                }
            }
            all[n++] = waiter;
            waiters = java.util.Arrays.copyOf(all, n);
        }
        frame.transport = waiter;
        return waiter;
    }

    /** @return the armed waiter of {@code correlation}, or null (an answer nobody waits for any more). */
    private Waiter waiterOf(final long correlation)
    {
        for (final Waiter waiter : waiters)
        {
            if (waiter.correlation == correlation)
            {
                return waiter;
            }
        }
        return null;
    }

    /** Send one request (encoded from the frame) and wait for the reply that carries its correlation id. */
    private void await(
        final CallFrame frame, final int type, final int what, final ProcessQuery query, final int length,
        final boolean mayWait)
    {
        final Waiter wait = waiter(frame);
        // Never 0, which marks an idle waiter (the ring's counter starts there).
        final long correlation = requests != null ? requests.nextCorrelationId() + 1 : correlations.incrementAndGet();
        wait.done = false;
        wait.refusal = null;
        wait.parts = null;
        wait.correlation = correlation; // armed: from here on the reader may complete it
        try
        {
            if (detachedReason != null || closed)
            {
                checkUsable(); // lost before armed: lose() did not see this waiter
            }
            final long deadline = mayWait ? Long.MAX_VALUE : System.nanoTime() + ANSWER_TIMEOUT_NS;
            send(type, frame.record, what, query, correlation, length, deadline);
            awaitAnswer(wait, deadline);
            final CallResult answer = wait.result;
            final CallResult result = frame.result;
            result.present = answer.present;
            result.number = answer.number;
            result.value = answer.value;
            result.error = answer.error;
            answer.value = null; // the answer's objects belong to the caller now
        }
        finally
        {
            wait.correlation = 0;
            if (!wait.done)
            {
                frame.transport = null; // abandoned (timeout, service gone): its answer may still come, to this waiter only
            }
        }
    }

    /** Encode the request at {@code index} of {@code buffer}: the record (its index carries the correlation id) or the query. */
    private static void encode(
        final MutableDirectBuffer buffer, final int index, final SyscallRecord record, final int what,
        final ProcessQuery query, final long correlation)
    {
        if (what == ENCODE_RECORD)
        {
            record.index = correlation;
            CODECS.get().encode(record, buffer, index);
        }
        else
        {
            buffer.putLong(index, correlation);
            buffer.putByte(index + 8, query.code());
            buffer.putLong(index + 9, record.pid);
        }
    }

    private void send(
        final int type, final SyscallRecord record, final int what, final ProcessQuery query, final long correlation,
        final int length, final long deadline)
    {
        if (requests != null)
        {
            int index;
            while ((index = requests.tryClaim(type, length)) < 0)
            {
                checkAlive(deadline);
                // The service may be holding our requests back until we read replies (a pipeline
                // sends many before it reads any): read them, so a full ring always drains.
                pollReplies();
                Thread.onSpinWait();
            }
            try
            {
                encode(requests.buffer(), index, record, what, query, correlation);
            }
            catch (final RuntimeException ex)
            {
                requests.abort(index);
                throw ex;
            }
            requests.commit(index);
            ringIfParked();
            return;
        }
        final ExpandableArrayBuffer scratch = QUERY_BUFFERS.get();
        scratch.checkLimit(length);
        encode(scratch, 0, record, what, query, correlation);
        sendFrame(type, scratch, length);
    }

    /** @return the beacon of the service on {@code kernelDir} when its core must be rung, else null. */
    private static ServiceBeacon doorbellBeacon(final Path kernelDir)
    {
        final ServiceBeacon found = ServiceBeacon.open(kernelDir);
        if (found != null && !found.doorbellUsed())
        {
            found.close();
            return null;
        }
        return found; // none: the core still wakes by itself at the end of each park
    }

    /**
     * Shared-memory mode, after a request's commit: when the core is parked (or about to park)
     * for a park this client has not rung for yet, write one doorbell byte on the socket; the
     * service's acceptor thread wakes the core ({@code CoreDoorbell}'s protocol: the fence orders
     * the commit before the read of the park sequence).
     */
    private void ringIfParked()
    {
        if (beacon == null)
        {
            return;
        }
        java.lang.invoke.VarHandle.fullFence();
        final long park = beacon.coreParkSequence();
        if (park == 0 || park == rungForPark ||
            beacon.coreParkEndNs() - System.nanoTime() <= IpcLayout.RING_WHEN_PARK_LEFT_NS)
        {
            return; // running, rung for already, or up again by itself about as soon as a ring would wake it
        }
        rungForPark = park;
        try
        {
            synchronized (socketWriteLock)
            {
                doorbell.clear();
                socket.write(doorbell);
            }
        }
        catch (final IOException ex)
        {
            // The connection is gone: the link thread's read ends and reports it; the call's wait sees it.
        }
    }

    /** Socket mode: one frame on the socket (a copy: the socket needs its own buffer). */
    private void sendFrame(final int type, final DirectBuffer buffer, final int length)
    {
        final ByteBuffer frame = ByteBuffer.allocate(IpcLayout.FRAME_HEADER_LENGTH + length).order(ByteOrder.LITTLE_ENDIAN);
        frame.putInt(length).putInt(type);
        buffer.getBytes(0, frame, IpcLayout.FRAME_HEADER_LENGTH, length);
        frame.limit(IpcLayout.FRAME_HEADER_LENGTH + length).position(0);
        try
        {
            synchronized (socketWriteLock)
            {
                while (frame.hasRemaining())
                {
                    socket.write(frame);
                }
            }
        }
        catch (final IOException ex)
        {
            lose("the service went away");
            throw new EmberException("the Ember service on " + kernelDir + " went away");
        }
    }

    /**
     * Poll replies until {@code wait} is answered, checking the service is alive while none come.
     *
     * @throws EmberException with the refusal the service sent instead of an answer, or when it is
     *     gone or {@code deadline} (System.nanoTime) passed.
     */
    private void awaitAnswer(final Waiter wait, final long deadline)
    {
        final org.agrona.concurrent.BackoffIdleStrategy idle = wait.idle;
        idle.reset();
        while (!wait.done)
        {
            final int read = pollReplies();
            if (read == 0)
            {
                checkAlive(deadline);
            }
            idle.idle(read);
        }
        if (wait.refusal != null)
        {
            throw new EmberException(wait.refusal);
        }
    }

    private void checkAlive(final long deadline)
    {
        if (detachedReason != null)
        {
            throw new EmberException(detachedReason.equals("the service went away") ?
                "the Ember service on " + kernelDir + " went away" : "detached by the service: " + detachedReason);
        }
        if (System.nanoTime() > deadline)
        {
            throw new EmberException("the Ember service did not answer within 30 s");
        }
    }

    /** Read the replies that are there, if no other thread is reading. @return how many. */
    private int pollReplies()
    {
        if (!readerLock.tryLock())
        {
            return 0;
        }
        try
        {
            return closed ? 0 : replies.read(onReply); // after close the ring may be unmapped
        }
        finally
        {
            readerLock.unlock();
        }
    }

    private void onReply(final int type, final MutableDirectBuffer buffer, final int index, final int length)
    {
        switch (type)
        {
            case IpcLayout.MSG_RESULT:
            {
                final long correlation = ReplyCodec.correlation(buffer, index);
                final Waiter wait = waiterOf(correlation);
                if (wait != null)
                {
                    wait.complete(ReplyCodec.decode(buffer, index, wait.result, replyPayloads));
                    break;
                }
                for (final IpcPipeline pipeline : pipelines)
                {
                    final Waiter pipelined = pipeline.match(correlation);
                    if (pipelined != null)
                    {
                        pipelined.complete(ReplyCodec.decode(buffer, index, pipelined.result, replyPayloads));
                        pipeline.advance();
                        break;
                    }
                }
                break;
            }
            case IpcLayout.MSG_RESULT_PART:
            {
                final long correlation = buffer.getLong(index);
                Waiter wait = waiterOf(correlation);
                IpcPipeline owner = null;
                for (int i = 0; wait == null && i < pipelines.length; i++)
                {
                    owner = pipelines[i];
                    wait = owner.match(correlation);
                }
                if (wait == null)
                {
                    break;
                }
                final int total = buffer.getInt(index + 8);
                final int offset = buffer.getInt(index + 12);
                final int n = length - IpcLayout.RESULT_PART_HEADER;
                if (wait.parts == null)
                {
                    wait.parts = new ExpandableArrayBuffer(total);
                }
                wait.parts.putBytes(offset, buffer, index + IpcLayout.RESULT_PART_HEADER, n);
                if (offset + n >= total)
                {
                    final String refusal = ReplyCodec.decode(wait.parts, 0, wait.result, replyPayloads);
                    wait.parts = null;
                    wait.complete(refusal);
                    if (owner != null)
                    {
                        owner.advance();
                    }
                }
                break;
            }
            case IpcLayout.MSG_HANDLER:
                handlerCallReceived(buffer.getLong(index), buffer.getLong(index + 8));
                break;
            case IpcLayout.MSG_ATTACHED:
                user = buffer.getStringUtf8(index + 4);
                clientId = buffer.getInt(index);
                break;
            case IpcLayout.MSG_DETACHED:
                lose(buffer.getStringUtf8(index));
                break;
            default:
                break;
        }
    }

    private void lose(final String reason)
    {
        if (detachedReason == null)
        {
            detachedReason = reason;
        }
        final String message = reason.equals("the service went away") ?
            "the Ember service on " + kernelDir + " went away" : "detached by the service: " + reason;
        for (final Waiter wait : waiters)
        {
            if (wait.correlation != 0)
            {
                wait.complete(message);
            }
        }
        for (final IpcPipeline pipeline : pipelines)
        {
            pipeline.failAll(message);
        }
    }

    /** Shared-memory mode: the socket carries nothing; its end means the service is gone. */
    private void watchLoop()
    {
        final ByteBuffer sink = ByteBuffer.allocate(64);
        try
        {
            while (!closed && socket.read(sink) >= 0)
            {
                sink.clear();
            }
        }
        catch (final IOException ignored)
        {
            // closed
        }
        serviceGone();
    }

    /** Socket mode: move reply frames from the socket into the local reply ring. */
    private void socketReadLoop()
    {
        final ByteBuffer frame = ByteBuffer.allocateDirect(IpcLayout.FRAME_HEADER_LENGTH + IpcLayout.MAX_MESSAGE_LENGTH)
            .order(ByteOrder.LITTLE_ENDIAN);
        final UnsafeBuffer view = new UnsafeBuffer(frame);
        try
        {
            while (!closed)
            {
                frame.clear().limit(IpcLayout.FRAME_HEADER_LENGTH);
                if (!readFully(frame))
                {
                    break;
                }
                final int length = frame.getInt(0);
                final int type = frame.getInt(4);
                if (length < 0 || length > IpcLayout.MAX_MESSAGE_LENGTH || type <= 0)
                {
                    break; // not our service's framing
                }
                frame.limit(IpcLayout.FRAME_HEADER_LENGTH + length);
                if (!readFully(frame))
                {
                    break;
                }
                while (!replies.write(type, view, IpcLayout.FRAME_HEADER_LENGTH, length))
                {
                    if (closed)
                    {
                        return;
                    }
                    pollReplies(); // nobody waits: make room ourselves
                    Thread.onSpinWait();
                }
                pollReplies(); // hand the reply to its caller now (unparked), not at its next poll
            }
        }
        catch (final IOException ignored)
        {
            // closed or broken: the service is gone for us
        }
        serviceGone();
    }

    private boolean readFully(final ByteBuffer buffer) throws IOException
    {
        while (buffer.hasRemaining())
        {
            if (socket.read(buffer) < 0)
            {
                return false;
            }
        }
        return true;
    }

    private void serviceGone()
    {
        if (!closed)
        {
            pollReplies(); // a detach notice may be waiting in the ring
            lose("the service went away");
        }
    }

    private void pollLoop()
    {
        while (!closed)
        {
            pollReplies();
            try
            {
                Thread.sleep(IpcLayout.HEARTBEAT_INTERVAL_MS / 2);
            }
            catch (final InterruptedException ex)
            {
                return;
            }
        }
    }

    @Override
    PipelineLink openPipelineLink()
    {
        final IpcPipeline pipeline = new IpcPipeline();
        synchronized (this)
        {
            final IpcPipeline[] old = pipelines;
            final IpcPipeline[] all = java.util.Arrays.copyOf(old, old.length + 1);
            all[old.length] = pipeline;
            pipelines = all;
        }
        return pipeline;
    }

    /**
     * One pipeline's requests in flight on this client's channel: a ring of waiters indexed by the
     * call's sequence. The pipeline's thread arms a waiter and publishes it ({@link #tail}) before
     * the request is sent; whichever thread reads the replies (under the reader lock) matches them
     * from {@link #next}, the oldest unanswered — the service answers a channel's requests in
     * order, so that is almost always the one.
     */
    private final class IpcPipeline implements PipelineLink
    {
        private final Waiter[] slots = new Waiter[PIPELINE_CAPACITY];
        /** Calls published: written by the pipeline's thread. */
        private volatile long tail;
        /** The oldest call not answered yet: the reader's, under the reader lock. */
        private long next;

        IpcPipeline()
        {
            for (int i = 0; i < slots.length; i++)
            {
                slots[i] = new Waiter(requests == null);
            }
        }

        @Override
        public int capacity()
        {
            return PIPELINE_CAPACITY;
        }

        @Override
        public void issue(final PipelinedCall<?> call)
        {
            final Waiter wait = slots[(int)(call.sequence & (PIPELINE_CAPACITY - 1))];
            wait.done = false;
            wait.refusal = null;
            wait.parts = null;
            wait.result.clear();
            active.incrementAndGet();
            try
            {
                checkUsable();
                final int length = RecordCodec.encodedLength(call.record);
                if (length > IpcLayout.MAX_MESSAGE_LENGTH)
                {
                    throw new EmberException("Payload too large");
                }
                final long correlation = requests != null ? requests.nextCorrelationId() + 1 : correlations.incrementAndGet();
                wait.correlation = correlation;
                tail = call.sequence + 1; // published: from here on the reader may complete it
                if (detachedReason != null || closed)
                {
                    checkUsable(); // lost before published: lose() did not see this waiter
                }
                send(IpcLayout.MSG_SYSCALL, call.record, ENCODE_RECORD, null, correlation, length,
                    System.nanoTime() + ANSWER_TIMEOUT_NS);
            }
            catch (final RuntimeException ex)
            {
                wait.correlation = 0;
                wait.done = true; // no answer will come: the reader must not wait for it
                tail = Math.max(tail, call.sequence + 1);
                throw ex instanceof EmberException e ? e : new EmberException(String.valueOf(ex.getMessage()));
            }
            finally
            {
                active.decrementAndGet();
            }
        }

        @Override
        public void await(final PipelinedCall<?> call)
        {
            final Waiter wait = slots[(int)(call.sequence & (PIPELINE_CAPACITY - 1))];
            final long deadline = System.nanoTime() + ANSWER_TIMEOUT_NS;
            try
            {
                awaitAnswer(wait, deadline);
                copy(wait.result, call.result);
            }
            finally
            {
                wait.correlation = 0;
            }
        }

        /** Reader, under the reader lock: the armed waiter of {@code correlation}, or null. */
        Waiter match(final long correlation)
        {
            for (long i = next, t = tail; i < t; i++)
            {
                final Waiter wait = slots[(int)(i & (PIPELINE_CAPACITY - 1))];
                if (!wait.done && wait.correlation == correlation)
                {
                    return wait;
                }
            }
            return null;
        }

        /** Reader, under the reader lock: move past the answered calls. */
        void advance()
        {
            final long t = tail;
            while (next < t && slots[(int)(next & (PIPELINE_CAPACITY - 1))].done)
            {
                next++;
            }
        }

        /** The channel is gone: every armed waiter fails with {@code message}. */
        void failAll(final String message)
        {
            for (final Waiter wait : slots)
            {
                if (wait.correlation != 0 && !wait.done)
                {
                    wait.complete(message);
                }
            }
        }

        @Override
        public void close()
        {
            synchronized (IpcClient.this)
            {
                final IpcPipeline[] old = pipelines;
                final IpcPipeline[] all = new IpcPipeline[old.length];
                int n = 0;
                for (final IpcPipeline p : old)
                {
                    if (p != this)
                    {
                        all[n++] = p;
                    }
                }
                pipelines = java.util.Arrays.copyOf(all, n);
            }
        }
    }

    /** Pull in replies that arrived while idle, then run pending handler calls. */
    @Override
    public int runHandlers()
    {
        pollReplies();
        return super.runHandlers();
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        if (detachedReason == null)
        {
            try
            {
                sendDetach(System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                while (detachedReason == null && System.nanoTime() < deadline)
                {
                    if (pollReplies() == 0)
                    {
                        Thread.yield();
                    }
                }
            }
            catch (final EmberException ignored)
            {
                // the service is gone already
            }
        }
        shutDown();
    }

    /** Send the empty {@code MSG_DETACH} request. */
    private void sendDetach(final long deadline)
    {
        final ExpandableArrayBuffer empty = new ExpandableArrayBuffer(8);
        if (requests != null)
        {
            while (!requests.write(IpcLayout.MSG_DETACH, empty, 0, 0))
            {
                checkAlive(deadline);
                Thread.onSpinWait();
            }
            return;
        }
        sendFrame(IpcLayout.MSG_DETACH, empty, 0);
    }

    /** Stop both threads, then unmap: no thread may touch the rings once the mapping is gone. */
    private void shutDown()
    {
        readerLock.lock();
        try
        {
            closed = true;
        }
        finally
        {
            readerLock.unlock();
        }
        for (final Waiter wait : waiters)
        {
            if (wait.correlation != 0)
            {
                wait.complete("client closed");
            }
        }
        for (final IpcPipeline pipeline : pipelines)
        {
            pipeline.failAll("client closed");
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (active.get() > 0 && System.nanoTime() < deadline)
        {
            Thread.yield(); // calls of other threads leave the rings
        }
        poller.interrupt();
        closeQuietly(socket); // ends the link thread's read
        join(poller);
        join(link);
        readerLock.lock();
        try
        {
            IpcLayout.unmap(mapped);
            if (beacon != null)
            {
                beacon.close();
            }
        }
        finally
        {
            readerLock.unlock();
        }
    }

    private static void join(final Thread thread)
    {
        try
        {
            if (thread.isAlive())
            {
                thread.join(2_000);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(final SocketChannel socket)
    {
        if (socket != null)
        {
            try
            {
                socket.close();
            }
            catch (final IOException ignored)
            {
                // closing anyway
            }
        }
    }
}
