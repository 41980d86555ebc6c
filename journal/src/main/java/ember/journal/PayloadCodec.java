package ember.journal;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.KryoBufferOverflowException;
import com.esotericsoftware.kryo.io.KryoBufferUnderflowException;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.DefaultArraySerializers.ByteArraySerializer;
import com.esotericsoftware.kryo.serializers.DefaultSerializers.BooleanSerializer;
import com.esotericsoftware.kryo.serializers.DefaultSerializers.DoubleSerializer;
import com.esotericsoftware.kryo.serializers.DefaultSerializers.LongSerializer;
import com.esotericsoftware.kryo.serializers.DefaultSerializers.StringSerializer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Encodes and decodes the values Ember carries for clients (event parameter tables, {@code sendEvent}
 * data) with Kryo, for the journal and for handing values back to clients.
 *
 * <h2>Values</h2>
 * A value is first {@linkplain #normalize(Object) normalized}; after that it is one of, and only
 * of: {@code null} (Lua nil, only at the top level or as a list element), {@link String},
 * {@link Long}, {@link Double} (NaN and the infinities included), {@link Boolean}, {@code byte[]},
 * {@link ArrayList} and {@link TreeMap}{@code <String, Object>} (a table; never holds a null value).
 * Tables and lists nest at most {@link #DEFAULT_MAX_DEPTH} deep; the top-level table or list is
 * at depth 1. Anything else is refused with a {@link PayloadException} whose message is
 * user-facing.
 *
 * <h2>Byte format</h2>
 * Kryo with registration required, references off, and exactly seven registrations with fixed ids,
 * so bytes are stable across runs and JVMs: 10 {@code String}, 11 {@code Long}, 12 {@code Double},
 * 13 {@code Boolean}, 14 {@code byte[]}, 15 {@code ArrayList}, 16 {@code TreeMap}. Every value is
 * Kryo's class tag (varint of id + 2, or 0 for nil) followed by the body: Kryo's own serializers
 * for the scalars, and for a list the varint element count then each element as a value, for a
 * table the varint entry count then, in ascending key order, each key as a Kryo string followed
 * by its value. Encoding is canonical: equal normalized values give identical bytes. Never
 * renumber the ids.
 *
 * <h2>Defensive decoding</h2>
 * The bytes may come from a corrupted journal. {@link #decode(byte[])} throws
 * {@link PayloadException} and nothing else for any input it does not accept (empty, truncated,
 * unknown class ids, class names, trailing bytes, negative or oversized lengths, nesting deeper
 * than {@link #DEFAULT_MAX_DEPTH}, nil or out-of-order table keys); every declared length or count
 * is checked against the bytes remaining before anything is allocated, so decoding allocates in
 * proportion to the input. A value it returns is always in normalized form.
 *
 * <h2>Threads</h2>
 * <b>Not thread-safe.</b> An instance reuses one {@link Kryo}, one {@link Output} and one
 * {@link Input}; use one instance per thread. The static methods are thread-safe.
 */
public final class PayloadCodec
{
    /** How deeply tables and lists may nest; the top-level table or list is at depth 1. */
    public static final int DEFAULT_MAX_DEPTH = 32;

    /** The largest encoded payload, in bytes, of {@link #PayloadCodec()}: 1 MiB. */
    public static final int DEFAULT_MAX_ENCODED_BYTES = 1 << 20;

    private static final int ID_STRING = 10;
    private static final int ID_LONG = 11;
    private static final int ID_DOUBLE = 12;
    private static final int ID_BOOLEAN = 13;
    private static final int ID_BYTES = 14;
    private static final int ID_LIST = 15;
    private static final int ID_TABLE = 16;
    private static final int FIRST_ID = ID_STRING;
    private static final int LAST_ID = ID_TABLE;

    /** Kryo's class tag for nil. */
    private static final int TAG_NIL = Kryo.NULL;
    private static final byte[] NO_BYTES = new byte[0];
    private static final int MAX_REASON_CHARS = 80;

    private final int maxEncodedBytes;
    private final Kryo kryo;
    private final Output output;
    private final Input input;
    /** Indexed by id - FIRST_ID. */
    private final Registration[] registrations;
    /** Depth of the table or list being decoded; 0 outside any. */
    private int decodeDepth;

    /** A codec whose encoded payloads are at most {@link #DEFAULT_MAX_ENCODED_BYTES} (1 MiB). */
    public PayloadCodec()
    {
        this(DEFAULT_MAX_ENCODED_BYTES);
    }

    /**
     * A codec whose encoded payloads are at most {@code maxEncodedBytes} bytes.
     *
     * @throws IllegalArgumentException if {@code maxEncodedBytes < 1}
     */
    public PayloadCodec(final int maxEncodedBytes)
    {
        if (maxEncodedBytes < 1)
        {
            throw new IllegalArgumentException("maxEncodedBytes must be at least 1: " + maxEncodedBytes);
        }
        this.maxEncodedBytes = maxEncodedBytes;

        kryo = new Kryo();
        kryo.setRegistrationRequired(true);
        kryo.setReferences(false);
        // Drop Kryo's default registrations (ids 0..9: primitives and String) so that only the seven
        // below exist and each class has exactly one id.
        for (int id = 0; id < FIRST_ID; id++)
        {
            kryo.getClassResolver().unregister(id);
        }
        registrations = new Registration[LAST_ID - FIRST_ID + 1];
        register(String.class, new BoundedStringSerializer(), ID_STRING);
        register(Long.class, new LongSerializer(), ID_LONG);
        register(Double.class, new DoubleSerializer(), ID_DOUBLE);
        register(Boolean.class, new BooleanSerializer(), ID_BOOLEAN);
        register(byte[].class, new BoundedByteArraySerializer(), ID_BYTES);
        register(ArrayList.class, new ListSerializer(), ID_LIST);
        register(TreeMap.class, new TableSerializer(), ID_TABLE);

        output = new Output(Math.min(256, maxEncodedBytes), maxEncodedBytes);
        input = new Input();
    }

    private void register(final Class<?> type, final Serializer<?> serializer, final int id)
    {
        registrations[id - FIRST_ID] = kryo.register(type, serializer, id);
    }

    /** The largest encoded payload this codec produces, in bytes. */
    public int maxEncodedBytes()
    {
        return maxEncodedBytes;
    }

    /**
     * Normalizes then encodes any allowed value; {@code null} (Lua nil) is allowed at the top level.
     *
     * @return a new array holding the encoding; equal normalized values give identical bytes
     * @throws PayloadException if the value has an unsupported type, a non-string table key, nests
     *     deeper than {@link #DEFAULT_MAX_DEPTH}, is cyclic, or encodes to more than
     *     {@link #maxEncodedBytes()} bytes ("Payload too large")
     */
    public byte[] encode(final Object value)
    {
        return encodeNormalized(normalize(value, maxEncodedBytes));
    }

    /**
     * As {@link #encode(Object)}, but the value must be a {@link Map} (a parameter table).
     *
     * @throws PayloadException "expected table (got TYPE)" if it is not a {@link Map}, or as
     *     {@link #encode(Object)}
     */
    public byte[] encodeTable(final Object value)
    {
        if (!(value instanceof Map))
        {
            throw new PayloadException(
                "expected table (got " + (value instanceof List ? "list" : luaType(value)) + ")");
        }
        return encode(value);
    }

    private byte[] encodeNormalized(final Object normalized)
    {
        output.reset();
        try
        {
            writeValue(output, normalized);
        }
        catch (final KryoBufferOverflowException ex)
        {
            throw new PayloadException("Payload too large");
        }
        finally
        {
            kryo.reset();
        }
        return output.toBytes();
    }

    /**
     * Decodes a whole array.
     *
     * @return the value, in normalized form (null for nil)
     * @throws PayloadException "malformed payload: REASON" for anything not exactly one valid
     *     encoded value, including a null or empty array and trailing bytes
     */
    public Object decode(final byte[] bytes)
    {
        if (bytes == null)
        {
            throw malformed("no bytes");
        }
        return decode(bytes, 0, bytes.length);
    }

    /**
     * Decodes {@code length} bytes of {@code bytes} from {@code offset}; those bytes must hold exactly
     * one encoded value.
     *
     * @return the value, in normalized form (null for nil)
     * @throws PayloadException "malformed payload: REASON" for anything not exactly one valid
     *     encoded value, and also for a null array or an offset and length outside it
     */
    public Object decode(final byte[] bytes, final int offset, final int length)
    {
        if (bytes == null)
        {
            throw malformed("no bytes");
        }
        if (offset < 0 || length < 0 || offset > bytes.length - length)
        {
            throw malformed("offset " + offset + " and length " + length + " outside " + bytes.length + " bytes");
        }
        if (length == 0)
        {
            throw malformed("empty");
        }
        input.setBuffer(bytes, offset, length);
        decodeDepth = 0;
        try
        {
            final Object value = readValue(input);
            if (input.position() != input.limit())
            {
                throw malformed("trailing bytes after payload");
            }
            return value;
        }
        catch (final PayloadException ex)
        {
            throw ex;
        }
        catch (final KryoBufferUnderflowException ex)
        {
            throw malformed("truncated");
        }
        catch (final KryoException ex)
        {
            // Kryo says "Buffer too small" when a fixed-size read needs more than the whole buffer.
            final String message = ex.getMessage();
            throw malformed(message != null && message.startsWith("Buffer too small") ? "truncated" : shortReason(message));
        }
        catch (final RuntimeException ex)
        {
            final String message = ex.getMessage();
            throw malformed(ex.getClass().getSimpleName() + (message == null ? "" : ": " + shortReason(message)));
        }
        finally
        {
            input.setBuffer(NO_BYTES); // do not keep the caller's array reachable
            kryo.reset();
        }
    }

    /**
     * Whether {@link #decode(byte[])} would accept {@code bytes} (as a table when {@code table}),
     * found by walking the bytes without building the value: nothing is allocated (scratch
     * space for table keys grows to the longest key seen, once). Conservative: true only when
     * decode certainly returns a value (a {@link Map} when {@code table}); false also for inputs
     * the walk does not judge itself (non-ASCII strings), so a caller that needs the reason or
     * the verdict on those decodes them. For the service's hot path: a client's payload is
     * checked here and only decoded when this says false.
     */
    public boolean isWellFormed(final byte[] bytes, final boolean table)
    {
        if (bytes == null || bytes.length == 0)
        {
            return false;
        }
        input.setBuffer(bytes, 0, bytes.length);
        try
        {
            final int id = walkValue(input, 0, true);
            return id != WALK_UNSURE && (!table || id == ID_TABLE) && input.position() == input.limit();
        }
        catch (final RuntimeException ex)
        {
            return false; // decode gives the reason
        }
        finally
        {
            input.setBuffer(NO_BYTES);
        }
    }

    /** {@link #walkValue}: the walk cannot vouch for the value (decode would refuse it, or it cannot tell). */
    private static final int WALK_UNSURE = -1;
    /** {@link #walkValue}: a nil value. */
    private static final int WALK_NIL = 0;

    /** Scratch of {@link #walkTable}: the previous and the current key's chars (ASCII only). */
    private byte[] previousKey = new byte[32];
    private byte[] currentKey = new byte[32];

    /**
     * Walk one value as {@link #readValue} reads it. @return its class id, {@link #WALK_NIL}, or
     * {@link #WALK_UNSURE}.
     */
    private int walkValue(final Input in, final int depth, final boolean nilAllowed)
    {
        final int tag = in.readVarInt(true);
        if (tag == TAG_NIL)
        {
            return nilAllowed ? WALK_NIL : WALK_UNSURE;
        }
        final int id = tag - 2;
        switch (id)
        {
            case ID_STRING:
                return walkString(in, null) >= 0 ? id : WALK_UNSURE;
            case ID_LONG:
                in.readVarLong(false);
                return id;
            case ID_DOUBLE:
                in.readDouble();
                return id;
            case ID_BOOLEAN:
                in.readBoolean();
                return id;
            case ID_BYTES:
            {
                final int lengthPlusOne = in.readVarInt(true);
                if (lengthPlusOne <= 0 || lengthPlusOne - 1 > remaining(in))
                {
                    return WALK_UNSURE;
                }
                in.setPosition(in.position() + lengthPlusOne - 1);
                return id;
            }
            case ID_LIST:
            {
                final int count = in.readVarInt(true);
                if (depth + 1 > DEFAULT_MAX_DEPTH || count < 0 || count > remaining(in))
                {
                    return WALK_UNSURE;
                }
                for (int i = 0; i < count; i++)
                {
                    if (walkValue(in, depth + 1, true) == WALK_UNSURE)
                    {
                        return WALK_UNSURE;
                    }
                }
                return id;
            }
            case ID_TABLE:
                return walkTable(in, depth + 1) ? id : WALK_UNSURE;
            default:
                return WALK_UNSURE;
        }
    }

    /** Walk a table's entries: keys non-nil, ASCII and ascending (as String.compareTo orders them), values non-nil. */
    private boolean walkTable(final Input in, final int depth)
    {
        final int count = in.readVarInt(true);
        if (depth > DEFAULT_MAX_DEPTH || count < 0 || count > remaining(in) / 2)
        {
            return false;
        }
        int previousLength = -1;
        for (int i = 0; i < count; i++)
        {
            final int length = walkString(in, this);
            if (length < 0)
            {
                return false;
            }
            if (previousLength >= 0 && compareKeys(previousLength, length) <= 0)
            {
                return false; // out of order or repeated
            }
            final byte[] swap = previousKey;
            previousKey = currentKey;
            currentKey = swap;
            previousLength = length;
            final int id = walkValue(in, depth, false);
            if (id == WALK_UNSURE)
            {
                return false;
            }
        }
        return true;
    }

    /** @return the current key compared with the previous one, as String.compareTo of their (ASCII) chars. */
    private int compareKeys(final int previousLength, final int length)
    {
        final int n = Math.min(previousLength, length);
        for (int i = 0; i < n; i++)
        {
            final int d = currentKey[i] - previousKey[i];
            if (d != 0)
            {
                return d;
            }
        }
        return length - previousLength;
    }

    /**
     * Walk a Kryo string as {@link #readBoundedString} reads it, ASCII only; when {@code keys} is
     * given, its chars go to {@link #currentKey}.
     *
     * @return its length in chars, or -1 for nil, a non-ASCII char or a length past the bytes.
     */
    private static int walkString(final Input in, final PayloadCodec keys)
    {
        final byte[] buffer = in.getBuffer();
        final int limit = in.limit();
        int p = in.position();
        if (p >= limit)
        {
            return -1;
        }
        if ((buffer[p] & 0x80) == 0)
        {
            // ASCII form: chars up to and including the first byte with the high bit set.
            final int start = p;
            while (p < limit && (buffer[p] & 0x80) == 0)
            {
                p++;
            }
            if (p == limit)
            {
                return -1;
            }
            final int length = p + 1 - start;
            if (keys != null)
            {
                final byte[] key = keys.keyScratch(length);
                System.arraycopy(buffer, start, key, 0, length);
                key[length - 1] &= 0x7F;
            }
            in.setPosition(p + 1);
            return length;
        }
        final int countPlusOne = in.readVarIntFlag(true);
        if (countPlusOne <= 0)
        {
            return -1; // nil (or a negative count)
        }
        final int length = countPlusOne - 1;
        p = in.position();
        if (length > limit - p)
        {
            return -1;
        }
        for (int i = 0; i < length; i++)
        {
            if (buffer[p + i] < 0)
            {
                return -1; // a multi-byte char: decode judges it
            }
        }
        if (keys != null)
        {
            System.arraycopy(buffer, p, keys.keyScratch(length), 0, length);
        }
        in.setPosition(p + length);
        return length;
    }

    /** @return {@link #currentKey}, grown to hold {@code length} chars. */
    private byte[] keyScratch(final int length)
    {
        if (currentKey.length < length)
        {
            currentKey = new byte[Math.max(length, 2 * currentKey.length)];
        }
        return currentKey;
    }

    // ------------------------------------------------------------------------------------------
    // Normalization

    /**
     * A normalized deep copy of {@code value}: {@link Integer}, {@link Short}, {@link Byte} become
     * {@link Long}; {@link Float} becomes {@link Double}; any {@link Map} becomes a
     * {@link TreeMap}{@code <String, Object>} (sorted keys) without its null-valued entries (as in Lua
     * tables); any {@link List} becomes an {@link ArrayList} keeping null elements; {@code byte[]}
     * is copied; {@link String}, {@link Long}, {@link Double}, {@link Boolean} and {@code null} are
     * kept.
     *
     * <p>Same as {@code normalize(value, DEFAULT_MAX_ENCODED_BYTES)}: a value that could not encode
     * in {@link #DEFAULT_MAX_ENCODED_BYTES} is refused as too large.
     *
     * @throws PayloadException "unsupported value type: CLASS", "table keys must be strings (got
     *     TYPE)", "duplicate table key: KEY", "table nesting deeper than 32" (which also catches
     *     cycles) or "Payload too large"
     */
    public static Object normalize(final Object value)
    {
        return normalize(value, DEFAULT_MAX_ENCODED_BYTES);
    }

    /**
     * As {@link #normalize(Object)}, refusing with "Payload too large" a value that could not encode
     * in {@code maxEncodedBytes} (checked against a lower bound of the encoded size as the copy is
     * made, so huge or exponentially shared structures are refused quickly).
     */
    public static Object normalize(final Object value, final int maxEncodedBytes)
    {
        return new Normalizer(maxEncodedBytes).value(value, 0);
    }

    private static final class Normalizer
    {
        private final long limit;
        private long used;

        Normalizer(final long limit)
        {
            this.limit = limit;
        }

        /** Counts bytes the encoding will certainly take. */
        private void charge(final long bytes)
        {
            used += bytes;
            if (used > limit)
            {
                throw new PayloadException("Payload too large");
            }
        }

        /** {@code depth}: how many tables and lists enclose {@code value}. */
        Object value(final Object value, final int depth)
        {
            if (value == null)
            {
                charge(1);
                return null;
            }
            if (value instanceof String)
            {
                final String string = (String)value;
                charge(1 + Math.max(1, string.length())); // tag, then at least a byte per char
                return string;
            }
            if (value instanceof Long)
            {
                charge(2);
                return value;
            }
            if (value instanceof Integer || value instanceof Short || value instanceof Byte)
            {
                charge(2);
                return ((Number)value).longValue();
            }
            if (value instanceof Double)
            {
                charge(9);
                return value;
            }
            if (value instanceof Float)
            {
                charge(9);
                return ((Float)value).doubleValue();
            }
            if (value instanceof Boolean)
            {
                charge(2);
                return value;
            }
            if (value instanceof byte[])
            {
                final byte[] bytes = (byte[])value;
                charge(2L + bytes.length);
                return bytes.clone();
            }
            if (value instanceof Map)
            {
                return table((Map<?, ?>)value, enter(depth));
            }
            if (value instanceof List)
            {
                return list((List<?>)value, enter(depth));
            }
            throw new PayloadException("unsupported value type: " + value.getClass().getName());
        }

        private int enter(final int depth)
        {
            final int nested = depth + 1;
            if (nested > DEFAULT_MAX_DEPTH)
            {
                throw new PayloadException("table nesting deeper than " + DEFAULT_MAX_DEPTH);
            }
            charge(2); // tag and count
            return nested;
        }

        private TreeMap<String, Object> table(final Map<?, ?> map, final int depth)
        {
            final TreeMap<String, Object> copy = new TreeMap<>();
            for (final Map.Entry<?, ?> entry : map.entrySet())
            {
                final Object key = entry.getKey();
                if (!(key instanceof String))
                {
                    throw new PayloadException("table keys must be strings (got " + luaType(key) + ")");
                }
                final Object entryValue = entry.getValue();
                if (entryValue == null)
                {
                    continue;
                }
                final String name = (String)key;
                charge(Math.max(1, name.length()));
                if (copy.put(name, value(entryValue, depth)) != null)
                {
                    // Only a map that is not keyed by String equality (IdentityHashMap) gets here.
                    throw new PayloadException("duplicate table key: " + name);
                }
            }
            return copy;
        }

        private ArrayList<Object> list(final List<?> list, final int depth)
        {
            final ArrayList<Object> copy = new ArrayList<>(Math.min(list.size(), 1024));
            for (final Object element : list)
            {
                copy.add(value(element, depth));
            }
            return copy;
        }
    }

    /**
     * The Lua type name of a value, normalized or not: "nil" for null; "number" for
     * {@link Long}, {@link Integer}, {@link Short}, {@link Byte}, {@link Double}, {@link Float};
     * "string" for {@link String} and {@code byte[]}; "boolean"; "table" for any {@link Map} or
     * {@link List}; for anything else its Java simple class name.
     */
    public static String luaType(final Object value)
    {
        if (value == null)
        {
            return "nil";
        }
        if (value instanceof String || value instanceof byte[])
        {
            return "string";
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte
            || value instanceof Double || value instanceof Float)
        {
            return "number";
        }
        if (value instanceof Boolean)
        {
            return "boolean";
        }
        if (value instanceof Map || value instanceof List)
        {
            return "table";
        }
        final String simpleName = value.getClass().getSimpleName();
        return simpleName.isEmpty() ? value.getClass().getName() : simpleName;
    }

    // ------------------------------------------------------------------------------------------
    // Kryo plumbing

    /** Writes a normalized value: class tag, then body. */
    private void writeValue(final Output out, final Object value)
    {
        final Registration registration = kryo.writeClass(out, value == null ? null : value.getClass());
        if (registration != null)
        {
            @SuppressWarnings("unchecked")
            final Serializer<Object> serializer = registration.getSerializer();
            serializer.write(kryo, out, value);
        }
    }

    /**
     * Reads a value. The class tag is read here rather than by Kryo's class resolver so that only
     * our seven ids are accepted and a class-name tag never makes Kryo look a class up.
     */
    @SuppressWarnings("unchecked") // Kryo's Registration is not generic
    private Object readValue(final Input in)
    {
        final int tag = in.readVarInt(true);
        if (tag == TAG_NIL)
        {
            return null;
        }
        final int id = tag - 2;
        if (id < FIRST_ID || id > LAST_ID)
        {
            throw malformed("unknown class id " + id);
        }
        final Registration registration = registrations[id - FIRST_ID];
        final Serializer<Object> serializer = registration.getSerializer();
        final Object value = serializer.read(kryo, in, registration.getType());
        if (value == null)
        {
            throw malformed("nil " + registration.getType().getSimpleName());
        }
        return value;
    }

    private static int remaining(final Input in)
    {
        return in.limit() - in.position();
    }

    /** A table or list count: not negative and fitting in the bytes left at {@code minBytesEach}. */
    private static int checkCount(final Input in, final int count, final int minBytesEach)
    {
        if (count < 0)
        {
            throw malformed("negative length");
        }
        if (count > remaining(in) / minBytesEach)
        {
            throw malformed("length " + count + " exceeds the bytes remaining");
        }
        return count;
    }

    /**
     * Reads a Kryo string (as {@link Output#writeString(String)} writes it), first checking that its
     * declared char count fits in the bytes left: Kryo itself allocates the char array first.
     * Returns null for Kryo's nil string.
     */
    private static String readBoundedString(final Input in)
    {
        final int start = in.position();
        if (in.readVarIntFlag()) // UTF-8 form, with a char count (the ASCII form has none)
        {
            final int countPlusOne = in.readVarIntFlag(true);
            if (countPlusOne < 0)
            {
                throw malformed("negative length");
            }
            // Each char takes at least one byte.
            checkCount(in, Math.max(0, countPlusOne - 1), 1);
            in.setPosition(start);
        }
        return in.readString();
    }

    private void enterTable()
    {
        if (++decodeDepth > DEFAULT_MAX_DEPTH)
        {
            throw malformed("table nesting deeper than " + DEFAULT_MAX_DEPTH);
        }
    }

    private void exitTable()
    {
        decodeDepth--;
    }

    private static PayloadException malformed(final String reason)
    {
        return new PayloadException("malformed payload: " + reason);
    }

    private static String shortReason(final String message)
    {
        if (message == null || message.isEmpty())
        {
            return "unreadable";
        }
        final int newline = message.indexOf('\n');
        String reason = newline < 0 ? message : message.substring(0, newline);
        if (reason.length() > MAX_REASON_CHARS)
        {
            reason = reason.substring(0, MAX_REASON_CHARS) + "...";
        }
        return reason.strip();
    }

    /** Kryo's string serializer, with the declared length checked before anything is allocated. */
    private static final class BoundedStringSerializer extends StringSerializer
    {
        @Override
        public String read(final Kryo kryo, final Input in, final Class<? extends String> type)
        {
            return readBoundedString(in);
        }
    }

    /** Kryo's byte array serializer, with the declared length checked before anything is allocated. */
    private static final class BoundedByteArraySerializer extends ByteArraySerializer
    {
        @Override
        @SuppressWarnings("rawtypes") // the signature Kryo's ByteArraySerializer declares
        public byte[] read(final Kryo kryo, final Input in, final Class type)
        {
            final int lengthPlusOne = in.readVarInt(true);
            if (lengthPlusOne == Kryo.NULL)
            {
                return null;
            }
            if (lengthPlusOne < 0)
            {
                throw malformed("negative length");
            }
            return in.readBytes(checkCount(in, lengthPlusOne - 1, 1));
        }
    }

    /** An {@link ArrayList}: varint count, then each element as a value (at least one byte each). */
    private final class ListSerializer extends Serializer<ArrayList<Object>>
    {
        @Override
        public void write(final Kryo kryo, final Output out, final ArrayList<Object> list)
        {
            out.writeVarInt(list.size(), true);
            for (int i = 0, size = list.size(); i < size; i++)
            {
                writeValue(out, list.get(i));
            }
        }

        @Override
        public ArrayList<Object> read(final Kryo kryo, final Input in, final Class<? extends ArrayList<Object>> type)
        {
            enterTable();
            final int count = checkCount(in, in.readVarInt(true), 1);
            final ArrayList<Object> list = new ArrayList<>(count);
            for (int i = 0; i < count; i++)
            {
                list.add(readValue(in));
            }
            exitTable();
            return list;
        }
    }

    /**
     * A {@link TreeMap}{@code <String, Object>}: varint count, then in ascending key order each key as a
     * Kryo string and its value (at least two bytes an entry). Decoding refuses nil keys or values and
     * keys out of order or repeated.
     */
    private final class TableSerializer extends Serializer<TreeMap<String, Object>>
    {
        @Override
        public void write(final Kryo kryo, final Output out, final TreeMap<String, Object> table)
        {
            out.writeVarInt(table.size(), true);
            for (final Map.Entry<String, Object> entry : table.entrySet())
            {
                out.writeString(entry.getKey());
                writeValue(out, entry.getValue());
            }
        }

        @Override
        public TreeMap<String, Object> read(
            final Kryo kryo, final Input in, final Class<? extends TreeMap<String, Object>> type)
        {
            enterTable();
            final int count = checkCount(in, in.readVarInt(true), 2);
            final TreeMap<String, Object> table = new TreeMap<>();
            String previous = null;
            for (int i = 0; i < count; i++)
            {
                final String key = readBoundedString(in);
                if (key == null)
                {
                    throw malformed("nil table key");
                }
                if (previous != null && key.compareTo(previous) <= 0)
                {
                    throw malformed("table keys out of order");
                }
                final Object value = readValue(in);
                if (value == null)
                {
                    throw malformed("nil table value");
                }
                table.put(key, value);
                previous = key;
            }
            exitTable();
            return table;
        }
    }
}
