package ember.kernel.transport;

import ember.kernel.core.ClientSession;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;

/**
 * The service's side of one attached client: its identity (from the socket's peer credentials),
 * its two rings, and its connection.
 * <p>
 * Ownership: the {@link ChannelAcceptor} thread makes the channel and, for a socket client, is
 * the producer of {@link #requests} and the consumer of {@link #replies}; the core thread
 * ({@link IpcServer}) is the consumer of {@link #requests} and the producer of {@link #replies},
 * and owns the fields marked core-thread. The two threads signal each other only through the
 * volatile {@link #linkFailure} and {@link #closeRequested}.
 */
final class IpcChannel
{
    /** How many reply bytes may wait for a client that reads slowly before it is detached. */
    static final int MAX_BACKLOG_BYTES = 8 << 20;

    final long serial;
    /** The OS account of the peer, as the operating system reported it for the connection. */
    final String account;
    /** The kernel user the client acts as. */
    final String user;
    /** True for shared memory (the kernel's own account), false for a socket client. */
    final boolean sharedMemory;
    /** The channel file of a shared-memory client, null for a socket client. */
    final Path file;
    final ByteBuffer memory;
    final ManyToOneRingBuffer requests;
    final OneToOneRingBuffer replies;
    final long clientOsPid;

    /** Set by the acceptor when the connection ends or breaks the protocol: the client is gone. */
    volatile String linkFailure;
    /** Set by the core once it will not touch the channel again: the acceptor may free it. */
    volatile boolean closeRequested;
    /**
     * Socket clients: whether the channel is in the core's ready queue ({@link ChannelAcceptor#ready()}).
     * Set by whoever queues it (at most once), cleared by the core before it looks at the channel.
     */
    final java.util.concurrent.atomic.AtomicBoolean queued = new java.util.concurrent.atomic.AtomicBoolean();

    // Core thread only.
    ClientSession session;
    int inFlight;
    /** Kernel-clock ms since when its requests wait for room in its reply ring, 0 when they do not. */
    long stalledSinceMs;
    String detachReason;
    final ArrayDeque<byte[]> backlog = new ArrayDeque<>();
    int backlogBytes;
    /** Written by the core: replies wait in {@link #backlog}, so the acceptor's draining of the ring should wake the core. */
    volatile boolean backlogged;

    IpcChannel(
        final long serial, final String account, final String user, final Path file, final ByteBuffer memory,
        final long clientOsPid)
    {
        this.serial = serial;
        this.account = account;
        this.user = user;
        this.sharedMemory = file != null;
        this.file = file;
        this.memory = memory;
        this.clientOsPid = clientOsPid;
        this.requests = new ManyToOneRingBuffer(IpcLayout.requestRegion(memory));
        this.replies = new OneToOneRingBuffer(IpcLayout.replyRegion(memory));
    }

    /**
     * Core thread: send a reply message, in order behind any backlog.
     *
     * @return false when the client has let more than {@link #MAX_BACKLOG_BYTES} pile up (detach it).
     */
    boolean send(final int type, final DirectBuffer buffer, final int offset, final int length)
    {
        if (backlog.isEmpty() && replies.write(type, buffer, offset, length))
        {
            return true;
        }
        if (backlogBytes + length > MAX_BACKLOG_BYTES)
        {
            return false;
        }
        final byte[] message = new byte[4 + length];
        message[0] = (byte)type;
        message[1] = (byte)(type >>> 8);
        message[2] = (byte)(type >>> 16);
        message[3] = (byte)(type >>> 24);
        buffer.getBytes(offset, message, 4, length);
        backlog.addLast(message);
        backlogBytes += length;
        backlogged = true;
        return true;
    }

    /** Core thread: move what the reply ring takes from the backlog. @return messages moved. */
    int flushBacklog(final org.agrona.concurrent.UnsafeBuffer view)
    {
        int moved = 0;
        byte[] message;
        while ((message = backlog.peekFirst()) != null)
        {
            view.wrap(message);
            final int type = view.getInt(0, java.nio.ByteOrder.LITTLE_ENDIAN);
            if (!replies.write(type, view, 4, message.length - 4))
            {
                break;
            }
            backlog.removeFirst();
            backlogBytes -= message.length - 4;
            moved++;
        }
        if (backlog.isEmpty())
        {
            backlogged = false;
        }
        return moved;
    }

    /** Acceptor thread, after {@link #closeRequested}: release the channel's memory and file. */
    void free()
    {
        if (memory instanceof MappedByteBuffer mapped)
        {
            IpcLayout.unmap(mapped);
        }
        else if (memory.isDirect())
        {
            // A socket client's rings: freed now, not when a GC finds them. Left to the GC, a
            // client that attaches and detaches in a loop runs the JVM out of direct memory,
            // and the JDK then calls System.gc(): a full stop of every thread, the core's too.
            org.agrona.BufferUtil.free(memory);
        }
        if (file != null)
        {
            try
            {
                java.nio.file.Files.deleteIfExists(file);
            }
            catch (final java.io.IOException ignored)
            {
                // in the service's own private folder: removed at the next start at the latest
            }
        }
    }

    @Override
    public String toString()
    {
        return "client of account " + account + (sharedMemory ? " (shared memory)" : " (socket)");
    }
}
