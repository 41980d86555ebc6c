package ember.kernel.transport;

import ember.kernel.core.ClientSession;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * The service's side of one client channel file. Owned by the {@link IpcServer}'s thread.
 */
final class IpcChannel
{
    final Path file;
    final String user;
    final MappedByteBuffer mapped;
    final ManyToOneRingBuffer requests;
    final OneToOneRingBuffer replies;
    /** Set once the clientAttach record is applied. */
    ClientSession session;
    /** Commands submitted and not yet answered. */
    int inFlight;
    /** Why the channel is being detached, once it is. */
    String detachReason;
    long attachedAtMs;

    IpcChannel(final Path file, final String user, final MappedByteBuffer mapped)
    {
        this.file = file;
        this.user = user;
        this.mapped = mapped;
        this.requests = new ManyToOneRingBuffer(IpcLayout.requestRegion(mapped));
        this.replies = new OneToOneRingBuffer(IpcLayout.replyRegion(mapped));
    }
}
