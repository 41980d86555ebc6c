package ember.kernel.client;

import ember.journal.PayloadCodec;
import ember.journal.PayloadException;
import ember.journal.SyscallRecord;
import ember.journal.SyscallType;
import ember.kernel.state.SyscallValidator;

import java.util.Map;

/**
 * How each syscall's arguments go into its record: the one place for the blocking syscalls of
 * {@link ClientBase} and the pipelined ones of {@link Pipeline}. Each method resets the record
 * its {@link Holder} holds to a fresh syscall of {@code pid}, fills the arguments, and returns
 * the holder, so that a client method is one expression. The methods never fail: what may fail
 * on the client (payload encoding) is computed first, by {@link #table} and {@link #data}.
 * <p>
 * Stateless; the encoders use one codec per thread. Allocation: none, beyond the payload's bytes
 * and the copy of a non-empty pullEvent name list.
 */
final class SyscallRecords
{
    private static final ThreadLocal<PayloadCodec> CODECS = ThreadLocal.withInitial(PayloadCodec::new);
    private static final String[] ANY = new String[0];

    /**
     * What holds a syscall's record while it is filled and issued: a blocking call's frame, a
     * pipelined call. A class rather than an interface so that {@link #record()} stays out of
     * {@link PipelinedCall}'s public API.
     */
    abstract static class Holder
    {
        /** @return the record, owned by the thread that fills and issues it. */
        abstract SyscallRecord record();
    }

    private SyscallRecords()
    {
    }

    /** @return {@code call}, its record a {@code type} syscall of {@code pid} without arguments (getpid, getplist, peekEvent...). */
    static <H extends Holder> H plain(final H call, final SyscallType type, final long pid)
    {
        call.record().reset(type, pid);
        return call;
    }

    static <H extends Holder> H spawn(final H call, final long pid, final String name)
    {
        return text(call, SyscallType.SPAWN, pid, name);
    }

    static <H extends Holder> H exit(final H call, final long pid, final long code)
    {
        return arg0(call, SyscallType.EXIT, pid, code);
    }

    static <H extends Holder> H setuser(final H call, final long pid, final String user)
    {
        return text(call, SyscallType.SETUSER, pid, user);
    }

    static <H extends Holder> H getpinfo(final H call, final long pid, final long target)
    {
        return arg0(call, SyscallType.GETPINFO, pid, target);
    }

    static <H extends Holder> H register(final H call, final long pid, final String name)
    {
        return text(call, SyscallType.REGISTER, pid, name);
    }

    static <H extends Holder> H lookup(final H call, final long pid, final String name)
    {
        return text(call, SyscallType.LOOKUP, pid, name);
    }

    /** @param payload from {@link #table}. */
    static <H extends Holder> H queueEvent(final H call, final long pid, final String name, final byte[] payload)
    {
        text(call, SyscallType.QUEUE_EVENT, pid, name).record().payload = payload;
        return call;
    }

    /**
     * @param names   the event names (null or none: any), copied.
     * @param timeout seconds to wait: 0 = do not wait, {@link Syscalls#FOREVER} = no limit.
     */
    static <H extends Holder> H pullEvent(final H call, final long pid, final String[] names, final double timeout)
    {
        final SyscallRecord record = call.record().reset(SyscallType.PULL_EVENT, pid);
        record.names = names == null || names.length == 0 ? ANY : names.clone();
        record.number = timeout;
        return call;
    }

    /** @param payload from {@link #data}. */
    static <H extends Holder> H sendEvent(final H call, final long pid, final long target, final String name, final byte[] payload)
    {
        final SyscallRecord record = arg0(call, SyscallType.SEND_EVENT, pid, target).record();
        record.text = name;
        record.payload = payload;
        return call;
    }

    static <H extends Holder> H kill(final H call, final long pid, final long target, final long signal)
    {
        arg0(call, SyscallType.KILL, pid, target).record().arg1 = signal;
        return call;
    }

    /** @param installed true to install a handler, false to remove it. */
    static <H extends Holder> H signal(final H call, final long pid, final long signal, final boolean installed)
    {
        arg0(call, SyscallType.SIGNAL, pid, signal).record().arg1 = installed ? 1 : 0;
        return call;
    }

    static <H extends Holder> H timer(final H call, final long pid, final double seconds)
    {
        return number(call, SyscallType.TIMER, pid, seconds);
    }

    static <H extends Holder> H alarm(final H call, final long pid, final double hour)
    {
        return number(call, SyscallType.ALARM, pid, hour);
    }

    static <H extends Holder> H cancel(final H call, final long pid, final long id)
    {
        return arg0(call, SyscallType.CANCEL, pid, id);
    }

    /**
     * @return queueEvent's parameter table (null: empty), encoded.
     * @throws EmberException when it is not a table or cannot be encoded (the client's message).
     */
    static byte[] table(final Map<String, ?> params)
    {
        return encode(2, "queueEvent", params == null ? Map.of() : params, true);
    }

    /**
     * @return sendEvent's data, encoded.
     * @throws EmberException when it cannot be encoded (the client's message).
     */
    static byte[] data(final Object data)
    {
        return encode(3, "sendEvent", data, false);
    }

    private static <H extends Holder> H text(final H call, final SyscallType type, final long pid, final String text)
    {
        call.record().reset(type, pid).text = text;
        return call;
    }

    private static <H extends Holder> H arg0(final H call, final SyscallType type, final long pid, final long arg0)
    {
        call.record().reset(type, pid).arg0 = arg0;
        return call;
    }

    private static <H extends Holder> H number(final H call, final SyscallType type, final long pid, final double number)
    {
        call.record().reset(type, pid).number = number;
        return call;
    }

    private static byte[] encode(final int arg, final String fn, final Object value, final boolean table)
    {
        if (table && !(value instanceof Map))
        {
            throw new EmberException(SyscallValidator.notATable(arg, fn, value));
        }
        try
        {
            return CODECS.get().encode(value);
        }
        catch (final PayloadException ex)
        {
            if ("Payload too large".equals(ex.getMessage()))
            {
                throw new EmberException(ex.getMessage());
            }
            throw new EmberException(SyscallValidator.bad(arg, fn, ex.getMessage()));
        }
    }
}
