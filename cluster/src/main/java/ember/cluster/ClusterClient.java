package ember.cluster;

import ember.kernel.client.CallResult;

import ember.journal.RecordCodec;
import ember.journal.SyscallRecord;
import ember.kernel.client.ClientBase;
import ember.kernel.client.EmberException;
import ember.kernel.core.ProcessQuery;
import ember.kernel.transport.ReplyCodec;
import io.aeron.Publication;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.cluster.codecs.AdminRequestType;
import io.aeron.cluster.codecs.AdminResponseCode;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.exceptions.TimeoutException;
import io.aeron.logbuffer.Header;
import io.aeron.security.AuthenticationException;
import io.aeron.security.CredentialsSupplier;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Iterator;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The {@code Syscalls} of a replicated kernel, over Aeron Cluster's ingress and egress
 * ({@link AeronCluster}): an {@link ember.kernel.client.EmberClient} as the embedded and IPC ones
 * are (same {@link ClientBase}), so the kernel's {@code Shell} runs on it unchanged.
 * <p>
 * Every syscall gets a request id; a result returned means its record is committed by a majority
 * of the members (Aeron answers only from the committed log). After a leader change every request
 * not yet answered is sent again; the members apply each request id once and answer a resend with
 * the original answer. A waiting pull is asked about again every {@link #WAITING_RECHECK_MS} (one
 * small log message, applied as nothing) so that an answer lost in a leader change still arrives and
 * a pull waiting on a cluster that lost its majority fails instead of hanging. A request not answered within {@link #REQUEST_TIMEOUT_MS} (a pull: until the
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
    /**
     * How often a waiting request (a pull the cluster said it waits on) is asked about again: its
     * answer may have been lost in a leader change, and a cluster that lost its majority answers
     * nothing; either way the client learns within this plus {@link #REQUEST_TIMEOUT_MS}.
     */
    private static final long WAITING_RECHECK_MS = 2_000;
    /** Connect attempts of {@link #REQUEST_TIMEOUT_MS} each before giving up. */
    private static final int CONNECT_ATTEMPTS = 3;

    private final MediaDriver driver;
    private final AeronCluster cluster;
    private final ManyToOneConcurrentLinkedQueue<Request> outbox = new ManyToOneConcurrentLinkedQueue<>();
    /** The io thread's payload decoder (Kryo is not thread-safe). */
    private final ember.journal.PayloadCodec payloads = new ember.journal.PayloadCodec();
    private final Thread io;
    /** Owned by the io thread: requests sent and not answered, by id. */
    private final TreeMap<Long, Request> outstanding = new TreeMap<>();
    private volatile boolean running = true;
    private volatile String failure;
    private long nextRequestId = 1;
    private boolean resendAll;
    /** Test hook: answers still to be dropped on arrival, as if the leader had died before sending them. */
    private final java.util.concurrent.atomic.AtomicInteger answersToDrop = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger answersDropped = new java.util.concurrent.atomic.AtomicInteger();

    private static final class Request
    {
        final long id;
        final byte[] bytes;
        final boolean mayWait;
        final CompletableFuture<CallResult> answer = new CompletableFuture<>();
        long deadlineMs;
        boolean sent;
        boolean waiting;
        /** Waiting: when to ask again; and, once asked, by when the cluster must have said it still waits (0: it did). */
        long nextRecheckMs;
        long recheckDeadlineMs;

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
        final MediaDriver driver = launchDriver();
        final Listener listener = new Listener();
        try
        {
            return new ClusterClient(driver, connect(driver, members, credentials, listener), listener);
        }
        catch (final RuntimeException ex)
        {
            driver.close();
            throw ex;
        }
    }

    /**
     * Ask the cluster to take a snapshot (Aeron's admin request, which the leader performs: every
     * member then snapshots at the same log position). Connects as {@code credentials} (the member's
     * {@link AdminAccess}) and closes again.
     *
     * @return null when the leader accepted the request, else its one-line reason.
     * @throws EmberException with a one-line reason when no leader could be reached.
     */
    static String requestSnapshot(final ClusterMembers members, final Credentials.Entry credentials)
    {
        final MediaDriver driver = launchDriver();
        final String[] response = new String[1];
        final EgressListener listener = new EgressListener()
        {
            @Override
            public void onMessage(final long clusterSessionId, final long timestamp, final DirectBuffer buffer,
                final int offset, final int length, final Header header)
            {
            }

            @Override
            public void onAdminResponse(final long clusterSessionId, final long correlationId,
                final AdminRequestType requestType,
                final AdminResponseCode responseCode, final String message,
                final DirectBuffer payload, final int payloadOffset, final int payloadLength)
            {
                response[0] = responseCode == AdminResponseCode.OK ? "" :
                    responseCode + (message == null || message.isEmpty() ? "" : ": " + message);
            }
        };
        try (AeronCluster cluster = connect(driver, members, credentials, listener))
        {
            final long deadlineMs = System.currentTimeMillis() + REQUEST_TIMEOUT_MS;
            boolean sent = false;
            final BackoffIdleStrategy idle = new BackoffIdleStrategy(10, 20, 1_000, TimeUnit.MILLISECONDS.toNanos(1));
            while (response[0] == null && System.currentTimeMillis() < deadlineMs)
            {
                if (!sent)
                {
                    sent = cluster.sendAdminRequestToTakeASnapshot(cluster.context().aeron().nextCorrelationId());
                }
                idle.idle(cluster.pollEgress());
            }
            if (response[0] == null)
            {
                return "no answer from the leader within " + REQUEST_TIMEOUT_MS / 1000 + " s";
            }
            return response[0].isEmpty() ? null : response[0];
        }
        finally
        {
            driver.close();
        }
    }

    /** A small media driver of this client's own (its directory deleted on start and on close). */
    private static MediaDriver launchDriver()
    {
        return MediaDriver.launchEmbedded(new MediaDriver.Context()
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(ClusterTuning.idle())
            .termBufferSparseFile(true)
            .publicationTermBufferLength(128 * 1024)
            .ipcTermBufferLength(128 * 1024)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .errorHandler(error -> { }));
    }

    /** @throws EmberException with a one-line reason: refused credentials, or no leader reachable. */
    private static AeronCluster connect(final MediaDriver driver, final ClusterMembers members,
        final Credentials.Entry credentials, final EgressListener listener)
    {
        final byte[] encoded = Credentials.encode(credentials);
        try
        {
            return connectRetrying(new AeronCluster.Context()
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
        }
        catch (final AuthenticationException ex)
        {
            throw new EmberException("authentication refused: wrong user or secret for " + credentials.user());
        }
        catch (final TimeoutException ex)
        {
            throw new EmberException("no cluster leader answered within " + CONNECT_ATTEMPTS * REQUEST_TIMEOUT_MS / 1000 +
                " s (are a majority of the members running?)");
        }
        catch (final EmberException ex)
        {
            throw ex;
        }
        catch (final RuntimeException ex)
        {
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
    protected void invoke(final CallFrame frame, final boolean mayWait)
    {
        final SyscallRecord record = frame.record;
        final RecordCodec codec = new RecordCodec();
        final int length = codec.encode(record);
        final byte[] bytes = new byte[ClusterMessages.INGRESS_BODY + length];
        bytes[0] = ClusterMessages.SYSCALL;
        System.arraycopy(codec.frameArray(), 0, bytes, ClusterMessages.INGRESS_BODY, length);
        answer(frame, send(bytes, mayWait));
    }

    @Override
    protected void query(final CallFrame frame, final ProcessQuery query, final long pid)
    {
        final byte[] bytes = new byte[ClusterMessages.INGRESS_BODY + 9];
        bytes[0] = ClusterMessages.QUERY;
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        buffer.putByte(ClusterMessages.INGRESS_BODY, query.code());
        buffer.putLong(ClusterMessages.INGRESS_BODY + 1, pid);
        answer(frame, send(bytes, false));
    }

    /** The io thread decoded the answer into its own result (completed through the future): copied into the caller's frame. */
    private static void answer(final CallFrame frame, final CallResult answer)
    {
        final CallResult result = frame.result;
        result.present = answer.present;
        result.number = answer.number;
        result.value = answer.value;
        result.error = answer.error;
    }

    private CallResult send(final byte[] bytes, final boolean mayWait)
    {
        final String failed = failure;
        if (failed != null)
        {
            throw new EmberException(failed);
        }
        final Request request = new Request(0, bytes, mayWait);
        outbox.offer(request);
        LockSupport.unpark(io); // the io thread may be parked idle: send now, not after its park
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
        final IdleStrategy idle = ClusterTuning.clientIdle();
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
            final boolean recheck = request.waiting && nowMs >= request.nextRecheckMs;
            if (request.sent && !all && !recheck)
            {
                continue;
            }
            if (request.waiting)
            {
                // Committed and waiting: asking again applies nothing; the cluster answers WAITING again,
                // or the answer it kept if the pull completed while its answer was lost.
                request.nextRecheckMs = nowMs + WAITING_RECHECK_MS;
                if (request.recheckDeadlineMs == 0)
                {
                    request.recheckDeadlineMs = nowMs + REQUEST_TIMEOUT_MS;
                }
            }
            else if (all)
            {
                request.deadlineMs = nowMs + REQUEST_TIMEOUT_MS; // a new leader: the cluster is there, give it the full time
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
            final boolean late = request.waiting ?
                request.recheckDeadlineMs != 0 && nowMs > request.recheckDeadlineMs : nowMs > request.deadlineMs;
            if (late)
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
            handlerCallReceived(buffer.getLong(offset + 1), buffer.getLong(offset + 9));
        }
        else if (type == ClusterMessages.WAITING)
        {
            final Request request = outstanding.get(buffer.getLong(offset + 1));
            if (request != null)
            {
                request.waiting = true;
                request.recheckDeadlineMs = 0;
                if (request.nextRecheckMs == 0)
                {
                    request.nextRecheckMs = System.currentTimeMillis() + WAITING_RECHECK_MS;
                }
            }
        }
        else if (type == ClusterMessages.REPLY)
        {
            if (answersToDrop.get() > 0 && outstanding.containsKey(ReplyCodec.correlation(buffer, offset + 1)))
            {
                answersToDrop.decrementAndGet();
                answersDropped.incrementAndGet();
                return; // test hook: this answer is lost; the request waits for a resend
            }
            final Request request = outstanding.remove(ReplyCodec.correlation(buffer, offset + 1));
            if (request != null)
            {
                final CallResult result = new CallResult();
                final String refusal = ReplyCodec.decode(buffer, offset + 1, result, payloads);
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

    /**
     * Test hook: lose the next {@code count} answers on arrival (as if the leader had died before they
     * reached this client), so that a test can make this client resend those requests to a new leader.
     */
    void dropNextAnswers(final int count)
    {
        answersToDrop.set(count);
    }

    /** @return how many answers {@link #dropNextAnswers} has dropped so far. */
    int answersDropped()
    {
        return answersDropped.get();
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
