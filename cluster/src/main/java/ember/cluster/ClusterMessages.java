package ember.cluster;

/**
 * The layout of Ember's messages on Aeron Cluster's ingress and egress (after Aeron's session
 * header). Syscalls travel as the journal's own record frames ({@code RecordCodec}) and answers as
 * the IPC transport's replies ({@code ReplyCodec}): no second codec.
 * <pre>
 * ingress, client → cluster:
 *   byte SYSCALL, long requestId, long ackedBelow, record frame (RecordCodec; type, pid, arguments)
 *   byte QUERY,   long requestId, long ackedBelow, byte ProcessQuery code, long pid
 * egress, cluster → client:
 *   byte REPLY,   reply (ReplyCodec, its correlation = the requestId)
 *   byte WAITING, long requestId            a pull is committed and waits for an event
 *   byte HANDLER, long pid, long signal     a handler this session registered must run
 * </pre>
 * {@code requestId}s of a session increase; {@code ackedBelow} is the lowest one the client still
 * waits for, so the service forgets the answers below it (they are kept for resends: see
 * {@link EmberClusteredService}).
 */
final class ClusterMessages
{
    static final byte SYSCALL = 1;
    static final byte QUERY = 2;

    static final byte REPLY = 1;
    static final byte WAITING = 2;
    static final byte HANDLER = 3;

    /** Offset of the record frame or query after the ingress header. */
    static final int INGRESS_BODY = 1 + 8 + 8;

    private ClusterMessages()
    {
    }
}
