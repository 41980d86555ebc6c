package ember.kernel.state;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The binary form of a whole {@link KernelState}, for snapshots. A snapshot carries the digest
 * of the state it encodes; {@link #decode} rebuilds the state and refuses it unless the rebuilt
 * state has that very digest, so a damaged snapshot is never trusted.
 * <pre>
 *   int magic, int version, int bodyLength, int crc32c(body), body
 * </pre>
 */
public final class SnapshotCodec
{
    public static final int MAGIC = 0x454D534E; // "EMSN"
    public static final int VERSION = 2; // 2: attached clients carry their kernel user
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final int HEADER = 16;

    /** A snapshot that cannot be trusted; the message says why. */
    public static final class DamagedSnapshotException extends Exception
    {
        public DamagedSnapshotException(final String message)
        {
            super(message);
        }
    }

    /**
     * Test-only seam of the deterministic simulator (module sim): when true, the canonical encoding
     * (so the digest and every snapshot) writes 0 for each process's parent, a planted "digest
     * that skips a field" bug. False in production, where it costs one volatile read per encoding.
     */
    static volatile boolean plantedSkipParent;

    private SnapshotCodec()
    {
    }

    /**
     * The canonical encoding of a state: every field, collections in pid, signal, id or queue
     * order. Equal states, and only equal states, have equal encodings; the state digest is its
     * SHA-256 ({@link StateDigest}) and a snapshot carries it.
     */
    static byte[] canonical(final KernelState state)
    {
        final Writer w = new Writer();
        w.putLong(state.lastIndex);
        w.putLong(state.lastTimestamp);
        w.putLong(state.nextPid);
        w.putLong(state.timerCount);
        w.putLong(state.clientCount);
        w.putString(state.limits.encode());
        final int[] clients = state.clients();
        w.putLong(clients.length);
        for (final int client : clients)
        {
            w.putLong(client);
            w.putString(state.clients.get(client));
        }
        final boolean skipParent = plantedSkipParent;
        final long[] pids = state.pids();
        w.putLong(pids.length);
        for (final long pid : pids)
        {
            final ProcessEntry p = state.processes.get(pid);
            w.putLong(p.pid);
            w.putString(p.name);
            w.putString(p.user);
            w.putLong(skipParent ? 0 : p.parent);
            w.putLong(p.stopped ? 1 : 0);
            final long[] signals = p.overriddenSignals();
            w.putLong(signals.length);
            for (final long signal : signals)
            {
                w.putLong(signal);
                w.putLong(p.overrides.get(signal));
            }
            final long[] held = p.heldSignals();
            w.putLong(held.length);
            for (final long signal : held)
            {
                w.putLong(signal);
            }
            w.putLong(p.queue.size());
            for (final Event e : p.queue)
            {
                w.putLong(e.kind());
                w.putString(e.name());
                w.putString(e.type());
                w.putLong(e.a());
                w.putLong(e.b());
                w.putBytes(e.payload());
            }
            w.putLong(p.services.size());
            for (final String service : p.services)
            {
                w.putString(service);
            }
        }
        final java.util.List<PendingTimer> timers = state.pendingTimers();
        w.putLong(timers.size());
        for (final PendingTimer t : timers)
        {
            w.putLong(t.id());
            w.putLong(t.pid());
            w.putLong(t.deadlineNs());
        }
        return w.bytes();
    }

    /** @return the snapshot bytes of {@code state}: header, digest, canonical encoding. */
    public static byte[] encode(final KernelState state)
    {
        final byte[] body = canonical(state);
        final Writer w = new Writer();
        w.putString(StateDigest.of(body));
        w.putRaw(body);
        return w.finish();
    }

    /**
     * Rebuild a state from snapshot bytes.
     *
     * @throws DamagedSnapshotException when the bytes are damaged or the rebuilt state's digest
     *     differs from the digest the snapshot carries.
     */
    public static KernelState decode(final byte[] bytes) throws DamagedSnapshotException
    {
        if (bytes.length < HEADER)
        {
            throw new DamagedSnapshotException("snapshot too short (" + bytes.length + " bytes)");
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        if (buffer.getInt(0, ORDER) != MAGIC || buffer.getInt(4, ORDER) != VERSION)
        {
            throw new DamagedSnapshotException("not an Ember snapshot (magic or version)");
        }
        final int length = buffer.getInt(8, ORDER);
        if (length != bytes.length - HEADER)
        {
            throw new DamagedSnapshotException("snapshot length " + length + " does not match its " + bytes.length + " bytes");
        }
        final CRC32C crc = new CRC32C();
        crc.update(bytes, HEADER, length);
        if ((int)crc.getValue() != buffer.getInt(12, ORDER))
        {
            throw new DamagedSnapshotException("snapshot checksum mismatch (CRC32C)");
        }
        try
        {
            final Reader r = new Reader(buffer, HEADER, bytes.length);
            final String digest = r.string();
            final KernelState state = new KernelState();
            state.processes.clear();
            state.userCounts.clear();
            state.lastIndex = r.getLong();
            state.lastTimestamp = r.getLong();
            state.nextPid = r.getLong();
            state.timerCount = r.getLong();
            state.clientCount = (int)r.getLong();
            state.limits = KernelLimits.decode(r.string());
            for (long i = r.count(); i > 0; i--)
            {
                state.clients.put((int)r.getLong(), r.string());
            }
            for (long i = r.count(); i > 0; i--)
            {
                final ProcessEntry p = new ProcessEntry(r.getLong(), r.string(), r.string(), r.getLong());
                p.stopped = r.getLong() != 0;
                for (long j = r.count(); j > 0; j--)
                {
                    p.overrides.put(r.getLong(), r.getLong());
                }
                for (long j = r.count(); j > 0; j--)
                {
                    p.heldSignals.addLong(r.getLong());
                }
                for (long j = r.count(); j > 0; j--)
                {
                    p.queue.addLast(Event.of((byte)r.getLong(), r.string(), r.string(), r.getLong(), r.getLong(), r.bytes()));
                }
                for (long j = r.count(); j > 0; j--)
                {
                    final String service = r.string();
                    p.services.add(service);
                    state.services.put(service, p.pid);
                }
                state.processes.put(p.pid, p);
                state.countUser(p.user, 1);
            }
            for (long i = r.count(); i > 0; i--)
            {
                final PendingTimer t = new PendingTimer(r.getLong(), r.getLong(), r.getLong());
                state.timers.put(t.id(), t);
                final ProcessEntry owner = state.processes.get(t.pid());
                if (owner == null)
                {
                    throw new DamagedSnapshotException("timer " + t.id() + " of a process that is not there");
                }
                owner.timers.add(t.id());
            }
            if (!r.atEnd())
            {
                throw new DamagedSnapshotException("trailing bytes in snapshot");
            }
            final String actual = state.digest();
            if (!actual.equals(digest))
            {
                throw new DamagedSnapshotException("snapshot state digest " + actual + " differs from its recorded " + digest);
            }
            return state;
        }
        catch (final IndexOutOfBoundsException | IllegalArgumentException | IllegalStateException ex)
        {
            throw new DamagedSnapshotException("malformed snapshot: " + ex.getMessage());
        }
    }

    private static final class Writer
    {
        private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(1 << 16);
        private int p = HEADER;

        void putRaw(final byte[] value)
        {
            buffer.putBytes(p, value);
            p += value.length;
        }

        /** @return what was written after the header space (a canonical body). */
        byte[] bytes()
        {
            final byte[] bytes = new byte[p - HEADER];
            buffer.getBytes(HEADER, bytes);
            return bytes;
        }

        void putLong(final long value)
        {
            buffer.putLong(p, value, ORDER);
            p += 8;
        }

        void putString(final String value)
        {
            if (value == null)
            {
                putLong(-1);
                return;
            }
            putBytes(value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        void putBytes(final byte[] value)
        {
            if (value == null)
            {
                putLong(-1);
                return;
            }
            putLong(value.length);
            buffer.putBytes(p, value);
            p += value.length;
        }

        byte[] finish()
        {
            buffer.putInt(0, MAGIC, ORDER);
            buffer.putInt(4, VERSION, ORDER);
            buffer.putInt(8, p - HEADER, ORDER);
            final CRC32C crc = new CRC32C();
            crc.update(buffer.byteArray(), HEADER, p - HEADER);
            buffer.putInt(12, (int)crc.getValue(), ORDER);
            final byte[] bytes = new byte[p];
            buffer.getBytes(0, bytes);
            return bytes;
        }
    }

    private static final class Reader
    {
        private final UnsafeBuffer buffer;
        private final int end;
        private int p;

        Reader(final UnsafeBuffer buffer, final int start, final int end)
        {
            this.buffer = buffer;
            this.p = start;
            this.end = end;
        }

        long getLong()
        {
            if (p + 8 > end)
            {
                throw new IndexOutOfBoundsException("snapshot ends early");
            }
            final long value = buffer.getLong(p, ORDER);
            p += 8;
            return value;
        }

        long count()
        {
            final long count = getLong();
            if (count < 0 || count > end - p)
            {
                throw new IllegalArgumentException("bad count " + count);
            }
            return count;
        }

        byte[] bytes()
        {
            final long length = getLong();
            if (length == -1)
            {
                return null;
            }
            if (length < 0 || length > end - p)
            {
                throw new IllegalArgumentException("bad length " + length);
            }
            final byte[] value = new byte[(int)length];
            buffer.getBytes(p, value);
            p += (int)length;
            return value;
        }

        String string()
        {
            final byte[] value = bytes();
            return value == null ? null : new String(value, java.nio.charset.StandardCharsets.UTF_8);
        }

        boolean atEnd()
        {
            return p == end;
        }
    }
}
