package ember.journal;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link PayloadCodec#isWellFormed} against {@link PayloadCodec#decode}: whenever the walk says
 * well-formed, decode accepts the bytes (a table when asked for one), and well-formed ASCII
 * payloads are recognised as such.
 */
final class PayloadWalkTest
{
    private final PayloadCodec codec = new PayloadCodec();

    private static List<Object> samples()
    {
        final List<Object> list = new ArrayList<>(Arrays.asList(1L, "x", null, -7L));
        final Map<String, Object> nested = new TreeMap<>(Map.of("a", 1L, "ab", "text", "b", 2.5, "c", true));
        nested.put("list", list);
        nested.put("bytes", new byte[] {1, 2, 3});
        nested.put("t", new TreeMap<>(Map.of("", "empty key", "deep", new TreeMap<>(Map.of("k", Long.MIN_VALUE)))));
        return List.of(Map.of(), Map.of("n", 1L), nested, list, "a string", "", "é", Long.MAX_VALUE, 0.0,
            Double.NaN, false, new byte[0], Map.of("é", 1L), Map.of("k", "ünïcode"), "x".repeat(100),
            Map.of("x".repeat(40), "y".repeat(40), "x".repeat(41), 1L));
    }

    @Test
    void encodedAsciiValuesAreWellFormed()
    {
        int ascii = 0;
        for (final Object value : samples())
        {
            final byte[] bytes = codec.encode(value);
            final boolean table = value instanceof Map;
            final boolean walked = codec.isWellFormed(bytes, false);
            final boolean nonAscii = String.valueOf(value).chars().anyMatch(c -> c > 127);
            if (!nonAscii)
            {
                assertTrue(walked, "well-formed ASCII payload not recognised: " + value);
                assertEquals(table, codec.isWellFormed(bytes, true), "table or not: " + value);
                ascii++;
            }
            assertSound(bytes);
        }
        assertTrue(ascii >= 10, "too few samples exercised: " + ascii);
    }

    @Test
    void mutatedBytesAreNeverWronglyAccepted()
    {
        final Random random = new Random(42);
        int accepted = 0;
        int checked = 0;
        for (final Object value : samples())
        {
            final byte[] bytes = codec.encode(value);
            for (int cut = 0; cut <= bytes.length; cut++)
            {
                assertSound(Arrays.copyOf(bytes, cut));
                checked++;
            }
            for (int i = 0; i < 2_000; i++)
            {
                final byte[] mutated = bytes.clone();
                for (int flips = 1 + random.nextInt(3); flips > 0 && mutated.length > 0; flips--)
                {
                    mutated[random.nextInt(mutated.length)] = (byte)random.nextInt(256);
                }
                accepted += assertSound(mutated) ? 1 : 0;
                checked++;
            }
        }
        for (int i = 0; i < 20_000; i++)
        {
            final byte[] noise = new byte[random.nextInt(24)];
            random.nextBytes(noise);
            accepted += assertSound(noise) ? 1 : 0;
            checked++;
        }
        assertTrue(checked > 30_000 && accepted > 100, "checked " + checked + ", accepted " + accepted);
        assertFalse(codec.isWellFormed(null, false));
    }

    /** @return whether the walk accepted {@code bytes}; fails when it did and decode does not agree. */
    private boolean assertSound(final byte[] bytes)
    {
        for (final boolean table : new boolean[] {false, true})
        {
            if (codec.isWellFormed(bytes, table))
            {
                try
                {
                    final Object value = codec.decode(bytes);
                    if (table && !(value instanceof Map))
                    {
                        fail("walk accepted a non-table as a table: " + Arrays.toString(bytes));
                    }
                }
                catch (final PayloadException ex)
                {
                    fail("walk accepted what decode refuses (" + ex.getMessage() + "): " + Arrays.toString(bytes));
                }
                if (!table)
                {
                    return true;
                }
            }
        }
        return false;
    }
}
