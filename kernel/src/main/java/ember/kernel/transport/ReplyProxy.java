package ember.kernel.transport;

import ember.kernel.core.Command;
import ember.kernel.core.HandlerCall;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

/**
 * The service's side of every reply ring: encodes what the core answers (results, handler calls,
 * attach and detach notices) for one channel, in place in the ring's claimed slot when it can, as
 * Aeron's {@code ClientProxy} does for its driver.
 * <p>
 * <b>When a reply ring is full.</b> The {@link RequestAdapter} takes a request only while its
 * channel's ring has room for the largest reply ({@link #hasRoomForReply}), so a client that reads
 * slowly is back-pressured: its requests wait in its own request ring, costing the service nothing.
 * What arrives without a request — handler calls another client's {@code kill} caused, a parked
 * pull answered later, a reply longer than one message — waits in the channel's backlog, in
 * order (at most {@link IpcChannel#MAX_BACKLOG_BYTES}; beyond, the channel is detached:
 * "client does not read its replies"), and is moved into the ring first as soon as it has room.
 * <p>
 * Core thread only, like the channels' core-side state it writes.
 */
final class ReplyProxy
{
    /** What the proxy asks of its owner when a channel cannot take a reply any more. */
    interface Detacher
    {
        void startDetach(IpcChannel channel, String reason);
    }

    /**
     * Free bytes a reply ring must have before the adapter takes one more request of its channel:
     * the largest reply one message holds, with the ring's record header and alignment.
     */
    static final int REPLY_RESERVE = IpcLayout.MAX_MESSAGE_LENGTH + 64;

    private final Detacher detacher;
    private final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(4096);
    private final UnsafeBuffer partView = new UnsafeBuffer(new byte[0]);
    private boolean wakeAcceptor;

    ReplyProxy(final Detacher detacher)
    {
        this.detacher = detacher;
    }

    /** @return true when {@code channel}'s reply ring has room for any one-message reply and no backlog waits before it. */
    boolean hasRoomForReply(final IpcChannel channel)
    {
        final OneToOneRingBuffer replies = channel.replies;
        return channel.backlog.isEmpty() && replies.capacity() - replies.size() >= REPLY_RESERVE;
    }

    /** Move what waits in {@code channel}'s backlog into its ring, as far as it has room. @return messages moved. */
    int flushBacklog(final IpcChannel channel)
    {
        if (channel.backlog.isEmpty())
        {
            return 0;
        }
        final int moved = channel.flushBacklog(partView);
        wakeAcceptor |= !channel.sharedMemory;
        return moved;
    }

    /** @return true once, after a socket channel got a reply: the acceptor thread must move it to the socket. */
    boolean takeWakeAcceptor()
    {
        final boolean wake = wakeAcceptor;
        wakeAcceptor = false;
        return wake;
    }

    /** The client's attach is answered: its session id and kernel user. */
    void attached(final IpcChannel channel)
    {
        final MutableDirectBuffer out = scratch;
        out.putInt(0, channel.session.id());
        final int length = 4 + out.putStringUtf8(4, channel.user);
        send(channel, IpcLayout.MSG_ATTACHED, out, length);
    }

    /**
     * The answer of one request (its handler calls first: a handler line comes before the result
     * that caused it). Encoded straight into the ring's claimed slot when it fits one message and
     * nothing waits before it; else through the backlog, or in pieces the client reassembles.
     */
    void result(final IpcChannel channel, final Command command)
    {
        handlerCalls(channel);
        if (channel.detachReason != null)
        {
            return;
        }
        final int claimed = ReplyCodec.encodedLength(command.result, command.refusal);
        if (claimed <= IpcLayout.MAX_MESSAGE_LENGTH && channel.backlog.isEmpty())
        {
            final OneToOneRingBuffer replies = channel.replies;
            final int index = replies.tryClaim(IpcLayout.MSG_RESULT, claimed);
            if (index >= 0)
            {
                try
                {
                    ReplyCodec.encode(replies.buffer(), index, command.correlationId, command.result, command.refusal);
                }
                catch (final RuntimeException ex)
                {
                    replies.abort(index);
                    throw ex;
                }
                replies.commit(index);
                wakeAcceptor |= !channel.sharedMemory;
                return;
            }
        }
        final int length = ReplyCodec.encode(scratch, 0, command.correlationId, command.result, command.refusal);
        if (length <= IpcLayout.MAX_MESSAGE_LENGTH)
        {
            send(channel, IpcLayout.MSG_RESULT, scratch, length);
            return;
        }
        // Longer than one ring message (getplist or the process table of many processes): sent in pieces.
        final int piece = IpcLayout.MAX_MESSAGE_LENGTH - IpcLayout.RESULT_PART_HEADER;
        final ExpandableArrayBuffer part = new ExpandableArrayBuffer(IpcLayout.MAX_MESSAGE_LENGTH);
        for (int offset = 0; offset < length && channel.detachReason == null; offset += piece)
        {
            final int n = Math.min(piece, length - offset);
            part.putLong(0, command.correlationId);
            part.putInt(8, length);
            part.putInt(12, offset);
            part.putBytes(IpcLayout.RESULT_PART_HEADER, scratch, offset, n);
            send(channel, IpcLayout.MSG_RESULT_PART, part, IpcLayout.RESULT_PART_HEADER + n);
        }
    }

    /** Forward the handler calls the core queued for {@code channel}'s session, in order. */
    void handlerCalls(final IpcChannel channel)
    {
        if (channel.session == null)
        {
            return;
        }
        HandlerCall call;
        while (channel.detachReason == null && (call = channel.session.pollHandlerCall()) != null)
        {
            scratch.putLong(0, call.pid());
            scratch.putLong(8, call.signal());
            send(channel, IpcLayout.MSG_HANDLER, scratch, 16);
        }
    }

    /** The last message of a channel: why it is detached. Best effort: the ring may be the reason. */
    void detached(final IpcChannel channel, final String reason)
    {
        try
        {
            channel.flushBacklog(partView);
            final int length = scratch.putStringUtf8(0, reason);
            channel.replies.write(IpcLayout.MSG_DETACHED, scratch, 0, length);
        }
        catch (final RuntimeException ignored)
        {
            // the ring may be the reason
        }
        wakeAcceptor |= !channel.sharedMemory;
    }

    private void send(final IpcChannel channel, final int type, final MutableDirectBuffer buffer, final int length)
    {
        if (!channel.send(type, buffer, 0, length))
        {
            detacher.startDetach(channel, "client does not read its replies");
        }
        wakeAcceptor |= !channel.sharedMemory;
    }
}
