package ember.kernel.durability;

import ember.journal.CorruptRecordException;
import ember.journal.Journal;
import ember.journal.JournalReader;
import ember.journal.RecordCodec;
import ember.journal.SyscallRecord;
import ember.journal.SyscallType;
import ember.kernel.testing.TempDirs;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damaged journals: random and mutated bytes written as raw Chronicle documents into a queue
 * directory. {@link JournalReader} must read every intact record before the damage exactly and
 * then throw {@link CorruptRecordException} and nothing else (no other exception, no hang, no
 * allocation beyond the input). Mutations include ones with a recomputed CRC, so the structural
 * checks behind the checksum are reached too. Fixed seeds.
 */
class RecordDecoderFuzzTest
{
    private static final long[] SEEDS = {7, 11, 0xdecade};
    private static final int FRAMES_PER_SEED = 4_000;
    private static final int QUEUES_PER_SEED = 25;
    private static final long BUDGET_NS = TimeUnit.SECONDS.toNanos(3);

    private final List<Path> dirs = new ArrayList<>();

    @AfterEach
    void cleanup()
    {
        dirs.forEach(TempDirs::delete);
    }

    /** A random well-formed record with index {@code index}. */
    private static SyscallRecord record(final Random r, final long index)
    {
        final SyscallType[] types = SyscallType.values();
        SyscallType type;
        do
        {
            type = types[r.nextInt(types.length)];
        }
        while (type == SyscallType.CHECKPOINT); // a random checkpoint signs no chain value: the reader rightly refuses it
        final SyscallRecord record = new SyscallRecord().reset(type, r.nextInt(100));
        record.index = index;
        record.timestamp = r.nextLong();
        record.client = r.nextInt();
        record.arg0 = r.nextLong();
        record.arg1 = r.nextInt(3) == 0 ? Long.MIN_VALUE : r.nextLong();
        record.number = r.nextInt(5) == 0 ? Double.NaN : r.nextGaussian() * 1e6;
        record.text = r.nextBoolean() ? null : text(r, r.nextInt(40));
        if (r.nextBoolean())
        {
            record.payload = new byte[r.nextInt(200)];
            r.nextBytes(record.payload);
        }
        if (r.nextInt(3) == 0)
        {
            record.names = new String[r.nextInt(5)];
            for (int i = 0; i < record.names.length; i++)
            {
                record.names[i] = text(r, r.nextInt(10));
            }
        }
        return record;
    }

    /** Well-formed text (no unpaired surrogates: those do not round-trip, see JournalFidelityTest). */
    private static String text(final Random r, final int length)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++)
        {
            switch (r.nextInt(4))
            {
                case 0 -> sb.append((char)('a' + r.nextInt(26)));
                case 1 -> sb.append('\u00e9');
                case 2 -> sb.appendCodePoint(0x1F300 + r.nextInt(100));
                default -> sb.append((char)(0x4e00 + r.nextInt(100)));
            }
        }
        return sb.toString();
    }

    private static byte[] frame(final RecordCodec codec, final SyscallRecord record)
    {
        final int length = codec.encode(record);
        return Arrays.copyOf(codec.frameArray(), length);
    }

    /** Damage a frame; with {@code fixCrc} the header's length and CRC are made to match the damaged body. */
    private static byte[] mutate(final Random r, final byte[] frame)
    {
        byte[] bytes = frame.clone();
        final int kind = r.nextInt(10);
        switch (kind)
        {
            case 0 -> bytes[r.nextInt(bytes.length)] ^= (byte)(1 << r.nextInt(8)); // one bit
            case 1 ->
            {
                for (int i = r.nextInt(8); i >= 0; i--)
                {
                    bytes[r.nextInt(bytes.length)] = (byte)r.nextInt();
                }
            }
            case 2 -> bytes = Arrays.copyOf(bytes, r.nextInt(bytes.length)); // truncated
            case 3 ->
            {
                bytes = Arrays.copyOf(bytes, bytes.length + 1 + r.nextInt(16)); // trailing garbage
                for (int i = frame.length; i < bytes.length; i++)
                {
                    bytes[i] = (byte)r.nextInt();
                }
            }
            case 4 ->
            {
                bytes = new byte[r.nextInt(120)]; // noise
                r.nextBytes(bytes);
            }
            default ->
            {
                // A structural lie inside a body whose CRC is valid: a length, count, type or presence bits.
                final int[] offsets = structuralOffsets(frame);
                final int at = offsets[r.nextInt(offsets.length)];
                final int value = switch (r.nextInt(6))
                {
                    case 0 -> -1;
                    case 1 -> Integer.MAX_VALUE;
                    case 2 -> Integer.MIN_VALUE;
                    case 3 -> 4097;
                    case 4 -> r.nextInt(300);
                    default -> r.nextInt();
                };
                if (at + 4 <= bytes.length)
                {
                    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
                }
                else
                {
                    bytes[Math.min(at, bytes.length - 1)] = (byte)value;
                }
            }
        }
        if (kind >= 5 || r.nextInt(4) == 0)
        {
            fixHeader(bytes);
        }
        return bytes;
    }

    /** Offsets of the header, the version/bits/type bytes and every length or count field of a frame. */
    private static int[] structuralOffsets(final byte[] frame)
    {
        final List<Integer> offsets = new ArrayList<>(List.of(0, 8, 9, 10));
        final ByteBuffer buffer = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
        final int bits = frame[9];
        int p = 8 + 56; // header, then the fixed part of the body
        if ((bits & 1) != 0 && p + 4 <= frame.length)
        {
            offsets.add(p);
            p += 4 + buffer.getInt(p);
        }
        if ((bits & 2) != 0 && p + 4 <= frame.length)
        {
            offsets.add(p);
            p += 4 + buffer.getInt(p);
        }
        if ((bits & 4) != 0 && p + 4 <= frame.length)
        {
            offsets.add(p);
            final int count = buffer.getInt(p);
            p += 4;
            for (int i = 0; i < count && p + 4 <= frame.length; i++)
            {
                offsets.add(p);
                p += 4 + buffer.getInt(p);
            }
        }
        return offsets.stream().mapToInt(Integer::intValue).toArray();
    }

    private static void fixHeader(final byte[] bytes)
    {
        if (bytes.length < 8)
        {
            return;
        }
        final ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(0, bytes.length - 8);
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 8, bytes.length - 8);
        buffer.putInt(4, (int)crc.getValue());
    }

    @Test
    void intactFramesRoundTripAndDamagedOnesThrowOnlyCorruptRecord()
    {
        final long deadline = System.nanoTime() + BUDGET_NS;
        int damaged = 0;
        int accepted = 0;
        for (final long seed : SEEDS)
        {
            final Random r = new Random(seed);
            final RecordCodec codec = new RecordCodec();
            final SyscallRecord decoded = new SyscallRecord();
            for (int i = 0; i < FRAMES_PER_SEED && System.nanoTime() < deadline; i++)
            {
                final SyscallRecord original = record(r, i + 1);
                final byte[] frame = frame(codec, original);
                codec.decode(frame, frame.length, decoded);
                assertSame(original, decoded, "seed " + seed + " frame " + i);

                final byte[] bad = mutate(r, frame);
                try
                {
                    codec.decode(bad, bad.length, decoded);
                    accepted++; // a mutation can yield another well-formed record
                }
                catch (final CorruptRecordException expected)
                {
                    damaged++;
                }
                catch (final Throwable ex)
                {
                    throw new AssertionError("seed " + seed + " frame " + i + ": decoding " + hex(bad) + " threw " + ex, ex);
                }
            }
        }
        System.out.println("record decoder fuzz: " + damaged + " frames refused as corrupt, " + accepted + " accepted");
        assertTrue(damaged > 0);
    }

    @Test
    void journalReaderReadsUpToTheDamageThenThrowsOnlyCorruptRecord()
    {
        final long deadline = System.nanoTime() + BUDGET_NS;
        int queues = 0;
        for (final long seed : SEEDS)
        {
            final Random r = new Random(seed);
            for (int q = 0; q < QUEUES_PER_SEED && System.nanoTime() < deadline; q++)
            {
                final String where = "seed " + seed + " queue " + q;
                assertTimeoutPreemptively(Duration.ofSeconds(20), () -> damagedQueue(r, where), where + ": hung");
                queues++;
            }
        }
        System.out.println("journal reader fuzz: " + queues + " damaged queues");
    }

    private void damagedQueue(final Random r, final String where)
    {
        final Path dir = TempDirs.create("ember-decoder-fuzz");
        dirs.add(dir);
        final RecordCodec codec = new RecordCodec();
        final int good = r.nextInt(6);
        final List<SyscallRecord> written = new ArrayList<>();
        final List<byte[]> documents = new ArrayList<>();
        for (int i = 0; i < good; i++)
        {
            final SyscallRecord record = record(r, i + 1);
            written.add(record);
            documents.add(frame(codec, record));
        }
        final byte[] next = frame(codec, record(r, good + 1));
        final byte[] bad = switch (r.nextInt(5))
        {
            case 0 -> new byte[0]; // an empty document
            case 1 -> frame(codec, record(r, good + 1 + 1 + r.nextInt(5))); // an index gap
            case 2 -> frame(codec, record(r, good)); // a repeated index
            default -> mutate(r, next);
        };
        documents.add(bad);
        documents.add(next); // an intact record after the damage must not be reached silently
        try (ChronicleQueue queue = Journal.openQueue(dir, false, 1 << 16);
            ExcerptAppender appender = queue.createAppender())
        {
            for (final byte[] document : documents)
            {
                try (DocumentContext dc = appender.writingDocument())
                {
                    dc.wire().bytes().write(document);
                }
            }
        }

        final SyscallRecord read = new SyscallRecord();
        int n = 0;
        try (JournalReader reader = new JournalReader(dir, true))
        {
            while (reader.next(read))
            {
                if (n < written.size())
                {
                    assertSame(written.get(n), read, where + " record " + (n + 1));
                }
                else if (n == written.size())
                {
                    // The damaged document decoded as a well-formed record with the next index: then the
                    // intact one after it must be refused (its index repeats).
                    assertEquals(good + 1, read.index, where + ": accepted damaged document " + hex(bad));
                }
                else
                {
                    throw new AssertionError(where + ": read past a damaged document " + hex(bad));
                }
                n++;
            }
            throw new AssertionError(where + ": the journal ended without CorruptRecordException after " + n +
                " records; damaged document " + hex(bad));
        }
        catch (final CorruptRecordException expected)
        {
            assertTrue(n >= written.size(), where + ": an intact record was refused: " + expected.getMessage());
            assertFalse(expected.getMessage().isEmpty());
        }
        catch (final AssertionError ex)
        {
            throw ex;
        }
        catch (final Throwable ex)
        {
            throw new AssertionError(where + ": JournalReader threw " + ex + " on damaged document " + hex(bad), ex);
        }
    }

    private static void assertSame(final SyscallRecord expected, final SyscallRecord actual, final String where)
    {
        assertEquals(expected.type, actual.type, where);
        assertEquals(expected.index, actual.index, where);
        assertEquals(expected.timestamp, actual.timestamp, where);
        assertEquals(expected.pid, actual.pid, where);
        assertEquals(expected.client, actual.client, where);
        assertEquals(expected.arg0, actual.arg0, where);
        assertEquals(expected.arg1, actual.arg1, where);
        assertEquals(Double.doubleToRawLongBits(expected.number), Double.doubleToRawLongBits(actual.number), where);
        assertEquals(expected.text, actual.text, where);
        assertArrayEquals(expected.payload, actual.payload, where);
        assertArrayEquals(expected.names, actual.names, where);
    }

    private static String hex(final byte[] bytes)
    {
        final StringBuilder sb = new StringBuilder(bytes.length + " bytes ");
        for (int i = 0; i < Math.min(bytes.length, 96); i++)
        {
            sb.append(String.format("%02x", bytes[i]));
        }
        return sb.append(bytes.length > 96 ? "..." : "").toString();
    }
}
