package ember.journal;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class AsciiStringCacheTest
{
    private final AsciiStringCache cache = new AsciiStringCache();

    @Test
    void everyLengthDecodesToTheSameTextOnAndOffHeap()
    {
        final StringBuilder text = new StringBuilder();
        for (int length = 0; length <= AsciiStringCache.MAX_BYTES + 3; length++)
        {
            final String expected = text.toString();
            assertEquals(expected, decodeOnHeap(expected, 3), "on heap, length " + length);
            assertEquals(expected, decodeOffHeap(expected, 5), "off heap, length " + length);
            text.append((char)('a' + length % 26));
        }
    }

    @Test
    void aRepeatedNameIsTheCachedInstance()
    {
        final String first = decodeOnHeap("remote_event", 0);
        assertSame(first, decodeOnHeap("remote_event", 7));
        assertSame(first, decodeOffHeap("remote_event", 1));
    }

    @Test
    void namesThatDifferInOneByteOrInLengthAreNeverConfused()
    {
        // Same words but the tail, same tail but one word, a prefix, trailing NULs.
        final String[] names = {"tick", "tock", "tick\0", "ticks", "abcdefgh", "abcdefgi", "bbcdefgh",
            "abcdefghtick", "abcdefghtock", "", "\0", "\0\0\0\0\0\0\0\0"};
        for (int round = 0; round < 3; round++)
        {
            for (final String name : names)
            {
                assertEquals(name, decodeOnHeap(name, round));
            }
        }
    }

    @Test
    void randomNamesMatchTheirBytesWhateverCollides()
    {
        final long seed = 20261201L;
        final SplittableRandom random = new SplittableRandom(seed);
        final String[] pool = new String[2000]; // far more names than slots: slots are overwritten
        for (int i = 0; i < pool.length; i++)
        {
            final char[] chars = new char[random.nextInt(0, 20)];
            for (int c = 0; c < chars.length; c++)
            {
                chars[c] = (char)random.nextInt(0, 128);
            }
            pool[i] = new String(chars);
        }
        for (int i = 0; i < 200_000; i++)
        {
            final String name = pool[random.nextInt(pool.length)];
            assertEquals(name, decodeOnHeap(name, i & 7), "seed " + seed + ", draw " + i);
        }
    }

    @Test
    void nonAsciiAndLongTextDecodeAsUtf8EachTime()
    {
        assertEquals("héllo wörld", decodeOnHeap("héllo wörld", 2));
        assertEquals("日本語のイベント名", decodeOffHeap("日本語のイベント名", 0));
        final String longName = "x".repeat(AsciiStringCache.MAX_BYTES + 1);
        assertEquals(longName, decodeOnHeap(longName, 0));
    }

    private String decodeOnHeap(final String text, final int offset)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        final byte[] array = new byte[offset + bytes.length + 16];
        array[offset + bytes.length] = (byte)0xFF; // a byte after the run must not count
        System.arraycopy(bytes, 0, array, offset, bytes.length);
        return cache.get(new UnsafeBuffer(array), offset, bytes.length);
    }

    private String decodeOffHeap(final String text, final int offset)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        final ByteBuffer direct = ByteBuffer.allocateDirect(offset + bytes.length + 16);
        direct.position(offset);
        direct.put(bytes);
        direct.put((byte)0xFF);
        return cache.get(new UnsafeBuffer(direct), offset, bytes.length);
    }
}
