package ember.kernel.testing;

import ember.journal.RecordCodec;
import ember.journal.SyscallRecord;
import ember.kernel.transport.IpcLayout;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.IoUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A hand-driven client for hostile-client tests: does the real handshake on the service's socket
 * (shared memory, so the test must run as the kernel's account), then writes whatever bytes a
 * test wants into the request ring and reads the replies raw.
 */
public final class RawChannel implements AutoCloseable
{
    public final SocketChannel socket;
    public final Path file;
    public final MappedByteBuffer mapped;
    public final ManyToOneRingBuffer requests;
    public final OneToOneRingBuffer replies;
    public final UnsafeBuffer requestRegion;
    private final RecordCodec codec = new RecordCodec();
    public int clientId;
    public String detached;
    public final List<Long> results = new ArrayList<>();
    public final List<String> refusals = new ArrayList<>();

    public RawChannel(final Path kernelDir) throws Exception
    {
        socket = SocketChannel.open(StandardProtocolFamily.UNIX);
        socket.connect(UnixDomainSocketAddress.of(IpcLayout.socketFile(kernelDir)));
        socket.write(hello(IpcLayout.MODE_SHARED_MEMORY));
        final String answer = readAnswer(socket);
        if (!answer.startsWith("ok "))
        {
            throw new IllegalStateException("refused: " + answer);
        }
        file = Path.of(answer.substring(3));
        mapped = IoUtil.mapExistingFile(file.toFile(), "raw channel");
        requestRegion = IpcLayout.requestRegion(mapped);
        requests = new ManyToOneRingBuffer(requestRegion);
        replies = new OneToOneRingBuffer(IpcLayout.replyRegion(mapped));
        final long deadline = System.currentTimeMillis() + 10_000;
        while (clientId == 0 && System.currentTimeMillis() < deadline)
        {
            poll();
            Thread.sleep(1);
        }
        if (clientId == 0)
        {
            throw new IllegalStateException("not attached");
        }
    }

    /** @return a handshake hello asking for {@code mode}. */
    public static ByteBuffer hello(final int mode)
    {
        final ByteBuffer hello = ByteBuffer.allocate(IpcLayout.HELLO_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        hello.putInt(IpcLayout.MAGIC).putInt(IpcLayout.VERSION).putInt(mode).putInt(0)
            .putLong(ProcessHandle.current().pid()).flip();
        return hello;
    }

    /** Read a handshake answer (blocking). @return {@code ok TEXT} or {@code refused TEXT}, or {@code closed}. */
    public static String readAnswer(final SocketChannel socket) throws java.io.IOException
    {
        final ByteBuffer head = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        while (head.hasRemaining())
        {
            if (socket.read(head) < 0)
            {
                return "closed";
            }
        }
        final ByteBuffer text = ByteBuffer.allocate(head.getInt(4));
        while (text.hasRemaining())
        {
            if (socket.read(text) < 0)
            {
                return "closed";
            }
        }
        return (head.getInt(0) == IpcLayout.STATUS_OK ? "ok " : "refused ") +
            new String(text.array(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Read what the service sent. @return messages read. */
    public int poll()
    {
        return replies.read((type, buffer, index, length) -> onReply(type, buffer, index));
    }

    private void onReply(final int type, final MutableDirectBuffer buffer, final int index)
    {
        switch (type)
        {
            case IpcLayout.MSG_ATTACHED -> clientId = buffer.getInt(index);
            case IpcLayout.MSG_DETACHED -> detached = buffer.getStringUtf8(index);
            case IpcLayout.MSG_RESULT ->
            {
                results.add(buffer.getLong(index));
                if (buffer.getByte(index + 8) == 2)
                {
                    refusals.add(buffer.getStringUtf8(index + 9));
                }
            }
            default ->
            {
            }
        }
    }

    /** Write raw bytes as a message. */
    public boolean write(final int type, final byte[] bytes)
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(Math.max(bytes.length, 1));
        buffer.putBytes(0, bytes);
        return requests.write(type, buffer, 0, bytes.length);
    }

    /** Write a well-formed syscall frame. */
    public boolean write(final SyscallRecord record)
    {
        final int length = codec.encode(record);
        return requests.write(IpcLayout.MSG_SYSCALL, codec.frameBuffer(), 0, length);
    }

    /** @return the frame of a record, for tests that damage it. */
    public byte[] frame(final SyscallRecord record)
    {
        final int length = codec.encode(record);
        final byte[] frame = new byte[length];
        codec.frameBuffer().getBytes(0, frame);
        return frame;
    }

    /** Wait until the service detached this channel. @return the reason. */
    public String awaitDetached(final long timeoutMs) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        while (detached == null && System.currentTimeMillis() < deadline)
        {
            poll();
            Thread.sleep(1);
        }
        return detached;
    }

    @Override
    public void close() throws java.io.IOException
    {
        socket.close();
        IpcLayout.unmap(mapped);
    }
}
