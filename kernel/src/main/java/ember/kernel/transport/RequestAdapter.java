package ember.kernel.transport;

import ember.journal.CorruptRecordException;
import ember.journal.PayloadCodec;
import ember.journal.PayloadException;
import ember.journal.RecordCodec;
import ember.journal.SyscallRecord;
import ember.journal.SyscallType;
import ember.kernel.core.Command;
import ember.kernel.core.Kernel;
import ember.kernel.core.ProcessQuery;
import ember.kernel.state.SyscallValidator;

import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Reads one channel's request ring on the core thread and hands each request to the core
 * directly ({@link Kernel#serveOnCoreThread}), as Aeron's {@code ClientCommandAdapter} hands
 * client commands to its conductor: no queue in between, so the transport can never wait on the
 * core's inbox from the one thread that drains it.
 * <p>
 * <b>Back-pressure.</b> A request is taken only when it can be answered in place: while the
 * channel's reply ring lacks room for a reply ({@link ReplyProxy#hasRoomForReply}) or the core
 * cannot take commands (it is closing), the request is left in the ring
 * ({@link ControlledMessageHandler.Action#ABORT}) and read again on a later duty cycle; the ring
 * being full then back-pressures the client itself. {@link #backPressured()} tells the owner, which
 * detaches a channel that stays back-pressured too long.
 * <p>
 * Requests are answered in the order they were read: the core handles them one by one, a refused
 * request (malformed payload) is answered through the core too, and only a waiting
 * {@code pullEvent} completes later (when its event arrives).
 * <p>
 * Core thread only. Allocates nothing per request in steady state: commands are pooled.
 */
final class RequestAdapter implements ControlledMessageHandler
{
    /** What the adapter asks of its owner when a channel must go. */
    interface Detacher extends ReplyProxy.Detacher
    {
    }

    private final Kernel kernel;
    private final ReplyProxy replies;
    private final Detacher detacher;
    private final Int2ObjectHashMap<IpcChannel> bySession;
    /**
     * Completed request commands, reused for the next requests: the hot path allocates no command.
     * It grows to the most requests in flight at once (parked pulls included) and does not shrink.
     */
    private final ArrayDeque<Command> commandPool = new ArrayDeque<>();
    private final Consumer<Command> onComplete = this::onComplete;
    private final RecordCodec codec = new RecordCodec();
    private final PayloadCodec payloads = new PayloadCodec();
    private final UnsafeBuffer frameView = new UnsafeBuffer(new byte[0]);
    private IpcChannel current;
    private boolean backPressured;

    /**
     * @param bySession the attached channels by session id (owned by the server, on this thread):
     *     where a completion finds its channel.
     */
    RequestAdapter(
        final Kernel kernel, final ReplyProxy replies, final Detacher detacher, final Int2ObjectHashMap<IpcChannel> bySession)
    {
        this.kernel = kernel;
        this.replies = replies;
        this.detacher = detacher;
        this.bySession = bySession;
    }

    /**
     * Read up to {@code limit} requests of {@code channel} and hand them to the core.
     *
     * @return the requests taken.
     */
    int poll(final IpcChannel channel, final int limit)
    {
        current = channel;
        backPressured = false;
        try
        {
            return channel.requests.controlledRead(this, limit);
        }
        catch (final RuntimeException ex)
        {
            // A client of the kernel's own account can corrupt its ring's own headers.
            detacher.startDetach(channel, "corrupt request ring: " + ex.getMessage());
            return 0;
        }
        finally
        {
            current = null;
        }
    }

    /** @return true when the last {@link #poll} left a request in the ring for lack of room. */
    boolean backPressured()
    {
        return backPressured;
    }

    @Override
    public Action onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final IpcChannel channel = current;
        if (channel.detachReason != null)
        {
            return Action.BREAK; // what is left is dropped with the channel
        }
        if (msgTypeId == IpcLayout.MSG_DETACH)
        {
            detacher.startDetach(channel, "client detached");
            return Action.BREAK;
        }
        if (msgTypeId != IpcLayout.MSG_SYSCALL && msgTypeId != IpcLayout.MSG_QUERY)
        {
            detacher.startDetach(channel, "unknown message type " + msgTypeId);
            return Action.BREAK;
        }
        if (!replies.hasRoomForReply(channel) || kernel.isClosed())
        {
            backPressured = true;
            return Action.ABORT; // left in the ring: read again on a later duty cycle
        }
        final Command command = acquireCommand();
        if (msgTypeId == IpcLayout.MSG_QUERY ? !decodeQuery(command, buffer, index, length) :
            !decodeSyscall(command, buffer, index, length))
        {
            release(command);
            return Action.BREAK;
        }
        command.session = channel.session;
        channel.inFlight++;
        if (!kernel.serveOnCoreThread(command))
        {
            channel.inFlight--;
            release(command);
            backPressured = true;
            return Action.ABORT;
        }
        return Action.CONTINUE;
    }

    private boolean decodeSyscall(final Command command, final MutableDirectBuffer buffer, final int index, final int length)
    {
        try
        {
            frameView.wrap(buffer, index, length);
            codec.decode(frameView, 0, length, command.record);
        }
        catch (final CorruptRecordException | IndexOutOfBoundsException ex)
        {
            detacher.startDetach(current, "malformed request: " + ex.getMessage());
            return false;
        }
        command.correlationId = command.record.index;
        command.refusal = checkPayload(command.record); // refusals go through the core too: replies stay in order
        return true;
    }

    /**
     * A read-only process query (not journaled): the core answers it as the channel's session,
     * so it is entitled exactly as that client's syscalls are.
     */
    private boolean decodeQuery(final Command command, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final ProcessQuery query = length == IpcLayout.QUERY_LENGTH ? ProcessQuery.of(buffer.getByte(index + 8)) : null;
        if (query == null)
        {
            detacher.startDetach(current, "malformed query");
            return false;
        }
        command.correlationId = buffer.getLong(index);
        command.record.pid = buffer.getLong(index + 9);
        command.query = query;
        return true;
    }

    /**
     * A client of another process may send any bytes as a payload: only well-formed payloads of
     * the allowed types reach the journal (and, through events, other clients).
     *
     * @return the refusal, or null when the record may go to the core.
     */
    private String checkPayload(final SyscallRecord record)
    {
        if (!record.type.isClientCall())
        {
            return "not a syscall: " + record.type.syscallName();
        }
        final boolean table = record.type == SyscallType.QUEUE_EVENT;
        if (!table && record.type != SyscallType.SEND_EVENT)
        {
            return record.payload == null ? null : "unexpected payload for " + record.type.syscallName();
        }
        if (record.payload == null)
        {
            return null; // the validator names the missing argument
        }
        if (payloads.isWellFormed(record.payload, table))
        {
            return null; // the hot path: judged by walking the bytes, no value built
        }
        final int arg = table ? 2 : 3;
        try
        {
            final Object value = payloads.decode(record.payload);
            if (table && !(value instanceof java.util.Map))
            {
                return SyscallValidator.notATable(arg, record.type.syscallName(), value);
            }
            return null;
        }
        catch (final PayloadException ex)
        {
            return SyscallValidator.bad(arg, record.type.syscallName(), ex.getMessage());
        }
    }

    /** A command never handed to the core goes back to the pool as good as new. */
    private void release(final Command command)
    {
        command.refusal = null;
        command.query = null;
        command.session = null;
        command.correlationId = 0;
        command.record.reset(null, 0);
        commandPool.addLast(command);
    }

    private Command acquireCommand()
    {
        final Command command = commandPool.pollFirst();
        return command != null ? command : new Command(onComplete);
    }

    /** Core thread: the core completed a request; answer it, then the command goes back to the pool. */
    private void onComplete(final Command command)
    {
        final IpcChannel channel = bySession.get(command.session.id());
        if (channel != null)
        {
            channel.inFlight--;
            if (channel.detachReason == null)
            {
                replies.result(channel, command);
            }
        }
        command.recycle();
        commandPool.addLast(command);
    }
}
