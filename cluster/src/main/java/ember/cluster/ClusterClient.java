package ember.cluster;

import ember.journal.RecordCodec;
import ember.journal.SyscallRecord;
import ember.kernel.client.ClientBase;
import ember.kernel.client.EmberException;
import ember.kernel.core.HandlerCall;
import ember.kernel.core.ProcessQuery;
import ember.kernel.state.SyscallResult;
import ember.kernel.transport.ReplyCodec;
import io.aeron.Publication;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.exceptions.TimeoutException;
import io.aeron.logbuffer.Header;
import io.aeron.security.AuthenticationException;
import io.aeron.security.CredentialsSupplier;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Iterator;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The {@code Syscalls} of a replicated kernel, over Aeron Cluster's ingress and egress
 * ({@link AeronCluster}): an {@link ember.kernel.client.EmberClient} as the embedded and IPC ones
 * are (same {@link ClientBase}), so the kernel's {@code Shell} runs on it unchanged.
 * <p>
 * Every syscall gets a request id; a result returned means its record is committed by a majority
 * of the members (Aeron answers only from the committed log). After a leader change every request
 * not yet answered is sent again; the members apply each request id once and answer a resend with
 * the original answer. A request not answered within {@link #REQUEST_TIMEOUT_MS} (a pull: until the
 * cluster said it waits) fails with {@code cluster unavailable: ...}: fewer than a majority of members
 * run, and the syscall may or may not be applied later.
 * <p>
 * Threads: one thread of this client ({@code ember-cluster-client}) owns the Aeron client (Aeron's
 * clients are single-threaded); callers hand it requests through a queue and wait for their answer.
 * Embeds its own small media driver (its directory is deleted on close).
 */
public final class ClusterClient extends ClientBase
{
    /** How long a request may go unanswered before it fails (no majority). */
    public static final long REQUEST_TIMEOUT_MS = 5_000;
    private static final long KEEPALIVE_INTERVAL_MS = 1_000;
    /** Connect attempts of {@link #REQUEST_TIMEOUT_MS} each before giving up. */
    private static final int CONNECT_ATTEMPTS = 3;

    private final MediaDriver driver;
    private final AeronCluster cluster;
    private final ManyToOneConcurrentLinkedQueue<Request> outbox = new ManyToOneConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<HandlerCall> handlerCalls = new ConcurrentLinkedQueue<>();
    private final Thread io;
    /** Owned by the io thread: requests sent and not answered, by id. */
    private final TreeMap<Long, Request> outstanding = new TreeMap<>();
    private volatile boolean running = true;
    private volatile String failure;
    private long nextRequestId = 1;
    private boolean resendAll;

    private static final class Request
    {
        final long id;
        final byte[] bytes;
        final boolean mayWait;
        final CompletableFuture<SyscallResult> answer = new CompletableFuture<>();
        long deadlineMs;
        boolean sent;
        boolean waiting;

        Request(final long id, final byte[] bytes, final boolean mayWait)
        {
            this.id = id;
            this.bytes = bytes;
            this.mayWait = mayWait;
        }
    }

    private ClusterClient(final MediaDriver driver, final AeronCluster cluster, final Listener listener)
    {
        this.driver = driver;
        this.cluster = cluster;
        listener.client = this;
        io = new Thread(this::run, "ember-cluster-client");
        io.setDaemon(true);
        io.start();
    }

    /** Routes egress to the client; set before the first poll. */
    private static final class Listener implements EgressListener
    {
        ClusterClient client;

        @Override
        public void onMessage(final long clusterSessionId, final long timestamp, final DirectBuffer buffer,
            final int offset, final int length, final Header header)
        {
            if (client != null)
            {
                client.onEgress(buffer, offset, length);
            }
        }

        @Override
        public void onNewLeader(final long clusterSessionId, final long leadershipTermId, final int leaderMemberId,
            final String ingressEndpoints)
        {
            if (client != null)
            {
                client.resendAll = true;
            }
        }
    }

    /**
     * Connect and authenticate.
     *
     * @throws EmberException with a one-line reason: refused credentials, or no leader reachable.
     */
    public static ClusterClient connect(final ClusterMembers members, final Credentials.Entry credentials)
    {
        final MediaDriver driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy(10, 20, 1_000, TimeUnit.MILLISECONDS.toNanos(1)))
            .termBufferSparseFile(true)
            .publicationTermBufferLength(128 * 1024)
            .ipcTermBufferLength(128 * 1024)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .errorHandler(error -> { }));
        final Listener listener = new Listener();
        final byte[] encoded = Credentials.encode(credentials);
        try
        {
            final AeronCluster cluster = connectRetrying(new AeronCluster.Context()
                .aeronDirectoryName(driver.aeronDirectoryName())
                .ingressChannel("aeron:udp?term-length=128k")
                .ingressEndpoints(members.ingressEndpoints())
                .egressChannel("aeron:udp?term-length=128k|endpoint=" + egressHost(members) + ":0")
                .messageTimeoutNs(TimeUnit.MILLISECONDS.toNanos(REQUEST_TIMEOUT_MS))
                .egressListener(listener)
                .errorHandler(error -> { })
                .credentialsSupplier(new CredentialsSupplier()
                {
                    @Override
                    public byte[] encodedCredentials()
                    {
                        return encoded;
                    }

                    @Override
                    public byte[] onChallenge(final byte[] encodedChallenge)
                    {
                        return new byte[0];
                    }
                }));
            return new ClusterClient(driver, cluster, listener);
        }
        catch (final AuthenticationException ex)
        {
            driver.close();
            throw new EmberException("authentication refused: wrong user or secret for " + credentials.user());
        }
        catch (final TimeoutException ex)
        {
            driver.close();
            throw new EmberException("no cluster leader answered within " + CONNECT_ATTEMPTS * REQUEST_TIMEOUT_MS / 1000 +
                " s (are a majority of the members running?)");
        }
        catch (final RuntimeException ex)
        {
            driver.close();
            throw new EmberException("cannot connect to the cluster: " + ex.getMessage());
        }
    }

    /**
     * Connect, trying again after a timeout: right after a leader died the members may still name it
     * until they elect another (within the leader heartbeat timeout), so one attempt is not enough.
     */
    private static AeronCluster connectRetrying(final AeronCluster.Context context)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return AeronCluster.connect(context.clone());
            }
            catch (final TimeoutException ex)
            {
                if (attempt >= CONNECT_ATTEMPTS)
                {
                    throw ex;
                }
            }
        }
    }

    /** The egress endpoint's host: loopback for a loopback cluster, else this host's address. */
    private static String egressHost(final ClusterMembers members)
    {
        final String host = members.host(0);
        if (host.equals("localhost") || host.startsWith("127."))
        {
            return host;
        }
        try
        {
            return java.net.InetAddress.getLocalHost().getHostAddress();
        }
        catch (final java.net.UnknownHostException ex)
        {
            return "0.0.0.0";
        }
    }

    @Override
    protected SyscallResult invoke(final SyscallRecord record, final boolean mayWait)
    {
        final RecordCodec codec = new RecordCodec();
        final int length = codec.encode(record);
        final byte[] bytes = new byte[ClusterMessages.INGRESS_BODY + length];
        bytes[0] = ClusterMessages.SYSCALL;
        System.arraycopy(codec.frameArray(), 0, bytes, ClusterMessages.INGRESS_BODY, length);
        return send(bytes, mayWait);
    }

    @Override
    protected SyscallResult query(final ProcessQuery query, final long pid)
    {
        final byte[] bytes = new byte[ClusterMessages.INGRESS_BODY + 9];
        bytes[0] = ClusterMessages.QUERY;
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        buffer.putByte(ClusterMessages.INGRESS_BODY, query.code());
        buffer.putLong(ClusterMessages.INGRESS_BODY + 1, pid);
        return send(bytes, false);
    }

    @Override
    protected HandlerCall pollHandlerCall()
    {
        return handlerCalls.poll();
    }

    private SyscallResult send(final byte[] bytes, final boolean mayWait)
    {
        final String failed = failure;
        if (failed != null)
        {
            throw new EmberException(failed);
        }
        final Request request = new Request(0, bytes, mayWait);
        outbox.offer(request);
        try
        {
            return request.answer.get();
        }
        catch (final ExecutionException ex)
        {
            throw ex.getCause() instanceof EmberException ? (EmberException)ex.getCause() :
                new EmberException(String.valueOf(ex.getCause()));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new EmberException("interrupted");
        }
    }

    // ---------------------------------------------------------------------------------------
    // The io thread.
    // ---------------------------------------------------------------------------------------

    private void run()
    {
        final BackoffIdleStrategy idle = new BackoffIdleStrategy(10, 20, 1_000, TimeUnit.MICROSECONDS.toNanos(200));
        long nextKeepAliveMs = 0;
        try
        {
            while (running)
            {
                int work = 0;
                final long nowMs = System.currentTimeMillis();
                Request polled;
                while ((polled = outbox.poll()) != null)
                {
                    final Request request = polled;
                    final Request numbered = new Request(nextRequestId++, request.bytes, request.mayWait);
                    numbered.answer.whenComplete((result, error) ->
                    {
                        if (error != null)
                        {
                            request.answer.completeExceptionally(error);
                        }
                        else
                        {
                            request.answer.complete(result);
                        }
                    });
                    numbered.deadlineMs = nowMs + REQUEST_TIMEOUT_MS;
                    outstanding.put(numbered.id, numbered);
                    work++;
                }
                work += sendPending(nowMs);
                work += cluster.pollEgress();
                if (nowMs >= nextKeepAliveMs)
                {
                    cluster.sendKeepAlive();
                    nextKeepAliveMs = nowMs + KEEPALIVE_INTERVAL_MS;
                }
                expire(nowMs);
                if (cluster.isClosed())
                {
                    failAll("cluster unavailable: the cluster closed this client's session");
                    return;
                }
                idle.idle(work);
            }
        }
        catch (final RuntimeException ex)
        {
            failAll("cluster unavailable: " + ex.getMessage());
        }
    }

    /** Send requests not yet sent (all of them again after a leader change), in id order. */
    private int sendPending(final long nowMs)
    {
        final boolean all = resendAll;
        resendAll = false;
        int sent = 0;
        for (final Request request : outstanding.values())
        {
            if (request.sent && !all)
            {
                continue;
            }
            if (all && request.waiting)
            {
                continue; // committed and waiting: its answer comes from whoever leads
            }
            final UnsafeBuffer buffer = new UnsafeBuffer(request.bytes);
            buffer.putLong(1, request.id);
            buffer.putLong(9, outstanding.firstKey());
            final long position = cluster.offer(buffer, 0, request.bytes.length);
            if (position > 0)
            {
                request.sent = true;
                sent++;
            }
            else
            {
                request.sent = false;
                if (position == Publication.CLOSED)
                {
                    failAll("cluster unavailable: ingress closed");
                }
                break; // back pressure or no leader yet: the rest wait their turn, in order
            }
        }
        return sent;
    }

    private void expire(final long nowMs)
    {
        final Iterator<Request> it = outstanding.values().iterator();
        while (it.hasNext())
        {
            final Request request = it.next();
            if (!request.waiting && nowMs > request.deadlineMs)
            {
                it.remove();
                request.answer.completeExceptionally(new EmberException("cluster unavailable: no answer within " +
                    REQUEST_TIMEOUT_MS / 1000 + " s (fewer than a majority of members running?); the syscall may " +
                    "or may not be applied"));
            }
        }
    }

    private void failAll(final String why)
    {
        failure = why;
        for (final Request request : outstanding.values())
        {
            request.answer.completeExceptionally(new EmberException(why));
        }
        outstanding.clear();
        Request request;
        while ((request = outbox.poll()) != null)
        {
            request.answer.completeExceptionally(new EmberException(why));
        }
    }

    private void onEgress(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte type = buffer.getByte(offset);
        if (type == ClusterMessages.HANDLER)
        {
            handlerCalls.add(new HandlerCall(buffer.getLong(offset + 1), buffer.getLong(offset + 9)));
        }
        else if (type == ClusterMessages.WAITING)
        {
            final Request request = outstanding.get(buffer.getLong(offset + 1));
            if (request != null)
            {
                request.waiting = true;
            }
        }
        else if (type == ClusterMessages.REPLY)
        {
            final Request request = outstanding.remove(ReplyCodec.correlation(buffer, offset + 1));
            if (request != null)
            {
                final SyscallResult result = new SyscallResult();
                final String refusal = ReplyCodec.decode(buffer, offset + 1, result);
                if (refusal != null)
                {
                    request.answer.completeExceptionally(new EmberException(refusal));
                }
                else
                {
                    request.answer.complete(result);
                }
            }
        }
    }

    @Override
    public void close()
    {
        running = false;
        try
        {
            io.join(2_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        CloseHelper.quietCloseAll(cluster, driver);
    }
}
