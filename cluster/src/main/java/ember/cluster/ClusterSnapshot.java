package ember.cluster;

import ember.journal.RecordCodec;
import ember.journal.SyscallRecord;
import ember.kernel.state.KernelState;
import ember.kernel.state.SnapshotCodec;
import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Publication;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.TreeMap;

/**
 * What a cluster member replicates besides nothing else, and its snapshot encoding. The kernel
 * state is Ember's canonical snapshot ({@link SnapshotCodec}, the same bytes and digest as a local
 * kernel's snapshot); after it come the sessions and the waiting pulls:
 * <pre>
 *   int MAGIC, int VERSION, int stateLength, state bytes (SnapshotCodec)
 *   int sessions, then per session in session id order:
 *     long sessionId, int client, long ackedBelow, int replies, then per reply in request order:
 *       long requestId, int length (-1: a pull that still waits), reply bytes
 *   int parked, then per waiting pull in waiting order: long sessionId, long requestId, int length, record frame
 * </pre>
 * Written to the snapshot publication as a leading {@code int totalLength} message then chunks of
 * at most one frame's payload. Kernel timers are not in it: they live in the consensus module's
 * snapshot (Aeron restores them).
 */
final class ClusterSnapshot
{
    static final int MAGIC = 0x454D434C; // "EMCL"
    static final int VERSION = 1;
    /** The stored "answer" of a pull that still waits: a resend is told it waits. Compared by identity. */
    static final byte[] PENDING = new byte[0];

    private ClusterSnapshot()
    {
    }

    /** One Aeron client session: its Ember client id and the answers it may ask again. */
    static final class Session
    {
        final int client;
        long ackedBelow;
        final TreeMap<Long, byte[]> replies = new TreeMap<>();

        Session(final int client)
        {
            this.client = client;
        }

        /** The client no longer waits for requests below {@code ackedBelow}: forget their answers. */
        void forgetBelow(final long ackedBelow)
        {
            if (ackedBelow > this.ackedBelow)
            {
                this.ackedBelow = ackedBelow;
                replies.headMap(ackedBelow).entrySet().removeIf(e -> e.getValue() != PENDING);
            }
        }
    }

    /** A pull that waits: its record (arg0 = its waiting record's index) and who waits for it. */
    record Parked(long sessionId, long requestId, SyscallRecord record)
    {
    }

    /** Everything replicated; owned by the service thread. */
    static final class Replicated
    {
        final KernelState state;
        final TreeMap<Long, Session> sessions = new TreeMap<>();
        /** Waiting record index → pull, in the order they started waiting. */
        final LinkedHashMap<Long, Parked> parked = new LinkedHashMap<>();

        Replicated(final KernelState state)
        {
            this.state = state;
        }
    }

    static byte[] encode(final Replicated replicated)
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(4096);
        final RecordCodec codec = new RecordCodec();
        final byte[] state = SnapshotCodec.encode(replicated.state);
        int p = 0;
        buffer.putInt(p, MAGIC);
        buffer.putInt(p + 4, VERSION);
        buffer.putInt(p + 8, state.length);
        buffer.putBytes(p + 12, state);
        p += 12 + state.length;
        buffer.putInt(p, replicated.sessions.size());
        p += 4;
        for (final var entry : replicated.sessions.entrySet())
        {
            final Session session = entry.getValue();
            buffer.putLong(p, entry.getKey());
            buffer.putInt(p + 8, session.client);
            buffer.putLong(p + 12, session.ackedBelow);
            buffer.putInt(p + 20, session.replies.size());
            p += 24;
            for (final var reply : session.replies.entrySet())
            {
                buffer.putLong(p, reply.getKey());
                final byte[] bytes = reply.getValue();
                buffer.putInt(p + 8, bytes == PENDING ? -1 : bytes.length);
                p += 12;
                if (bytes != PENDING)
                {
                    buffer.putBytes(p, bytes);
                    p += bytes.length;
                }
            }
        }
        buffer.putInt(p, replicated.parked.size());
        p += 4;
        for (final Parked parked : replicated.parked.values())
        {
            buffer.putLong(p, parked.sessionId());
            buffer.putLong(p + 8, parked.requestId());
            final int length = codec.encode(parked.record(), buffer, p + 20);
            buffer.putInt(p + 16, length);
            p += 20 + length;
        }
        final byte[] bytes = new byte[p];
        buffer.getBytes(0, bytes);
        return bytes;
    }

    static Replicated decode(final byte[] bytes)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        if (bytes.length < 12 || buffer.getInt(0) != MAGIC || buffer.getInt(4) != VERSION)
        {
            throw new IllegalStateException("not an Ember cluster snapshot (or of another version)");
        }
        final int stateLength = buffer.getInt(8);
        final byte[] state = new byte[stateLength];
        buffer.getBytes(12, state);
        final Replicated replicated;
        try
        {
            replicated = new Replicated(SnapshotCodec.decode(state));
        }
        catch (final SnapshotCodec.DamagedSnapshotException ex)
        {
            throw new IllegalStateException("damaged kernel state in the cluster snapshot: " + ex.getMessage(), ex);
        }
        int p = 12 + stateLength;
        final int sessions = buffer.getInt(p);
        p += 4;
        for (int i = 0; i < sessions; i++)
        {
            final Session session = new Session(buffer.getInt(p + 8));
            replicated.sessions.put(buffer.getLong(p), session);
            session.ackedBelow = buffer.getLong(p + 12);
            final int replies = buffer.getInt(p + 20);
            p += 24;
            for (int r = 0; r < replies; r++)
            {
                final long requestId = buffer.getLong(p);
                final int length = buffer.getInt(p + 8);
                p += 12;
                if (length < 0)
                {
                    session.replies.put(requestId, PENDING);
                }
                else
                {
                    final byte[] reply = new byte[length];
                    buffer.getBytes(p, reply);
                    session.replies.put(requestId, reply);
                    p += length;
                }
            }
        }
        final int parked = buffer.getInt(p);
        p += 4;
        final RecordCodec codec = new RecordCodec();
        for (int i = 0; i < parked; i++)
        {
            final long sessionId = buffer.getLong(p);
            final long requestId = buffer.getLong(p + 8);
            final int length = buffer.getInt(p + 16);
            final SyscallRecord record = new SyscallRecord();
            codec.decode(buffer, p + 20, length, record);
            replicated.parked.put(record.arg0, new Parked(sessionId, requestId, record));
            p += 20 + length;
        }
        return replicated;
    }

    /** Offer the snapshot to the publication, waiting out back pressure with {@code idle}. */
    static void store(final Replicated replicated, final ExclusivePublication publication, final IdleStrategy idle)
    {
        final byte[] bytes = encode(replicated);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[Math.max(4, Math.min(bytes.length, publication.maxPayloadLength()))]);
        buffer.putInt(0, bytes.length);
        offer(publication, buffer, 0, 4, idle);
        final int chunk = publication.maxPayloadLength();
        for (int p = 0; p < bytes.length; p += chunk)
        {
            final int length = Math.min(chunk, bytes.length - p);
            buffer.putBytes(0, bytes, p, length);
            offer(publication, buffer, 0, length, idle);
        }
    }

    private static void offer(final ExclusivePublication publication, final UnsafeBuffer buffer, final int offset,
        final int length, final IdleStrategy idle)
    {
        idle.reset();
        long position;
        while ((position = publication.offer(buffer, offset, length)) < 0)
        {
            if (position == Publication.CLOSED || position == Publication.NOT_CONNECTED ||
                position == Publication.MAX_POSITION_EXCEEDED)
            {
                throw new IllegalStateException("snapshot publication failed: " + Publication.errorString(position));
            }
            idle.idle();
        }
    }

    /** Read a snapshot {@link #store} wrote from the image, waiting with {@code idle}. */
    static Replicated load(final Image image, final IdleStrategy idle)
    {
        final int[] total = {-1};
        final List<byte[]> chunks = new ArrayList<>();
        final int[] received = {0};
        idle.reset();
        while (total[0] < 0 || received[0] < total[0])
        {
            final int fragments = image.poll((buffer, offset, length, header) ->
            {
                if (total[0] < 0)
                {
                    total[0] = buffer.getInt(offset);
                }
                else
                {
                    final byte[] chunk = new byte[length];
                    buffer.getBytes(offset, chunk);
                    chunks.add(chunk);
                    received[0] += length;
                }
            }, 1);
            if (fragments == 0)
            {
                if (image.isClosed() || image.isEndOfStream())
                {
                    throw new IllegalStateException("the snapshot ended before its " + total[0] + " bytes");
                }
                idle.idle();
            }
        }
        final byte[] bytes = new byte[total[0]];
        int p = 0;
        for (final byte[] chunk : chunks)
        {
            System.arraycopy(chunk, 0, bytes, p, chunk.length);
            p += chunk.length;
        }
        return decode(bytes);
    }
}
