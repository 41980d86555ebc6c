package ember.kernel.client;

import ember.journal.RecordCodec;
import ember.journal.SyscallRecord;
import ember.kernel.core.HandlerCall;
import ember.kernel.state.SyscallResult;
import ember.kernel.transport.IpcLayout;
import ember.kernel.transport.ReplyCodec;
import ember.kernel.transport.ServiceBeacon;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A client of an {@code ember serve} service on the same machine, through a channel file of
 * Agrona ring buffers that this client creates (mode 0600) in {@code DIR/ipc/clients}: the
 * service takes the file's owner as the client's identity. Thread-safe.
 * <p>
 * A waiting caller polls the reply ring itself (lowest latency); a daemon thread heart-beats
 * every {@value IpcLayout#HEARTBEAT_INTERVAL_MS} ms and reads replies while no caller does, so
 * handler calls for an idle client still arrive ({@link #runHandlers()} runs them).
 */
public final class IpcClient extends ClientBase
{
    /** How long a non-blocking syscall may take before the client gives up on the service. */
    public static final long ANSWER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final long WAIT_SPINS = Long.getLong("ember.ipc.spins", 2_000);
    private static final long WAIT_YIELDS = Long.getLong("ember.ipc.yields", 20_000);
    private static final long WAIT_MAX_PARK_NS = Long.getLong("ember.ipc.maxParkNs", 200_000);
    private static final ThreadLocal<RecordCodec> CODECS = ThreadLocal.withInitial(RecordCodec::new);

    private final Path kernelDir;
    private final ServiceBeacon beacon;
    private long nextAliveCheckMs;
    private final Path file;
    private final MappedByteBuffer mapped;
    private final ManyToOneRingBuffer requests;
    private final OneToOneRingBuffer replies;
    private final ReentrantLock readerLock = new ReentrantLock();
    private final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<HandlerCall> handlerCalls = new ConcurrentLinkedQueue<>();
    private final AtomicLong correlations = new AtomicLong();
    private final Thread heartbeat;
    private final org.agrona.concurrent.MessageHandler onReply = this::onReply;
    private volatile int clientId;
    private volatile String user;
    private volatile String detachedReason;
    private volatile boolean closed;

    private static final class Pending
    {
        final SyscallResult result = new SyscallResult();
        volatile String refusal;
        volatile boolean done;
    }

    private IpcClient(final Path kernelDir, final Path file, final MappedByteBuffer mapped, final ServiceBeacon beacon)
    {
        this.kernelDir = kernelDir;
        this.beacon = beacon;
        this.file = file;
        this.mapped = mapped;
        this.requests = new ManyToOneRingBuffer(IpcLayout.requestRegion(mapped));
        this.replies = new OneToOneRingBuffer(IpcLayout.replyRegion(mapped));
        this.heartbeat = new Thread(this::heartbeatLoop, "ember-ipc-heartbeat");
        this.heartbeat.setDaemon(true);
    }

    /**
     * Attach to the service running on {@code kernelDir}.
     *
     * @param timeoutMs how long to wait for the service to accept the channel.
     * @throws EmberException when no service runs there or it does not accept the client.
     */
    public static IpcClient connect(final Path kernelDir, final long timeoutMs)
    {
        final ServiceBeacon beacon = ServiceBeacon.open(kernelDir);
        if (beacon == null || !beacon.alive(System.currentTimeMillis()))
        {
            if (beacon != null)
            {
                beacon.close();
            }
            throw new EmberException("no Ember service is running on " + kernelDir);
        }
        IpcLayout.NewChannel channel = null;
        try
        {
            channel = IpcLayout.createChannel(kernelDir);
            final IpcClient client = new IpcClient(kernelDir, channel.file(), channel.mapped(), beacon);
            client.replies.consumerHeartbeatTime(System.currentTimeMillis());
            channel.publish();
            client.awaitAttached(timeoutMs);
            client.heartbeat.start();
            return client;
        }
        catch (final IOException ex)
        {
            beacon.close();
            throw new EmberException("cannot create a channel in " + IpcLayout.clientsDir(kernelDir) + ": " + ex.getMessage());
        }
        catch (final EmberException ex)
        {
            beacon.close();
            if (channel != null)
            {
                IpcLayout.unmap(channel.mapped());
                deleteQuietly(channel.file());
            }
            throw ex;
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

    private void awaitAttached(final long timeoutMs)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (clientId == 0)
        {
            pollReplies();
            if (detachedReason != null)
            {
                throw new EmberException("the service refused the client: " + detachedReason);
            }
            if (System.nanoTime() > deadline)
            {
                throw new EmberException("the Ember service on " + kernelDir + " did not accept the client within " +
                    timeoutMs + " ms");
            }
            Thread.onSpinWait();
        }
    }

    @Override
    protected SyscallResult invoke(final SyscallRecord record, final boolean mayWait)
    {
        if (closed)
        {
            throw new EmberException("client closed");
        }
        if (detachedReason != null)
        {
            throw new EmberException("detached by the service: " + detachedReason);
        }
        final long correlation = correlations.incrementAndGet();
        record.index = correlation;
        final RecordCodec codec = CODECS.get();
        final int length = codec.encode(record);
        if (length > requests.maxMsgLength())
        {
            throw new EmberException("Payload too large");
        }
        final Pending wait = new Pending();
        pending.put(correlation, wait);
        try
        {
            final long deadline = mayWait ? Long.MAX_VALUE : System.nanoTime() + ANSWER_TIMEOUT_NS;
            while (!requests.write(IpcLayout.MSG_SYSCALL, codec.frameBuffer(), 0, length))
            {
                checkAlive(deadline);
                Thread.onSpinWait();
            }
            // Spin for the lowest latency, then yield, then park: a long pullEvent must not burn a core.
            final org.agrona.concurrent.BackoffIdleStrategy idle =
                new org.agrona.concurrent.BackoffIdleStrategy(WAIT_SPINS, WAIT_YIELDS, 1_000, WAIT_MAX_PARK_NS);
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
            return wait.result;
        }
        finally
        {
            pending.remove(correlation);
        }
    }

    private void checkAlive(final long deadline)
    {
        if (detachedReason != null)
        {
            throw new EmberException("detached by the service: " + detachedReason);
        }
        if (System.nanoTime() > deadline)
        {
            throw new EmberException("the Ember service did not answer within 30 s");
        }
        final long nowMs = System.currentTimeMillis();
        if (nowMs < nextAliveCheckMs)
        {
            return;
        }
        nextAliveCheckMs = nowMs + 10;
        if (!beacon.alive(nowMs))
        {
            detachedReason = "the service went away";
            throw new EmberException("the Ember service on " + kernelDir + " went away");
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
            return replies.read(onReply);
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
                final Pending wait = pending.get(ReplyCodec.correlation(buffer, index));
                if (wait != null)
                {
                    wait.refusal = ReplyCodec.decode(buffer, index, wait.result);
                    wait.done = true;
                }
                break;
            }
            case IpcLayout.MSG_HANDLER:
                handlerCalls.add(new HandlerCall(buffer.getLong(index), buffer.getLong(index + 8)));
                break;
            case IpcLayout.MSG_ATTACHED:
                user = buffer.getStringUtf8(index + 4);
                clientId = buffer.getInt(index);
                break;
            case IpcLayout.MSG_DETACHED:
                detachedReason = buffer.getStringUtf8(index);
                failPending("detached by the service: " + detachedReason);
                break;
            default:
                break;
        }
    }

    private void failPending(final String reason)
    {
        for (final Pending wait : pending.values())
        {
            wait.refusal = reason;
            wait.done = true;
        }
    }

    private void heartbeatLoop()
    {
        while (!closed)
        {
            replies.consumerHeartbeatTime(System.currentTimeMillis());
            pollReplies();
            if (detachedReason == null && !pending.isEmpty() && !beacon.alive(System.currentTimeMillis()))
            {
                detachedReason = "the service went away";
                failPending("the Ember service on " + kernelDir + " went away");
            }
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
    protected HandlerCall pollHandlerCall()
    {
        return handlerCalls.poll();
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
            final ExpandableArrayBuffer empty = new ExpandableArrayBuffer(8);
            requests.write(IpcLayout.MSG_DETACH, empty, 0, 0);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (detachedReason == null && System.nanoTime() < deadline && beacon.alive(System.currentTimeMillis()))
            {
                if (pollReplies() == 0)
                {
                    Thread.yield();
                }
            }
        }
        closed = true;
        heartbeat.interrupt();
        try
        {
            heartbeat.join(1000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        readerLock.lock();
        try
        {
            IpcLayout.unmap(mapped);
            beacon.close();
        }
        finally
        {
            readerLock.unlock();
        }
        deleteQuietly(file);
    }

    private static void deleteQuietly(final Path path)
    {
        try
        {
            Files.deleteIfExists(path);
        }
        catch (final IOException ignored)
        {
            // best effort
        }
    }

}
