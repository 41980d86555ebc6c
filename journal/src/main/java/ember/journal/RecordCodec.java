package ember.journal;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The one codec of journal records, used by the live kernel, recovery and the replay tool alike.
 * <p>
 * Frame layout (little endian):
 * <pre>
 *   int   bodyLength
 *   int   crc32c(body)
 *   body: byte version, byte presence bits, short type code,
 *         long index, long timestamp, long pid, int client,
 *         long arg0, long arg1, double number,
 *         [int len, utf-8 text] [int len, payload] [int count, (int len, utf-8 name)*]
 * </pre>
 * Not thread-safe: one instance per thread (it owns a CRC and a scratch buffer).
 */
public final class RecordCodec
{
    public static final byte VERSION = 1;
    /** Upper bound of one encoded record; larger frames are refused as corrupt on read. */
    public static final int MAX_FRAME_BYTES = 16 * 1024 * 1024;
    public static final int MAX_NAMES = 4096;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final int HEADER_BYTES = 8;
    private static final int FIXED_BODY_BYTES = 1 + 1 + 2 + 8 + 8 + 8 + 4 + 8 + 8 + 8;
    private static final int HAS_TEXT = 1;
    private static final int HAS_PAYLOAD = 2;
    private static final int HAS_NAMES = 4;

    private static final int CRC_CHUNK_BYTES = 256;

    private final CRC32C crc = new CRC32C();
    private final byte[] crcChunk = new byte[CRC_CHUNK_BYTES];
    /** Recently decoded short ASCII strings, so that decoding names allocates nothing. */
    private final AsciiStringCache recentStrings = new AsciiStringCache();
    private final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(256);
    private final UnsafeBuffer readView = new UnsafeBuffer(new byte[0]);

    /**
     * Encode a record into this codec's scratch buffer.
     *
     * @param record to encode.
     * @return the frame length; the frame is {@link #frameBuffer()} from 0.
     */
    public int encode(final SyscallRecord record)
    {
        return encode(record, scratch, 0);
    }

    /** @return the buffer {@link #encode(SyscallRecord)} wrote the last frame to. */
    public MutableDirectBuffer frameBuffer()
    {
        return scratch;
    }

    /** @return the backing array of {@link #frameBuffer()}. */
    public byte[] frameArray()
    {
        return scratch.byteArray();
    }

    /**
     * Encode a record as a frame at {@code offset} of {@code buffer}.
     *
     * @return the frame length in bytes.
     */
    /**
     * @return the bytes {@link #encode(SyscallRecord, MutableDirectBuffer, int)} writes for
     *     {@code record}: what a writer claims before encoding in place (a ring's claimed slot, a
     *     journal document). Allocates nothing.
     */
    public static int encodedLength(final SyscallRecord record)
    {
        int length = HEADER_BYTES + FIXED_BODY_BYTES;
        if (record.text != null)
        {
            length += 4 + utf8Length(record.text);
        }
        if (record.payload != null)
        {
            length += 4 + record.payload.length;
        }
        if (record.names != null)
        {
            length += 4;
            for (final String name : record.names)
            {
                length += 4 + utf8Length(name);
            }
        }
        return length;
    }

    /** @return the length of {@code value} in UTF-8, as {@link String#getBytes} encodes it (an unpaired surrogate as '?'). */
    public static int utf8Length(final String value)
    {
        int bytes = 0;
        for (int i = 0, n = value.length(); i < n; i++)
        {
            final char c = value.charAt(i);
            if (c < 0x80)
            {
                bytes += 1;
            }
            else if (c < 0x800)
            {
                bytes += 2;
            }
            else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(value.charAt(i + 1)))
            {
                bytes += 4;
                i++;
            }
            else if (Character.isSurrogate(c))
            {
                bytes += 1;
            }
            else
            {
                bytes += 3;
            }
        }
        return bytes;
    }

    public int encode(final SyscallRecord record, final MutableDirectBuffer buffer, final int offset)
    {
        int bits = 0;
        if (record.text != null)
        {
            bits |= HAS_TEXT;
        }
        if (record.payload != null)
        {
            bits |= HAS_PAYLOAD;
        }
        if (record.names != null)
        {
            bits |= HAS_NAMES;
        }

        int p = offset + HEADER_BYTES;
        buffer.putByte(p, VERSION);
        buffer.putByte(p + 1, (byte)bits);
        buffer.putShort(p + 2, (short)record.type.code(), ORDER);
        buffer.putLong(p + 4, record.index, ORDER);
        buffer.putLong(p + 12, record.timestamp, ORDER);
        buffer.putLong(p + 20, record.pid, ORDER);
        buffer.putInt(p + 28, record.client, ORDER);
        buffer.putLong(p + 32, record.arg0, ORDER);
        buffer.putLong(p + 40, record.arg1, ORDER);
        buffer.putDouble(p + 48, record.number, ORDER);
        p += FIXED_BODY_BYTES;

        if (record.text != null)
        {
            p += putString(buffer, p, record.text);
        }
        if (record.payload != null)
        {
            buffer.putInt(p, record.payload.length, ORDER);
            buffer.putBytes(p + 4, record.payload);
            p += 4 + record.payload.length;
        }
        if (record.names != null)
        {
            buffer.putInt(p, record.names.length, ORDER);
            p += 4;
            for (final String name : record.names)
            {
                p += putString(buffer, p, name);
            }
        }

        final int bodyLength = p - offset - HEADER_BYTES;
        buffer.putInt(offset, bodyLength, ORDER);
        buffer.putInt(offset + 4, checksum(buffer, offset + HEADER_BYTES, bodyLength), ORDER);
        return HEADER_BYTES + bodyLength;
    }

    /**
     * Decode a frame into {@code record}, verifying its checksum and structure.
     *
     * @param buffer holding the frame.
     * @param offset of the frame.
     * @param length of the bytes available for the frame.
     * @param record to fill.
     * @throws CorruptRecordException when the frame is damaged or malformed.
     */
    public void decode(final DirectBuffer buffer, final int offset, final int length, final SyscallRecord record)
    {
        if (length < HEADER_BYTES + FIXED_BODY_BYTES)
        {
            throw new CorruptRecordException("record too short (" + length + " bytes)");
        }
        final int bodyLength = buffer.getInt(offset, ORDER);
        if (bodyLength != length - HEADER_BYTES)
        {
            throw new CorruptRecordException(
                "record length field " + bodyLength + " does not match frame of " + length + " bytes");
        }
        final int expectedCrc = buffer.getInt(offset + 4, ORDER);
        final int body = offset + HEADER_BYTES;
        if (checksum(buffer, body, bodyLength) != expectedCrc)
        {
            throw new CorruptRecordException("record checksum mismatch (CRC32C)");
        }
        final byte version = buffer.getByte(body);
        if (version != VERSION)
        {
            throw new CorruptRecordException("unknown record version " + version);
        }
        final int bits = buffer.getByte(body + 1);
        final int code = buffer.getShort(body + 2, ORDER);
        final SyscallType type = SyscallType.fromCode(code);
        if (type == null)
        {
            throw new CorruptRecordException("unknown record type " + code);
        }
        record.type = type;
        record.index = buffer.getLong(body + 4, ORDER);
        record.timestamp = buffer.getLong(body + 12, ORDER);
        record.pid = buffer.getLong(body + 20, ORDER);
        record.client = buffer.getInt(body + 28, ORDER);
        record.arg0 = buffer.getLong(body + 32, ORDER);
        record.arg1 = buffer.getLong(body + 40, ORDER);
        record.number = buffer.getDouble(body + 48, ORDER);

        final int end = body + bodyLength;
        int p = body + FIXED_BODY_BYTES;
        record.text = null;
        record.payload = null;
        record.names = null;
        if ((bits & HAS_TEXT) != 0)
        {
            final int len = checkedLength(buffer, p, end, "text");
            record.text = string(buffer, p + 4, len);
            p += 4 + len;
        }
        if ((bits & HAS_PAYLOAD) != 0)
        {
            final int len = checkedLength(buffer, p, end, "payload");
            final byte[] payload = new byte[len];
            buffer.getBytes(p + 4, payload);
            record.payload = payload;
            p += 4 + len;
        }
        if ((bits & HAS_NAMES) != 0)
        {
            if (p + 4 > end)
            {
                throw new CorruptRecordException("names count runs past the record");
            }
            final int count = buffer.getInt(p, ORDER);
            if (count < 0 || count > MAX_NAMES || count * 4L > end - p - 4)
            {
                throw new CorruptRecordException("bad names count " + count);
            }
            p += 4;
            final String[] names = new String[count];
            for (int i = 0; i < count; i++)
            {
                final int len = checkedLength(buffer, p, end, "name");
                names[i] = string(buffer, p + 4, len);
                p += 4 + len;
            }
            record.names = names;
        }
        if (p != end)
        {
            throw new CorruptRecordException((end - p) + " trailing bytes in record");
        }
    }

    /**
     * Decode a frame held in an array.
     *
     * @see #decode(DirectBuffer, int, int, SyscallRecord)
     */
    public void decode(final byte[] frame, final int length, final SyscallRecord record)
    {
        if (length < 0 || length > frame.length)
        {
            throw new CorruptRecordException("frame length " + length + " outside its array");
        }
        readView.wrap(frame, 0, frame.length);
        decode(readView, 0, length, record);
    }

    private int checksum(final DirectBuffer buffer, final int offset, final int length)
    {
        crc.reset();
        final byte[] array = buffer.byteArray();
        if (array != null)
        {
            crc.update(array, (int)(buffer.addressOffset() - BufferUtil.ARRAY_BASE_OFFSET) + offset, length);
        }
        else
        {
            // Off-heap (a ring's claimed slot, a journal document): CRC32C takes no address, so the
            // bytes pass through a small bounce array, a chunk at a time, for the checksum only.
            for (int done = 0; done < length; done += CRC_CHUNK_BYTES)
            {
                final int n = Math.min(CRC_CHUNK_BYTES, length - done);
                buffer.getBytes(offset + done, crcChunk, 0, n);
                crc.update(crcChunk, 0, n);
            }
        }
        return (int)crc.getValue();
    }

    /** The UTF-8 string of {@code length} bytes at {@code offset}: see {@link AsciiStringCache}. */
    private String string(final DirectBuffer buffer, final int offset, final int length)
    {
        return recentStrings.get(buffer, offset, length);
    }

    private static int checkedLength(final DirectBuffer buffer, final int p, final int end, final String what)
    {
        if (p + 4 > end)
        {
            throw new CorruptRecordException(what + " length runs past the record");
        }
        final int len = buffer.getInt(p, ORDER);
        if (len < 0 || len > end - p - 4)
        {
            throw new CorruptRecordException("bad " + what + " length " + len);
        }
        return len;
    }

    private static int putString(final MutableDirectBuffer buffer, final int p, final String value)
    {
        final int length = value.length();
        boolean ascii = true;
        for (int i = 0; i < length && ascii; i++)
        {
            ascii = value.charAt(i) < 0x80;
        }
        if (ascii)
        {
            // The common case, written without allocating: ASCII is its own UTF-8.
            buffer.putInt(p, length, ORDER);
            for (int i = 0; i < length; i++)
            {
                buffer.putByte(p + 4 + i, (byte)value.charAt(i));
            }
            return 4 + length;
        }
        final byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        buffer.putInt(p, bytes.length, ORDER);
        buffer.putBytes(p + 4, bytes);
        return 4 + bytes.length;
    }
}
