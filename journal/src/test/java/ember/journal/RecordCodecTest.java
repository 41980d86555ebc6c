package ember.journal;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RecordCodecTest
{
    private final RecordCodec codec = new RecordCodec();

    private static SyscallRecord sample()
    {
        final SyscallRecord r = new SyscallRecord().reset(SyscallType.SEND_EVENT, 7);
        r.index = 42;
        r.timestamp = 1_700_000_000_123_456_789L;
        r.client = 3;
        r.arg0 = 9;
        r.arg1 = -2;
        r.number = 2.5;
        r.text = "pïng";
        r.payload = new byte[] {1, 2, 3};
        r.names = new String[] {"a", "", "timer"};
        return r;
    }

    @Test
    void encodesInPlaceOffHeapExactlyAsOnHeapInTheLengthItAnnounces()
    {
        final SyscallRecord in = sample();
        for (final String text : new String[] {"pïng", "ascii", "\uD83D\uDE00 emoji", "lone \uD800 surrogate", ""})
        {
            in.text = text;
            final int length = codec.encode(in);
            assertEquals(length, RecordCodec.encodedLength(in), "announced length of " + text);
            final org.agrona.concurrent.UnsafeBuffer direct =
                new org.agrona.concurrent.UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(length + 16));
            assertEquals(length, codec.encode(in, direct, 16));
            final byte[] offHeap = new byte[length];
            direct.getBytes(16, offHeap);
            assertArrayEquals(Arrays.copyOf(codec.frameArray(), length), offHeap, "same bytes, same checksum: " + text);
            final SyscallRecord out = new SyscallRecord();
            codec.decode(direct, 16, length, out);
            assertEquals(text.contains("lone") ? text.replace('\uD800', '?') : text, out.text); // UTF-8 has no lone surrogate
        }
    }

    @Test
    void repeatedNamesDecodeToEqualStrings()
    {
        final SyscallRecord in = sample();
        final int length = codec.encode(in);
        final byte[] frame = Arrays.copyOf(codec.frameArray(), length);
        final SyscallRecord first = new SyscallRecord();
        final SyscallRecord second = new SyscallRecord();
        codec.decode(frame, length, first);
        codec.decode(frame, length, second);
        assertArrayEquals(in.names, second.names);
        assertEquals(in.text, second.text);
        org.junit.jupiter.api.Assertions.assertSame(first.names[2], second.names[2], "a repeated short name is shared");
    }

    @Test
    void roundTripsEveryField()
    {
        final SyscallRecord in = sample();
        final int length = codec.encode(in);
        final SyscallRecord out = new SyscallRecord();
        codec.decode(Arrays.copyOf(codec.frameArray(), length), length, out);
        assertEquals(in.toString(), out.toString());
        assertArrayEquals(in.payload, out.payload);
        assertArrayEquals(in.names, out.names);
    }

    @Test
    void absentOptionalFieldsStayNull()
    {
        final SyscallRecord in = new SyscallRecord().reset(SyscallType.GETPID, 1);
        in.index = 1;
        final int length = codec.encode(in);
        final SyscallRecord out = sample();
        codec.decode(Arrays.copyOf(codec.frameArray(), length), length, out);
        assertNull(out.text);
        assertNull(out.payload);
        assertNull(out.names);
        assertEquals(SyscallType.GETPID, out.type);
    }

    @Test
    void everySingleBitFlipIsDetected()
    {
        final int length = codec.encode(sample());
        final byte[] frame = Arrays.copyOf(codec.frameArray(), length);
        for (int i = 0; i < length; i++)
        {
            for (int bit = 0; bit < 8; bit++)
            {
                final byte[] damaged = frame.clone();
                damaged[i] ^= (byte)(1 << bit);
                final int at = i;
                assertThrows(CorruptRecordException.class, () -> codec.decode(damaged, length, new SyscallRecord()),
                    "flip of bit " + bit + " in byte " + at + " went unnoticed");
            }
        }
    }

    @Test
    void truncatedAndRandomFramesAreRefusedWithCorruptRecordOnly()
    {
        final int length = codec.encode(sample());
        final byte[] frame = Arrays.copyOf(codec.frameArray(), length);
        for (int cut = 0; cut < length; cut++)
        {
            final int at = cut;
            assertThrows(CorruptRecordException.class, () -> codec.decode(frame, at, new SyscallRecord()), "cut at " + at);
        }
        final long seed = 7;
        final Random random = new Random(seed);
        for (int i = 0; i < 20_000; i++)
        {
            final byte[] junk = new byte[random.nextInt(120)];
            random.nextBytes(junk);
            try
            {
                codec.decode(junk, junk.length, new SyscallRecord());
            }
            catch (final CorruptRecordException expected)
            {
                // the only acceptable failure
            }
            catch (final RuntimeException ex)
            {
                throw new AssertionError("seed " + seed + " case " + i + ": " + ex, ex);
            }
        }
    }
}
