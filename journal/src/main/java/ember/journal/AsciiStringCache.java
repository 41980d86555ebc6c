package ember.journal;

import org.agrona.DirectBuffer;

/**
 * The strings of recently decoded short ASCII byte runs (event and handler names, users, service
 * names: a handful, repeated on every record), so that decoding them neither allocates nor copies
 * a String each time. Strings are immutable, so sharing one between records is invisible to them.
 * <p>
 * Bytes are hashed and compared eight at a time: a replay decodes tens of millions of names, and
 * a byte-by-byte hash and compare was a third of its cost. A run that is longer than
 * {@link #MAX_BYTES} or not ASCII is decoded as UTF-8 each time, uncached.
 * <p>
 * Not thread-safe: owned by one {@link RecordCodec}.
 */
final class AsciiStringCache
{
    /** Longest byte run cached. */
    static final int MAX_BYTES = 64;

    private static final int SLOTS = 256;
    private static final int SLOT_SHIFT = Long.SIZE - Integer.numberOfTrailingZeros(SLOTS);
    /** Full words of a run of {@link #MAX_BYTES} plus the word of its tail bytes. */
    private static final int WORDS_PER_SLOT = MAX_BYTES / Long.BYTES + 1;
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private final String[] strings = new String[SLOTS];
    private final int[] lengths = new int[SLOTS];
    private final long[] words = new long[SLOTS * WORDS_PER_SLOT];
    private final long[] scratch = new long[WORDS_PER_SLOT];

    /**
     * @return the UTF-8 string of the {@code length} bytes at {@code offset} of {@code buffer},
     *     the cached instance when the same ASCII bytes were decoded recently.
     */
    String get(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length > MAX_BYTES)
        {
            return buffer.getStringWithoutLengthUtf8(offset, length);
        }
        final int fullWords = length >>> 3;
        long high = 0;
        long hash = length;
        for (int i = 0; i < fullWords; i++)
        {
            final long word = buffer.getLong(offset + (i << 3));
            scratch[i] = word;
            high |= word;
            hash = (hash + word) * GOLDEN;
        }
        long tail = 0;
        for (int i = fullWords << 3; i < length; i++)
        {
            tail = (tail << 8) | (buffer.getByte(offset + i) & 0xFF);
        }
        scratch[fullWords] = tail;
        if (((high | tail) & HIGH_BITS) != 0)
        {
            return buffer.getStringWithoutLengthUtf8(offset, length); // not ASCII: not cached
        }
        hash = (hash + tail) * GOLDEN;
        final int slot = (int)(hash >>> SLOT_SHIFT);
        final int base = slot * WORDS_PER_SLOT;
        final String cached = strings[slot];
        if (cached != null && lengths[slot] == length && sameWords(base, fullWords))
        {
            return cached;
        }
        final String fresh = buffer.getStringWithoutLengthUtf8(offset, length);
        System.arraycopy(scratch, 0, words, base, fullWords + 1);
        lengths[slot] = length;
        strings[slot] = fresh;
        return fresh;
    }

    private boolean sameWords(final int base, final int fullWords)
    {
        for (int i = 0; i <= fullWords; i++)
        {
            if (words[base + i] != scratch[i])
            {
                return false;
            }
        }
        return true;
    }
}
