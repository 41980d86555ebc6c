package ember.kernel.state;

import ember.journal.PayloadCodec;

import java.util.TreeMap;

/**
 * One queued event. Immutable and compact: the kernel keeps an event's parameters in the form it
 * received them (Kryo bytes) or as the few numbers a kernel event carries, and builds the
 * parameter table only when a client reads the event ({@link #params(PayloadCodec)}).
 */
public final class Event
{
    public static final byte PLAIN = 1;
    public static final byte REMOTE = 2;
    public static final byte TIMER = 3;
    public static final byte ALARM = 4;
    public static final byte SIGNAL = 5;
    public static final byte COMPLETE_CODE = 6;
    public static final byte COMPLETE_SIGNAL = 7;

    private final byte kind;
    private final String name;
    private final String type;
    private final long a;
    private final long b;
    private final byte[] payload;

    private Event(final byte kind, final String name, final String type, final long a, final long b, final byte[] payload)
    {
        this.kind = kind;
        this.name = name;
        this.type = type;
        this.a = a;
        this.b = b;
        this.payload = payload;
    }

    /**
     * Rebuild an event from its parts (transports that carry events between processes).
     *
     * @throws IllegalArgumentException for an unknown kind.
     */
    public static Event of(final byte kind, final String name, final String type, final long a, final long b,
        final byte[] payload)
    {
        if (kind < PLAIN || kind > COMPLETE_SIGNAL)
        {
            throw new IllegalArgumentException("unknown event kind " + kind);
        }
        return new Event(kind, name, type, a, b, payload);
    }

    /** An event a process queued to itself: {@code name} with an encoded parameter table. */
    public static Event plain(final String name, final byte[] params)
    {
        return new Event(PLAIN, name, null, 0, 0, params);
    }

    /** {@code remote_event {sender, type, data}}; {@code data} is the encoded value (may encode nil). */
    public static Event remote(final long sender, final String type, final byte[] data)
    {
        return new Event(REMOTE, "remote_event", type, sender, 0, data);
    }

    /** {@code timer {id}}. */
    public static Event timer(final long id)
    {
        return new Event(TIMER, "timer", null, id, 0, null);
    }

    /** {@code alarm {id}}. */
    public static Event alarm(final long id)
    {
        return new Event(ALARM, "alarm", null, id, 0, null);
    }

    /** {@code signal {signal}}. */
    public static Event signal(final long signal)
    {
        return new Event(SIGNAL, "signal", null, signal, 0, null);
    }

    /** {@code process_complete {id, code}}. */
    public static Event completedWithCode(final long pid, final long code)
    {
        return new Event(COMPLETE_CODE, "process_complete", null, pid, code, null);
    }

    /** {@code process_complete {id, signal}}. */
    public static Event completedBySignal(final long pid, final long signal)
    {
        return new Event(COMPLETE_SIGNAL, "process_complete", null, pid, signal, null);
    }

    /** @return the event name. */
    public String name()
    {
        return name;
    }

    /** @return the kind, one of the constants of this class. */
    public byte kind()
    {
        return kind;
    }

    /** @return the remote event's type, null for other kinds. */
    public String type()
    {
        return type;
    }

    /** @return the first number the event carries (sender, id, signal). */
    public long a()
    {
        return a;
    }

    /** @return the second number the event carries (exit code or signal of process_complete). */
    public long b()
    {
        return b;
    }

    /** @return the encoded payload (params of a plain event, data of a remote one), else null. */
    public byte[] payload()
    {
        return payload;
    }

    /** @return the encoded size the event counts against limits. */
    public int payloadBytes()
    {
        return payload == null ? 0 : payload.length;
    }

    /**
     * Build the parameter table a client sees.
     *
     * @param codec to decode the payload with (owned by the calling thread).
     * @return a sorted table of the event's parameters.
     */
    public TreeMap<String, Object> params(final PayloadCodec codec)
    {
        final TreeMap<String, Object> table = new TreeMap<>();
        switch (kind)
        {
            case PLAIN:
                @SuppressWarnings("unchecked")
                final TreeMap<String, Object> params = (TreeMap<String, Object>)codec.decode(payload);
                return params;
            case REMOTE:
                table.put("sender", a);
                table.put("type", type);
                final Object data = codec.decode(payload);
                if (data != null)
                {
                    table.put("data", data);
                }
                return table;
            case TIMER:
            case ALARM:
                table.put("id", a);
                return table;
            case SIGNAL:
                table.put("signal", a);
                return table;
            case COMPLETE_CODE:
                table.put("id", a);
                table.put("code", b);
                return table;
            case COMPLETE_SIGNAL:
                table.put("id", a);
                table.put("signal", b);
                return table;
            default:
                throw new IllegalStateException("unknown event kind " + kind);
        }
    }
}
