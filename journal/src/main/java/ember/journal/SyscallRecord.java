package ember.journal;

import java.util.Arrays;

/**
 * One journal record: a syscall as a client issued it, or an action the kernel took on its own.
 * <p>
 * A mutable flyweight: the core and the readers reuse one instance per thread and overwrite it
 * record after record, so it must not be shared between threads or kept after the next read.
 * Which argument slots a type uses is documented on {@link SyscallType}; unused slots are zero
 * or null and are still written, so the encoding of a record is fully determined by its fields.
 */
public final class SyscallRecord
{
    /** Position of the record in the journal, 1-based and gap-free. */
    public long index;
    /** Kernel clock when the record was appended, epoch nanoseconds. The only time apply sees. */
    public long timestamp;
    /** The calling process, or 0 for kernel actions. */
    public long pid;
    /** The client that issued the syscall, or 0 for kernel actions. */
    public int client;
    public SyscallType type;
    /** First integer argument: a pid, a code, a signal, a timer id. */
    public long arg0;
    /** Second integer argument: a signal, a flag. */
    public long arg1;
    /** Fractional argument: timer seconds, alarm hour. */
    public double number;
    /** String argument: a process, event, service or user name; kernel configuration. */
    public String text;
    /** Kryo-encoded parameter table or event data, see {@link PayloadCodec}. */
    public byte[] payload;
    /** Event names of a {@code pullEvent} filter. */
    public String[] names;

    /**
     * Reset every field so the record can be filled for a new syscall.
     *
     * @param type of the new record.
     * @param pid  the calling process, 0 for kernel actions.
     * @return this, for chaining.
     */
    public SyscallRecord reset(final SyscallType type, final long pid)
    {
        this.index = 0;
        this.timestamp = 0;
        this.pid = pid;
        this.client = 0;
        this.type = type;
        this.arg0 = 0;
        this.arg1 = 0;
        this.number = 0;
        this.text = null;
        this.payload = null;
        this.names = null;
        return this;
    }

    /**
     * Copy every field of another record (arrays are shared, they are never mutated).
     *
     * @param other to copy from.
     * @return this, for chaining.
     */
    public SyscallRecord copyFrom(final SyscallRecord other)
    {
        index = other.index;
        timestamp = other.timestamp;
        pid = other.pid;
        client = other.client;
        type = other.type;
        arg0 = other.arg0;
        arg1 = other.arg1;
        number = other.number;
        text = other.text;
        payload = other.payload;
        names = other.names;
        return this;
    }

    @Override
    public String toString()
    {
        return "SyscallRecord{index=" + index + ", timestamp=" + timestamp + ", pid=" + pid +
            ", client=" + client + ", type=" + type + ", arg0=" + arg0 + ", arg1=" + arg1 +
            ", number=" + number + ", text=" + text +
            ", payload=" + (payload == null ? "null" : payload.length + " bytes") +
            ", names=" + Arrays.toString(names) + '}';
    }
}
