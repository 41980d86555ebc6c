package ember.kernel.transport;

import ember.kernel.state.Event;
import ember.kernel.state.KernelError;
import ember.kernel.state.ProcessInfo;
import ember.kernel.state.SyscallResult;
import ember.journal.PayloadCodec;
import ember.kernel.client.CallResult;
import ember.kernel.client.ReceivedEvent;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The one codec of {@code MSG_RESULT} replies: a {@link SyscallResult} (or a refusal) after its
 * correlation id. Used by the service to write (in place, into a claimed ring slot: see
 * {@link #encodedLength}) and by the IPC client to read, into the client's own
 * {@link CallResult} (events as {@link ReceivedEvent}s).
 * <pre>
 *   long correlation, byte status (0 ok, 1 kernel error, 2 refusal), then
 *   ok:       byte kind, long number, kind-specific value (PROCESSES: int count, then count INFO values)
 *   error:    byte KernelError ordinal
 *   refusal:  utf-8 message
 * </pre>
 */
public final class ReplyCodec
{
    private static final byte OK = 0;
    private static final byte ERROR = 1;
    private static final byte REFUSAL = 2;

    /** Cached: {@code values()} makes a new array on every call. */
    private static final KernelError[] ERRORS = KernelError.values();
    private static final SyscallResult.Kind[] KINDS = SyscallResult.Kind.values();

    private ReplyCodec()
    {
    }

    /** @return bytes written at {@code offset}. */
    public static int encode(
        final MutableDirectBuffer buffer, final int offset, final long correlation, final SyscallResult result,
        final String refusal)
    {
        int p = offset;
        buffer.putLong(p, correlation);
        p += 8;
        if (refusal != null)
        {
            buffer.putByte(p++, REFUSAL);
            p += putString(buffer, p, refusal);
            return p - offset;
        }
        if (result.error != null)
        {
            buffer.putByte(p++, ERROR);
            buffer.putByte(p++, (byte)result.error.ordinal());
            return p - offset;
        }
        buffer.putByte(p++, OK);
        buffer.putByte(p++, (byte)result.kind.ordinal());
        buffer.putLong(p, result.number);
        p += 8;
        switch (result.kind)
        {
            case STRING:
                p += putString(buffer, p, (String)result.value);
                break;
            case EVENT:
            {
                final Event e = (Event)result.value;
                buffer.putByte(p++, e.kind());
                p += putString(buffer, p, e.name());
                p += putNullable(buffer, p, e.type());
                buffer.putLong(p, e.a());
                buffer.putLong(p + 8, e.b());
                p += 16;
                final byte[] payload = e.payload();
                buffer.putInt(p, payload == null ? -1 : payload.length);
                p += 4;
                if (payload != null)
                {
                    buffer.putBytes(p, payload);
                    p += payload.length;
                }
                break;
            }
            case PIDS:
            {
                final long[] pids = (long[])result.value;
                buffer.putInt(p, pids.length);
                p += 4;
                for (final long pid : pids)
                {
                    buffer.putLong(p, pid);
                    p += 8;
                }
                break;
            }
            case INFO:
                p = putInfo(buffer, p, (ProcessInfo)result.value);
                break;
            case PROCESSES:
            {
                final ProcessInfo[] infos = (ProcessInfo[])result.value;
                buffer.putInt(p, infos.length);
                p += 4;
                for (final ProcessInfo info : infos)
                {
                    p = putInfo(buffer, p, info);
                }
                break;
            }
            default:
                break;
        }
        return p - offset;
    }

    /**
     * @return the bytes {@link #encode} writes for this reply, without writing them: the length a
     *     writer claims in a ring before encoding in place.
     */
    public static int encodedLength(final SyscallResult result, final String refusal)
    {
        if (refusal != null)
        {
            return 8 + 1 + utf8(refusal);
        }
        if (result.error != null)
        {
            return 8 + 2;
        }
        int length = 8 + 2 + 8;
        switch (result.kind)
        {
            case STRING:
                length += utf8((String)result.value);
                break;
            case EVENT:
            {
                final Event e = (Event)result.value;
                length += 1 + utf8(e.name()) + (e.type() == null ? 4 : utf8(e.type())) + 16 + 4;
                length += e.payload() == null ? 0 : e.payload().length;
                break;
            }
            case PIDS:
                length += 4 + 8 * ((long[])result.value).length;
                break;
            case INFO:
                length += infoLength((ProcessInfo)result.value);
                break;
            case PROCESSES:
                length += 4;
                for (final ProcessInfo info : (ProcessInfo[])result.value)
                {
                    length += infoLength(info);
                }
                break;
            default:
                break;
        }
        return length;
    }

    private static int infoLength(final ProcessInfo info)
    {
        return 24 + utf8(info.name()) + utf8(info.user()) + utf8(info.state());
    }

    /** @return the bytes of {@code value} as {@code putStringUtf8} writes it: an int length, then UTF-8. */
    private static int utf8(final String value)
    {
        return 4 + ember.journal.RecordCodec.utf8Length(value);
    }

    /** @return the position after {@code info}, written at {@code p}. */
    private static int putInfo(final MutableDirectBuffer buffer, final int offset, final ProcessInfo info)
    {
        int p = offset;
        buffer.putLong(p, info.id());
        buffer.putLong(p + 8, info.parent());
        buffer.putInt(p + 16, info.queued());
        buffer.putInt(p + 20, info.timers());
        p += 24;
        p += putString(buffer, p, info.name());
        p += putString(buffer, p, info.user());
        p += putString(buffer, p, info.state());
        return p;
    }

    /** @return the correlation id of a reply at {@code offset}. */
    public static long correlation(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset);
    }

    /**
     * Decode a reply into the client's {@code result}; an event's parameters are decoded with
     * {@code payloads}.
     *
     * @return the refusal message, or null when {@code result} holds the outcome.
     */
    public static String decode(
        final DirectBuffer buffer, final int offset, final CallResult result, final PayloadCodec payloads)
    {
        result.clear();
        int p = offset + 8;
        final byte status = buffer.getByte(p++);
        if (status == REFUSAL)
        {
            return buffer.getStringUtf8(p);
        }
        if (status == ERROR)
        {
            result.error = ERRORS[buffer.getByte(p)].message();
            return null;
        }
        final SyscallResult.Kind kind = KINDS[buffer.getByte(p++)];
        result.present = kind != SyscallResult.Kind.NIL;
        result.number = buffer.getLong(p);
        p += 8;
        switch (kind)
        {
            case STRING:
                result.value = buffer.getStringUtf8(p);
                break;
            case EVENT:
            {
                final byte eventKind = buffer.getByte(p++);
                final String name = buffer.getStringUtf8(p);
                p += 4 + buffer.getInt(p);
                final int typeLength = buffer.getInt(p);
                final String type = typeLength < 0 ? null : buffer.getStringUtf8(p);
                p += 4 + Math.max(typeLength, 0);
                final long a = buffer.getLong(p);
                final long b = buffer.getLong(p + 8);
                p += 16;
                final int payloadLength = buffer.getInt(p);
                p += 4;
                byte[] payload = null;
                if (payloadLength >= 0)
                {
                    payload = new byte[payloadLength];
                    buffer.getBytes(p, payload);
                }
                final Event event = Event.of(eventKind, name, type, a, b, payload);
                result.value = new ReceivedEvent(event.name(), event.params(payloads));
                break;
            }
            case PIDS:
            {
                final long[] pids = new long[buffer.getInt(p)];
                p += 4;
                for (int i = 0; i < pids.length; i++)
                {
                    pids[i] = buffer.getLong(p);
                    p += 8;
                }
                result.value = pids;
                break;
            }
            case INFO:
                result.value = getInfo(buffer, p);
                break;
            case PROCESSES:
            {
                final ProcessInfo[] infos = new ProcessInfo[buffer.getInt(p)];
                p += 4;
                for (int i = 0; i < infos.length; i++)
                {
                    infos[i] = getInfo(buffer, p);
                    p = skipInfo(buffer, p);
                }
                result.value = infos;
                break;
            }
            default:
                break;
        }
        return null;
    }

    private static ProcessInfo getInfo(final DirectBuffer buffer, final int offset)
    {
        final long id = buffer.getLong(offset);
        final long parent = buffer.getLong(offset + 8);
        final int queued = buffer.getInt(offset + 16);
        final int timers = buffer.getInt(offset + 20);
        int p = offset + 24;
        final String name = buffer.getStringUtf8(p);
        p += 4 + buffer.getInt(p);
        final String user = buffer.getStringUtf8(p);
        p += 4 + buffer.getInt(p);
        final String state = buffer.getStringUtf8(p);
        return new ProcessInfo(id, name, user, parent, state, queued, timers);
    }

    /** @return the position after the info written at {@code offset}. */
    private static int skipInfo(final DirectBuffer buffer, final int offset)
    {
        int p = offset + 24;
        for (int i = 0; i < 3; i++) // name, user, state
        {
            p += 4 + buffer.getInt(p);
        }
        return p;
    }

    /**
     * As {@code putStringUtf8} (an int length, then UTF-8), without its allocation for ASCII,
     * which is its own UTF-8: event names on every pull's reply.
     *
     * @return the bytes written.
     */
    private static int putString(final MutableDirectBuffer buffer, final int p, final String value)
    {
        final int length = value.length();
        for (int i = 0; i < length; i++)
        {
            if (value.charAt(i) >= 0x80)
            {
                return buffer.putStringUtf8(p, value);
            }
        }
        buffer.putInt(p, length);
        for (int i = 0; i < length; i++)
        {
            buffer.putByte(p + 4 + i, (byte)value.charAt(i));
        }
        return 4 + length;
    }

    private static int putNullable(final MutableDirectBuffer buffer, final int p, final String value)
    {
        if (value == null)
        {
            buffer.putInt(p, -1);
            return 4;
        }
        return putString(buffer, p, value);
    }
}
