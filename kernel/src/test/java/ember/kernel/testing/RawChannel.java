package ember.kernel.testing;

import ember.journal.RecordCodec;
import ember.journal.SyscallRecord;
import ember.kernel.transport.IpcLayout;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A hand-driven client channel for hostile-client tests: writes whatever bytes a test wants into
 * the request ring and reads the replies raw.
 */
public final class RawChannel implements AutoCloseable
{
    public final IpcLayout.NewChannel channel;
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
        channel = IpcLayout.createChannel(kernelDir);
        requestRegion = IpcLayout.requestRegion(channel.mapped());
        requests = new ManyToOneRingBuffer(requestRegion);
        replies = new OneToOneRingBuffer(IpcLayout.replyRegion(channel.mapped()));
        replies.consumerHeartbeatTime(System.currentTimeMillis());
        channel.publish();
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
    public void close()
    {
        IpcLayout.unmap(channel.mapped());
    }
}
