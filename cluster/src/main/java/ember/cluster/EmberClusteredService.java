package ember.cluster;

import ember.journal.JournalReader;
import ember.journal.JournalWriter;
import ember.journal.RecordCodec;
import ember.journal.SyscallRecord;
import ember.journal.SyscallType;
import ember.kernel.core.ProcessQuery;
import ember.kernel.state.KernelEffects;
import ember.kernel.state.KernelError;
import ember.kernel.state.KernelState;
import ember.kernel.state.PendingTimer;
import ember.kernel.state.SyscallResult;
import ember.kernel.state.SyscallValidator;
import ember.kernel.transport.ReplyCodec;
import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusterTerminationException;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2LongCounterMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Ember's kernel as an Aeron {@link ClusteredService}: every committed log message becomes records
 * applied to the one {@link KernelState} through {@link KernelState#apply} and its effects API,
 * exactly as the local core applies them; each record is first appended to this member's own
 * Chronicle journal in DIR (index = the state's next index, timestamp = the log's timestamp, never
 * this member's clock), so every member's journal holds the same records and {@code replay-tool}
 * works on any of them.
 * <p>
 * What is replicated: the kernel state, the sessions (Aeron session → Ember client id and the
 * answers a client may still ask again, for exactly-once resends), and the waiting pulls. All of it
 * changes only in the callbacks of the log, reads no clock and no randomness, and is in the
 * snapshot ({@link ClusterSnapshot}). Kernel timers are Aeron timers whose correlation id is Ember's
 * SPEC §4 id; a waiting pull's timeout is the Aeron timer {@link #PULL_TIMEOUT_BASE} + the index of
 * its waiting record. An expiry of a timer that is no longer pending (cancelled, or already fired)
 * is ignored, so each timer fires once.
 * <p>
 * Waiting pulls per process are capped as in the local core ({@code maxParkedPulls}): a pull that
 * would wait while its process already has that many waiting is refused with {@code Permission denied}
 * before it is journaled. The count is derived from the replicated waiting pulls, so every member
 * refuses the same pulls provided every member runs with the same cap.
 * <p>
 * A journal that cannot be written (a full disk: {@code journal write failed: disk full (…)}, or any
 * other failure of the append) stops the member: that record and every later one is not applied here
 * (its journal and state would diverge from the others'), the reason goes to {@code onFailure} once
 * and the service agent ends with an unexpected {@link ClusterTerminationException}. The other
 * members go on; restarted on the same DIR, this one replays the log from its journal's end. Unlike
 * the local core there is no refusal while the disk is full: the log's entry is already committed.
 * <p>
 * Thread ownership: Aeron's service thread calls everything.
 */
public final class EmberClusteredService implements ClusteredService, KernelEffects
{
    /** Aeron timer ids from here on are waiting pulls' timeouts (Ember's own ids stay below 2^32). */
    static final long PULL_TIMEOUT_BASE = 1L << 40;

    private final Path dir;
    private final MemberStatus status;
    private final RecordCodec codec = new RecordCodec();
    private final SyscallRecord record = new SyscallRecord();
    private final SyscallResult result = new SyscallResult();
    private final ExpandableArrayBuffer out = new ExpandableArrayBuffer(1024);
    private final UnsafeBuffer storedView = new UnsafeBuffer(new byte[0]);
    /** Ember client id → Aeron session id, to route handler calls. */
    private final Int2ObjectHashMap<Long> sessionOfClient = new Int2ObjectHashMap<>();
    /** pid → its waiting pulls in {@code replicated.parked}: derived state, rebuilt from a loaded snapshot. */
    private final Long2LongCounterMap parkedPerPid = new Long2LongCounterMap(0);
    private final int maxParkedPulls;
    private final Consumer<String> onFailure;

    private ClusterSnapshot.Replicated replicated = new ClusterSnapshot.Replicated(new KernelState());
    private Cluster cluster;
    private JournalWriter journal;
    private long journalLastIndex;
    private boolean pullWaiting;
    private boolean deliverable;
    /** Why this member's journal could not be written: from then on nothing is applied or snapshotted. */
    private String failure;

    /**
     * @param dir    the member's kernel directory (its journal).
     * @param status where the operator's view of this member is written.
     * @param maxParkedPulls waiting pulls one process may have (at least 1; the same on every member).
     * @param onFailure told (once, on the service thread) the one-line reason when the journal
     *                  cannot be written; the member must then be stopped.
     */
    public EmberClusteredService(final Path dir, final MemberStatus status, final int maxParkedPulls,
        final Consumer<String> onFailure)
    {
        if (maxParkedPulls < 1)
        {
            throw new IllegalArgumentException("--max-parked-pulls must be at least 1: " + maxParkedPulls);
        }
        this.dir = dir;
        this.status = status;
        this.maxParkedPulls = maxParkedPulls;
        this.onFailure = onFailure;
    }

    @Override
    public void onStart(final Cluster cluster, final Image snapshotImage)
    {
        this.cluster = cluster;
        if (snapshotImage != null)
        {
            replicated = ClusterSnapshot.load(snapshotImage, cluster.idleStrategy());
            replicated.sessions.forEach((sessionId, session) -> sessionOfClient.put(session.client, sessionId));
            replicated.parked.values().forEach(parked -> parkedPerPid.incrementAndGet(parked.record().pid));
            // the operator's (and the tests') evidence that recovery started from a snapshot, not from record 1
            onDiagnostic("loaded the cluster snapshot at record " + state().lastIndex() + " digest " + state().digest());
        }
        // The writer first: it makes (or repairs) the queue's metadata, which a read-only reader refuses to do.
        journal = new JournalWriter(dir, ember.journal.Journal.DEFAULT_BLOCK_SIZE);
        try (JournalReader reader = new JournalReader(dir, false))
        {
            final SyscallRecord scratch = new SyscallRecord();
            while (reader.next(scratch))
            {
                journalLastIndex = scratch.index;
            }
            // The writer continues the chain the journal holds: without this, a restarted member
            // chained its next record from genesis and its journal no longer matched its
            // checkpoints, its chain tags, nor the other members' chain.
            journal.resumeChain(journalLastIndex, journalLastIndex == 0 ? null : reader.chain().head());
        }
        if (journalLastIndex < state().lastIndex())
        {
            throw new IllegalStateException("the journal in " + dir + " ends at record " + journalLastIndex +
                " but the cluster's snapshot is at " + state().lastIndex() + ": this member's journal is incomplete");
        }
        status.update(cluster.role(), state().clients().length, state().lastIndex());
    }

    private KernelState state()
    {
        return replicated.state;
    }

    @Override
    public void onSessionOpen(final ClientSession session, final long timestamp)
    {
        ensureNotFailed();
        final byte[] principal = session.encodedPrincipal();
        if (AdminAccess.isAdmin(principal))
        {
            return; // the operator's admin session (ember snapshot): not a kernel client, never journaled
        }
        record.reset(SyscallType.CLIENT_ATTACH, 0).text =
            principal == null || principal.length == 0 ? KernelState.ROOT : new String(principal, StandardCharsets.UTF_8);
        apply(timestamp);
        final int client = (int)result.number;
        replicated.sessions.put(session.id(), new ClusterSnapshot.Session(client));
        sessionOfClient.put(client, Long.valueOf(session.id()));
        status.update(cluster.role(), state().clients().length, state().lastIndex());
    }

    @Override
    public void onSessionClose(final ClientSession session, final long timestamp, final CloseReason closeReason)
    {
        ensureNotFailed();
        final ClusterSnapshot.Session gone = replicated.sessions.remove(session.id());
        if (gone == null)
        {
            return;
        }
        sessionOfClient.remove(gone.client);
        final Iterator<ClusterSnapshot.Parked> it = replicated.parked.values().iterator();
        while (it.hasNext())
        {
            final ClusterSnapshot.Parked parked = it.next();
            if (parked.sessionId() == session.id())
            {
                it.remove();
                parkedPerPid.decrementAndGet(parked.record().pid);
                cluster.cancelTimer(PULL_TIMEOUT_BASE + parked.record().arg0);
            }
        }
        record.reset(SyscallType.CLIENT_DETACH, 0).arg0 = gone.client;
        apply(timestamp);
        serveParked(timestamp);
        status.update(cluster.role(), state().clients().length, state().lastIndex());
    }

    @Override
    public void onSessionMessage(final ClientSession session, final long timestamp, final DirectBuffer buffer,
        final int offset, final int length, final Header header)
    {
        ensureNotFailed();
        final ClusterSnapshot.Session s = replicated.sessions.get(session.id());
        if (s == null || length < ClusterMessages.INGRESS_BODY)
        {
            return;
        }
        final byte type = buffer.getByte(offset);
        final long requestId = buffer.getLong(offset + 1);
        final long ackedBelow = buffer.getLong(offset + 9);
        s.forgetBelow(ackedBelow);
        if (requestId < s.ackedBelow)
        {
            return; // the client no longer waits for it: a stale resend
        }
        final byte[] stored = s.replies.get(requestId);
        if (stored != null)
        {
            // A resend after a leader change of a request already applied: answer it again, apply nothing.
            if (stored == ClusterSnapshot.PENDING)
            {
                offerWaiting(session.id(), requestId);
            }
            else
            {
                storedView.wrap(stored);
                offer(session.id(), storedView, 0, stored.length);
            }
            return;
        }
        final int body = offset + ClusterMessages.INGRESS_BODY;
        if (type == ClusterMessages.QUERY && length >= ClusterMessages.INGRESS_BODY + 9)
        {
            query(s, session.id(), requestId, ProcessQuery.of(buffer.getByte(body)), buffer.getLong(body + 1), timestamp);
            return;
        }
        if (type != ClusterMessages.SYSCALL)
        {
            return;
        }
        String refusal = null;
        try
        {
            codec.decode(buffer, body, length - ClusterMessages.INGRESS_BODY, record);
        }
        catch (final RuntimeException ex)
        {
            refusal = "undecodable syscall: " + ex.getMessage();
        }
        if (refusal == null)
        {
            refusal = record.type == null || !record.type.isClientCall() ? "not a syscall" : SyscallValidator.check(record);
        }
        if (refusal == null && record.payload != null && record.payload.length > state().limits().maxPayloadBytes())
        {
            refusal = KernelError.PAYLOAD_TOO_LARGE.message();
        }
        if (refusal == null && wouldParkOverLimit())
        {
            refusal = KernelError.PERMISSION_DENIED.message();
        }
        if (refusal != null)
        {
            result.clear();
            answer(s, session.id(), requestId, refusal);
            return;
        }
        record.client = s.client;
        if (record.type == SyscallType.PULL_EVENT)
        {
            record.arg0 = 0; // a fresh pull: only the service links a completing pull to its waiting record
        }
        apply(timestamp);
        if (pullWaiting)
        {
            // Waiting: journaled again, its arg0 naming this record, when it can take an event.
            record.arg0 = record.index;
            replicated.parked.put(record.index,
                new ClusterSnapshot.Parked(session.id(), requestId, new SyscallRecord().copyFrom(record)));
            parkedPerPid.incrementAndGet(record.pid);
            s.replies.put(requestId, ClusterSnapshot.PENDING);
            if (record.number > 0)
            {
                final double nanos = record.number * 1e9;
                final long deadline = nanos >= Long.MAX_VALUE - record.timestamp ?
                    Long.MAX_VALUE : record.timestamp + (long)Math.ceil(nanos);
                cluster.scheduleTimer(PULL_TIMEOUT_BASE + record.index, deadline);
            }
            offerWaiting(session.id(), requestId);
        }
        else
        {
            answer(s, session.id(), requestId, null);
        }
        serveParked(timestamp);
    }

    /** A read-only process query (SPEC §7 `as`, `sleep`, `ps`): not journaled unless refused with Permission denied. */
    private void query(final ClusterSnapshot.Session s, final long sessionId, final long requestId,
        final ProcessQuery query, final long pid, final long timestamp)
    {
        if (query == null)
        {
            result.clear();
            answer(s, sessionId, requestId, "unknown query");
            return;
        }
        query.answer(state(), pid, s.client, result);
        if (result.error == KernelError.PERMISSION_DENIED)
        {
            record.reset(query.audited(), pid).client = s.client;
            apply(timestamp);
        }
        answer(s, sessionId, requestId, null);
    }

    @Override
    public void onTimerEvent(final long correlationId, final long timestamp)
    {
        ensureNotFailed();
        if (correlationId >= PULL_TIMEOUT_BASE)
        {
            final ClusterSnapshot.Parked parked = replicated.parked.remove(correlationId - PULL_TIMEOUT_BASE);
            if (parked != null)
            {
                parkedPerPid.decrementAndGet(parked.record().pid);
            }
            final ClusterSnapshot.Session s = parked == null ? null : replicated.sessions.get(parked.sessionId());
            if (s != null)
            {
                result.clear(); // nil: no event arrived in time (not journaled, as in the local core)
                s.replies.remove(parked.requestId());
                answer(s, parked.sessionId(), parked.requestId(), null);
            }
            return;
        }
        if (state().pendingTimer(correlationId) == null)
        {
            return; // cancelled (or its process ended) after Aeron had committed the expiry
        }
        record.reset(PendingTimer.isAlarmId(correlationId) ? SyscallType.ALARM_FIRED : SyscallType.TIMER_FIRED, 0)
            .arg0 = correlationId;
        apply(timestamp);
        serveParked(timestamp);
    }

    @Override
    public void onTakeSnapshot(final ExclusivePublication snapshotPublication)
    {
        ensureNotFailed(); // the state lacks records the log position claims: such a snapshot would lose them
        ClusterSnapshot.store(replicated, snapshotPublication, cluster.idleStrategy());
    }

    @Override
    public void onRoleChange(final Cluster.Role newRole)
    {
        status.update(newRole, state().clients().length, state().lastIndex());
    }

    @Override
    public void onTerminate(final Cluster cluster)
    {
        if (journal != null)
        {
            journal.close();
            journal = null;
        }
        status.stopped();
    }

    /**
     * Journal, then apply {@link #record}: its index is the state's next, its timestamp the log's
     * (never earlier than the last). A record this member's journal already holds (the log replayed
     * after a restart) is applied without being appended again. A journal that cannot be written
     * fails the member (see the class comment) and throws, so that the record is not applied and
     * the callback that asked for it goes no further.
     */
    private void apply(final long timestamp)
    {
        ensureNotFailed();
        record.index = state().lastIndex() + 1;
        record.timestamp = Math.max(timestamp, state().lastTimestamp());
        if (record.index > journalLastIndex)
        {
            try
            {
                journal.append(record);
            }
            catch (final RuntimeException | InternalError ex)
            {
                failure = (ex.getMessage() == null ? ex.toString() : ex.getMessage()) + " at record " + record.index +
                    ": this member stops (the others go on); once " + dir + " can be written (space freed), start it again";
                onFailure.accept(failure);
                throw new ClusterTerminationException(false);
            }
            journalLastIndex = record.index;
        }
        pullWaiting = false;
        state().apply(record, result, this);
    }

    /** After a journal failure no callback may change state (Aeron may call on before the agent ends). */
    private void ensureNotFailed()
    {
        if (failure != null)
        {
            throw new ClusterTerminationException(false);
        }
    }

    /**
     * The cap on waiting pulls, as the local core decides it, before the journal: a pull that would
     * wait (it has a timeout and nothing it may take is deliverable now) while its process already
     * has {@code maxParkedPulls} waiting. Decided from replicated state only, so the same on every member.
     */
    private boolean wouldParkOverLimit()
    {
        return record.type == SyscallType.PULL_EVENT && record.number != 0 &&
            parkedPerPid.get(record.pid) >= maxParkedPulls && !state().canPull(record.pid, record.names);
    }

    /** Answer the waiting pulls that can now take an event, in the order they started waiting. */
    private void serveParked(final long timestamp)
    {
        while (deliverable)
        {
            deliverable = false;
            final Iterator<Map.Entry<Long, ClusterSnapshot.Parked>> it = replicated.parked.entrySet().iterator();
            while (it.hasNext())
            {
                final ClusterSnapshot.Parked parked = it.next().getValue();
                if (state().canPull(parked.record().pid, parked.record().names))
                {
                    it.remove();
                    parkedPerPid.decrementAndGet(parked.record().pid);
                    cluster.cancelTimer(PULL_TIMEOUT_BASE + parked.record().arg0);
                    record.copyFrom(parked.record());
                    apply(timestamp);
                    final ClusterSnapshot.Session s = replicated.sessions.get(parked.sessionId());
                    if (s != null)
                    {
                        s.replies.remove(parked.requestId());
                        answer(s, parked.sessionId(), parked.requestId(), null);
                    }
                    deliverable = true; // the iterator may be stale after apply: rescan
                    break;
                }
            }
        }
    }

    /** Encode {@link #result} (or a refusal), keep it for resends and send it to the session. */
    private void answer(final ClusterSnapshot.Session s, final long sessionId, final long requestId, final String refusal)
    {
        out.putByte(0, ClusterMessages.REPLY);
        final int length = 1 + ReplyCodec.encode(out, 1, requestId, result, refusal);
        final byte[] bytes = new byte[length];
        out.getBytes(0, bytes);
        s.replies.put(requestId, bytes);
        offer(sessionId, out, 0, length);
    }

    private void offerWaiting(final long sessionId, final long requestId)
    {
        out.putByte(0, ClusterMessages.WAITING);
        out.putLong(1, requestId);
        offer(sessionId, out, 0, 9);
    }

    /**
     * Send to one session (a no-op on followers: Aeron mocks their offers). Retries back pressure a
     * bounded number of times; a client that is gone resends, and is answered from the kept replies.
     */
    private void offer(final long sessionId, final DirectBuffer buffer, final int offset, final int length)
    {
        final ClientSession session = cluster.getClientSession(sessionId);
        if (session == null)
        {
            return;
        }
        final org.agrona.concurrent.IdleStrategy idle = cluster.idleStrategy();
        for (int attempt = 0; attempt < 1000; attempt++)
        {
            final long position = session.offer(buffer, offset, length);
            if (position > 0 || position == Publication.NOT_CONNECTED || position == Publication.CLOSED ||
                position == Publication.MAX_POSITION_EXCEEDED)
            {
                return;
            }
            idle.idle();
        }
    }

    // ---------------------------------------------------------------------------------------
    // KernelEffects: called by apply on this thread.
    // ---------------------------------------------------------------------------------------

    @Override
    public void onHandlerCall(final int client, final long pid, final long signal)
    {
        final Long sessionId = sessionOfClient.get(client);
        if (sessionId != null)
        {
            final ExpandableArrayBuffer handler = new ExpandableArrayBuffer(17);
            handler.putByte(0, ClusterMessages.HANDLER);
            handler.putLong(1, pid);
            handler.putLong(9, signal);
            offer(sessionId, handler, 0, 17);
        }
    }

    @Override
    public void onDeliverable(final long pid)
    {
        deliverable = true;
    }

    @Override
    public void onPullWaiting(final long pid)
    {
        pullWaiting = true;
    }

    @Override
    public void onProcessEnded(final long pid)
    {
        final Iterator<ClusterSnapshot.Parked> it = replicated.parked.values().iterator();
        while (it.hasNext())
        {
            final ClusterSnapshot.Parked parked = it.next();
            if (parked.record().pid == pid)
            {
                it.remove();
                parkedPerPid.decrementAndGet(pid);
                cluster.cancelTimer(PULL_TIMEOUT_BASE + parked.record().arg0);
                final ClusterSnapshot.Session s = replicated.sessions.get(parked.sessionId());
                if (s != null)
                {
                    final SyscallResult ended = new SyscallResult();
                    ended.error = KernelError.NO_SUCH_PROCESS;
                    s.replies.remove(parked.requestId());
                    out.putByte(0, ClusterMessages.REPLY);
                    final int length = 1 + ReplyCodec.encode(out, 1, parked.requestId(), ended, null);
                    final byte[] bytes = new byte[length];
                    out.getBytes(0, bytes);
                    s.replies.put(parked.requestId(), bytes);
                    offer(parked.sessionId(), out, 0, length);
                }
            }
        }
    }

    @Override
    public void onTimerScheduled(final long id, final long deadlineNs)
    {
        cluster.scheduleTimer(id, deadlineNs);
    }

    @Override
    public void onTimerCancelled(final long id)
    {
        cluster.cancelTimer(id);
    }

    @Override
    public void onDiagnostic(final String line)
    {
        System.err.println("ember member " + status.member() + ": " + line); // cluster.memberId() is -1 in onStart
    }
}
