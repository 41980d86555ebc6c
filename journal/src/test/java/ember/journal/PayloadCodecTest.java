package ember.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PayloadCodecTest
{
    private static final int TAG_NIL = 0;
    private static final int TAG_STRING = 12;
    private static final int TAG_LONG = 13;
    private static final int TAG_DOUBLE = 14;
    private static final int TAG_BOOLEAN = 15;
    private static final int TAG_BYTES = 16;
    private static final int TAG_LIST = 17;
    private static final int TAG_TABLE = 18;

    private final PayloadCodec codec = new PayloadCodec();

    private Object roundTrip(final Object value)
    {
        return codec.decode(codec.encode(value));
    }

    // ------------------------------------------------------------------------------------------
    // Round trips

    @Test
    void scalarsRoundTrip()
    {
        assertNull(roundTrip(null));
        for (final long n : new long[] {0, 1, -1, 42, Long.MIN_VALUE, Long.MAX_VALUE, Integer.MIN_VALUE})
        {
            assertEquals(n, roundTrip(n));
        }
        assertEquals(7L, roundTrip(7));
        assertInstanceOf(Long.class, roundTrip(7));
        assertInstanceOf(Long.class, roundTrip((short)7));
        assertInstanceOf(Long.class, roundTrip((byte)7));

        assertEquals(1.5, roundTrip(1.5));
        assertInstanceOf(Double.class, roundTrip(1.5));
        assertEquals(5.0, roundTrip(5.0));
        assertInstanceOf(Double.class, roundTrip(5.0));
        assertEquals(0.25, roundTrip(0.25f));
        assertInstanceOf(Double.class, roundTrip(0.25f));
        assertEquals(-0.0, roundTrip(-0.0));
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits((Double)roundTrip(-0.0)));
        assertTrue(Double.isNaN((Double)roundTrip(Double.NaN)));
        assertEquals(Double.POSITIVE_INFINITY, roundTrip(Double.POSITIVE_INFINITY));
        assertEquals(Double.NEGATIVE_INFINITY, roundTrip(Double.NEGATIVE_INFINITY));
        assertEquals(Double.MIN_VALUE, roundTrip(Double.MIN_VALUE));

        assertEquals(Boolean.TRUE, roundTrip(true));
        assertEquals(Boolean.FALSE, roundTrip(false));
    }

    @Test
    void stringsRoundTrip()
    {
        for (final String s : new String[] {"", "a", "ab", "hello world", "héllo wörld", "日本語テキスト", "emoji 😀🎉",
            "\u0000nul\u0000", "\u007f\u0080\u07ff\u0800\uffff", "lone \ud800 surrogate", "x".repeat(10_000)})
        {
            assertEquals(s, roundTrip(s), s);
        }
    }

    @Test
    void byteArraysRoundTrip()
    {
        final byte[] bytes = {0, 1, -1, 127, -128, 42};
        final Object decoded = roundTrip(bytes);
        assertInstanceOf(byte[].class, decoded);
        assertArrayEquals(bytes, (byte[])decoded);
        assertArrayEquals(new byte[0], (byte[])roundTrip(new byte[0]));
        final byte[] big = new byte[100_000];
        new Random(7).nextBytes(big);
        assertArrayEquals(big, (byte[])roundTrip(big));
    }

    @Test
    void nestedTablesAndListsRoundTrip()
    {
        final Map<String, Object> inner = new HashMap<>();
        inner.put("n", 3);
        inner.put("bytes", new byte[] {9, 8});
        inner.put("empty", new HashMap<>());
        final List<Object> list = new ArrayList<>(Arrays.asList(1, "two", 3.0, null, false, inner, List.of()));
        final Map<String, Object> outer = new LinkedHashMap<>();
        outer.put("zeta", list);
        outer.put("alpha", "a");
        outer.put("nested", Map.of("deeper", Map.of("deepest", List.of(List.of(1L)))));

        final Object decoded = roundTrip(outer);
        assertInstanceOf(TreeMap.class, decoded);
        final TreeMap<?, ?> table = (TreeMap<?, ?>)decoded;
        assertEquals(List.of("alpha", "nested", "zeta"), new ArrayList<>(table.keySet()));
        final ArrayList<?> decodedList = assertInstanceOf(ArrayList.class, table.get("zeta"));
        assertEquals(7, decodedList.size());
        assertEquals(1L, decodedList.get(0));
        assertEquals("two", decodedList.get(1));
        assertEquals(3.0, decodedList.get(2));
        assertNull(decodedList.get(3));
        assertEquals(false, decodedList.get(4));
        final TreeMap<?, ?> decodedInner = assertInstanceOf(TreeMap.class, decodedList.get(5));
        assertEquals(3L, decodedInner.get("n"));
        assertArrayEquals(new byte[] {9, 8}, (byte[])decodedInner.get("bytes"));
        assertEquals(new TreeMap<>(), decodedInner.get("empty"));
        assertEquals(new ArrayList<>(), decodedList.get(6));
        assertEquals(Map.of("deeper", Map.of("deepest", List.of(List.of(1L)))), table.get("nested"));
        assertTrue(deepEquals(PayloadCodec.normalize(outer), decoded));
    }

    @Test
    void emptyContainersRoundTrip()
    {
        assertEquals(new TreeMap<>(), roundTrip(new HashMap<>()));
        assertInstanceOf(TreeMap.class, roundTrip(Map.of()));
        assertEquals(new ArrayList<>(), roundTrip(List.of()));
        assertInstanceOf(ArrayList.class, roundTrip(new LinkedList<>()));
        assertEquals(new TreeMap<>(), codec.decode(codec.encodeTable(new HashMap<>())));
    }

    @Test
    void maximumDepthRoundTrips()
    {
        final Object nested = nestedLists(PayloadCodec.DEFAULT_MAX_DEPTH);
        assertEquals(nested, roundTrip(nested));
        final Object nestedTables = nestedTables(PayloadCodec.DEFAULT_MAX_DEPTH);
        assertEquals(PayloadCodec.normalize(nestedTables), roundTrip(nestedTables));
    }

    @Test
    void decodeWithOffsetAndLength()
    {
        final byte[] encoded = codec.encode(Map.of("k", "v"));
        final byte[] framed = new byte[encoded.length + 7];
        Arrays.fill(framed, (byte)0x55);
        System.arraycopy(encoded, 0, framed, 3, encoded.length);
        assertEquals(Map.of("k", "v"), codec.decode(framed, 3, encoded.length));
        assertMalformed(() -> codec.decode(framed, 3, encoded.length + 1));
        assertMalformed(() -> codec.decode(framed, -1, 2));
        assertMalformed(() -> codec.decode(framed, 5, framed.length));
        assertMalformed(() -> codec.decode(framed, 0, -1));
        assertMalformed(() -> codec.decode(null));
        assertMalformed(() -> codec.decode(null, 0, 0));
    }

    // ------------------------------------------------------------------------------------------
    // Normalization and luaType

    @Test
    void normalizeConvertsNumbersAndContainers()
    {
        assertEquals(5L, PayloadCodec.normalize(5));
        assertEquals(5L, PayloadCodec.normalize((short)5));
        assertEquals(5L, PayloadCodec.normalize((byte)5));
        assertEquals(1.5, PayloadCodec.normalize(1.5f));
        assertNull(PayloadCodec.normalize(null));
        assertEquals("s", PayloadCodec.normalize("s"));
        assertEquals(true, PayloadCodec.normalize(true));

        final Map<String, Object> map = new HashMap<>();
        map.put("b", 2);
        map.put("a", 1);
        map.put("c", null);
        map.put("d", new LinkedList<>(Arrays.asList(1, null, 2.5f)));
        final Object normalized = PayloadCodec.normalize(map);
        final TreeMap<?, ?> table = assertInstanceOf(TreeMap.class, normalized);
        assertEquals(List.of("a", "b", "d"), new ArrayList<>(table.keySet()), "sorted, null value dropped");
        assertEquals(1L, table.get("a"));
        assertEquals(2L, table.get("b"));
        final ArrayList<?> list = assertInstanceOf(ArrayList.class, table.get("d"));
        assertEquals(Arrays.asList(1L, null, 2.5), list, "null list elements kept");
    }

    @Test
    void normalizeCopies()
    {
        final byte[] bytes = {1, 2, 3};
        final List<Object> list = new ArrayList<>(List.of(1L));
        final List<?> normalized = (List<?>)PayloadCodec.normalize(List.of(bytes, list));
        bytes[0] = 99;
        list.add(2L);
        assertArrayEquals(new byte[] {1, 2, 3}, (byte[])normalized.get(0));
        assertEquals(List.of(1L), normalized.get(1));
    }

    @Test
    void luaTypes()
    {
        assertEquals("nil", PayloadCodec.luaType(null));
        assertEquals("number", PayloadCodec.luaType(1L));
        assertEquals("number", PayloadCodec.luaType(1));
        assertEquals("number", PayloadCodec.luaType(1.5));
        assertEquals("number", PayloadCodec.luaType(1.5f));
        assertEquals("string", PayloadCodec.luaType("s"));
        assertEquals("string", PayloadCodec.luaType(new byte[0]));
        assertEquals("boolean", PayloadCodec.luaType(true));
        assertEquals("table", PayloadCodec.luaType(new HashMap<>()));
        assertEquals("table", PayloadCodec.luaType(new TreeMap<>()));
        assertEquals("table", PayloadCodec.luaType(List.of()));
        assertEquals("Date", PayloadCodec.luaType(new Date()));
        assertEquals("Object", PayloadCodec.luaType(new Object()));
    }

    // ------------------------------------------------------------------------------------------
    // Rejections

    @Test
    void rejectsUnsupportedTypes()
    {
        assertRefused("unsupported value type: java.util.Date", () -> codec.encode(new Date()));
        assertRefused("unsupported value type: java.lang.Object", () -> codec.encode(new Object()));
        assertRefused("unsupported value type: java.lang.Character", () -> codec.encode('c'));
        assertRefused("unsupported value type: java.math.BigInteger",
            () -> codec.encode(List.of(java.math.BigInteger.ONE)));
        assertRefused("unsupported value type: [I", () -> codec.encode(Map.of("k", new int[] {1})));
        assertRefused("unsupported value type: java.util.Date", () -> PayloadCodec.normalize(new Date()));
    }

    @Test
    void rejectsNonStringKeys()
    {
        assertRefused("table keys must be strings (got number)", () -> codec.encode(Map.of(1, "x")));
        assertRefused("table keys must be strings (got boolean)", () -> codec.encode(Map.of(true, "x")));
        final Map<Object, Object> nullKey = new HashMap<>();
        nullKey.put(null, "x");
        assertRefused("table keys must be strings (got nil)", () -> codec.encode(nullKey));
        assertRefused("table keys must be strings (got Date)",
            () -> codec.encode(Map.of("outer", Map.of(new Date(), 1))));
    }

    @Test
    void rejectsDuplicateKeysOfIdentityMaps()
    {
        final Map<String, Object> map = new IdentityHashMap<>();
        map.put(new String("k"), 1);
        map.put(new String("k"), 2);
        assertRefused("duplicate table key: k", () -> codec.encode(map));
    }

    @Test
    void rejectsDepth33()
    {
        assertRefused("table nesting deeper than 32", () -> codec.encode(nestedLists(33)));
        assertRefused("table nesting deeper than 32", () -> codec.encode(nestedTables(33)));
        assertRefused("table nesting deeper than 32", () -> PayloadCodec.normalize(nestedLists(33)));
    }

    @Test
    @Timeout(5)
    void rejectsCyclicStructures()
    {
        final List<Object> list = new ArrayList<>();
        list.add(list);
        assertRefused("table nesting deeper than 32", () -> codec.encode(list));

        final Map<String, Object> map = new HashMap<>();
        map.put("self", map);
        assertRefused("table nesting deeper than 32", () -> codec.encode(map));

        final List<Object> a = new ArrayList<>();
        final Map<String, Object> b = new HashMap<>();
        a.add(1);
        a.add(b);
        b.put("back", a);
        assertRefused("table nesting deeper than 32", () -> codec.encodeTable(b));
    }

    @Test
    @Timeout(5)
    void rejectsExponentiallySharedStructuresQuickly()
    {
        // 2^31 leaves if copied naively; refused by the size budget long before that.
        Object shared = "leaf";
        for (int i = 0; i < 31; i++)
        {
            shared = Arrays.asList(shared, shared);
        }
        final Object dag = shared;
        assertRefused("Payload too large", () -> codec.encode(dag));
        assertRefused("Payload too large", () -> PayloadCodec.normalize(dag));
    }

    @Test
    void rejectsTooLarge()
    {
        assertRefused("Payload too large", () -> codec.encode("x".repeat(2 << 20)));
        assertRefused("Payload too large", () -> codec.encode(new byte[(1 << 20) + 1]));
        // Passes the lower-bound check (one byte per char) but is two bytes per char encoded,
        // so this is the Kryo Output's bound that trips.
        assertRefused("Payload too large", () -> codec.encode("é".repeat(700_000)));

        final PayloadCodec small = new PayloadCodec(16);
        assertEquals(16, small.maxEncodedBytes());
        final String fits = "x".repeat(15); // tag + 15 ASCII bytes = 16
        assertEquals(16, small.encode(fits).length);
        assertEquals(fits, small.decode(small.encode(fits)));
        assertRefused("Payload too large", () -> small.encode("x".repeat(16)));
        assertRefused("Payload too large", () -> small.encode(List.of(1, 2, 3, 4, 5, 6, 7, 8)));
        assertRefused("Payload too large", () -> small.encode(List.of("é".repeat(7)))); // 18 bytes encoded, 10 by the lower bound
        // The codec is still usable after refusing.
        assertEquals(List.of(1L), small.decode(small.encode(List.of(1))));
        assertEquals("ok", codec.decode(codec.encode("ok")));
        assertThrows(IllegalArgumentException.class, () -> new PayloadCodec(0));
    }

    @Test
    void encodeTableRequiresAMap()
    {
        assertRefused("expected table (got nil)", () -> codec.encodeTable(null));
        assertRefused("expected table (got string)", () -> codec.encodeTable("s"));
        assertRefused("expected table (got number)", () -> codec.encodeTable(1));
        assertRefused("expected table (got list)", () -> codec.encodeTable(List.of()));
        assertArrayEquals(codec.encode(Map.of("a", 1)), codec.encodeTable(Map.of("a", 1)));
    }

    // ------------------------------------------------------------------------------------------
    // Byte format

    @Test
    void canonicalBytes()
    {
        final Map<String, Object> hash = new HashMap<>();
        final Map<String, Object> linked = new LinkedHashMap<>();
        final String[] keys = {"zulu", "alpha", "mike", "bravo", "x", "", "é", "Z"};
        for (int i = 0; i < keys.length; i++)
        {
            hash.put(keys[i], i);
        }
        for (int i = keys.length - 1; i >= 0; i--)
        {
            linked.put(keys[i], (long)i);
        }
        linked.put("dropped", null);
        assertArrayEquals(codec.encode(hash), codec.encode(linked));
        assertArrayEquals(codec.encode(Map.of("t", hash)), codec.encode(Map.of("t", linked)));
        assertArrayEquals(codec.encode(List.of(1, 2.5f)), codec.encode(List.of(1L, 2.5)));
        assertArrayEquals(codec.encode(hash), new PayloadCodec().encode(hash), "independent of the instance");
    }

    @Test
    void stableByteFormat()
    {
        assertArrayEquals(bytes(TAG_NIL), codec.encode(null));
        assertArrayEquals(bytes(TAG_STRING, 0x61, 0xe2), codec.encode("ab"));
        assertArrayEquals(bytes(TAG_STRING, 0x81), codec.encode(""));
        assertArrayEquals(bytes(TAG_LONG, 0x02), codec.encode(1));
        assertArrayEquals(bytes(TAG_LONG, 0x01), codec.encode(-1));
        assertArrayEquals(bytes(TAG_DOUBLE, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f), codec.encode(1.5));
        assertArrayEquals(bytes(TAG_BOOLEAN, 1), codec.encode(true));
        assertArrayEquals(bytes(TAG_BOOLEAN, 0), codec.encode(false));
        assertArrayEquals(bytes(TAG_BYTES, 3, 7, 8), codec.encode(new byte[] {7, 8}));
        assertArrayEquals(bytes(TAG_LIST, 2, TAG_LONG, 2, TAG_NIL), codec.encode(Arrays.asList(1, null)));
        assertArrayEquals(bytes(TAG_TABLE, 2, 0x82, 0x61, TAG_BOOLEAN, 1, 0x82, 0x62, TAG_LONG, 4),
            codec.encode(Map.of("b", 2, "a", true)));
    }

    // ------------------------------------------------------------------------------------------
    // Malformed input

    @Test
    void rejectsMalformedBytes()
    {
        assertMalformed(() -> codec.decode(new byte[0]), "malformed payload: empty");
        assertMalformed(() -> codec.decode(bytes(TAG_STRING)), "malformed payload: truncated");
        assertMalformed(() -> codec.decode(bytes(TAG_DOUBLE, 1, 2, 3)), "malformed payload: truncated");
        assertMalformed(() -> codec.decode(bytes(TAG_LIST, 2, TAG_NIL)),
            "malformed payload: length 2 exceeds the bytes remaining");
        assertMalformed(() -> codec.decode(bytes(TAG_LIST, 2, TAG_LONG, 2, TAG_LONG)), "malformed payload: truncated");
        assertMalformed(() -> codec.decode(bytes(TAG_LONG, 0x80)), "malformed payload: truncated");
        assertMalformed(() -> codec.decode(bytes(TAG_NIL, 0)),
            "malformed payload: trailing bytes after payload");
        assertMalformed(() -> codec.decode(bytes(TAG_BOOLEAN, 1, 0)),
            "malformed payload: trailing bytes after payload");
        final byte[] valid = codec.encode(Map.of("k", List.of(1, 2)));
        assertMalformed(() -> codec.decode(Arrays.copyOf(valid, valid.length + 1)),
            "malformed payload: trailing bytes after payload");
        for (int cut = 0; cut < valid.length; cut++)
        {
            final int length = cut;
            assertMalformed(() -> codec.decode(valid, 0, length));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 19, 20, 100, 1000, 0x7fffffff})
    void rejectsUnregisteredClassIds(final int tag)
    {
        final byte[] bytes = concat(varint(tag), bytes(0, 0, 0, 0, 0, 0, 0, 0, 0));
        assertMalformed(() -> codec.decode(bytes), "malformed payload: unknown class id " + (tag - 2));
    }

    @Test
    void rejectsClassNameTagsWithoutLoadingClasses()
    {
        // Kryo's NAME tag (1): a name id then a class name. Kryo's own resolver would Class.forName it.
        final byte[] bytes = concat(bytes(1, 2), "java.util.Date".getBytes(StandardCharsets.US_ASCII));
        bytes[bytes.length - 1] |= (byte)0x80;
        assertMalformed(() -> codec.decode(bytes), "malformed payload: unknown class id -1");
    }

    @Test
    void rejectsNilsAndDisorderInsideValues()
    {
        assertMalformed(() -> codec.decode(bytes(TAG_STRING, 0x80)), "malformed payload: nil String");
        assertMalformed(() -> codec.decode(bytes(TAG_BYTES, 0)), "malformed payload: nil byte[]");
        assertMalformed(() -> codec.decode(bytes(TAG_TABLE, 1, 0x80, TAG_LONG, 2)), "malformed payload: nil table key");
        assertMalformed(() -> codec.decode(bytes(TAG_TABLE, 1, 0x82, 0x61, TAG_NIL)),
            "malformed payload: nil table value");
        assertMalformed(() -> codec.decode(bytes(TAG_TABLE, 2, 0x82, 0x62, TAG_LONG, 2, 0x82, 0x61, TAG_LONG, 2)),
            "malformed payload: table keys out of order");
        assertMalformed(() -> codec.decode(bytes(TAG_TABLE, 2, 0x82, 0x61, TAG_LONG, 2, 0x82, 0x61, TAG_LONG, 4)),
            "malformed payload: table keys out of order");
    }

    @Test
    void rejectsDepth33OnDecode()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < 32; i++)
        {
            out.write(TAG_LIST);
            out.write(1);
        }
        out.write(TAG_LIST);
        out.write(0);
        assertMalformed(() -> codec.decode(out.toByteArray()), "malformed payload: table nesting deeper than 32");

        // Thousands of levels must not overflow the stack either.
        final byte[] deep = new byte[200_000];
        for (int i = 0; i < deep.length; i += 2)
        {
            deep[i] = TAG_LIST;
            deep[i + 1] = 1;
        }
        assertMalformed(() -> codec.decode(deep), "malformed payload: table nesting deeper than 32");
    }

    /**
     * A declared length larger than the bytes that follow is refused before anything of that size
     * is allocated: the decoding thread's allocation (HotSpot's per-thread counter) stays far below
     * the lengths claimed (2^28 to 2^31), where decoding by the claim would allocate that much or
     * run out of memory.
     */
    @Test
    void rejectsHostileLengthsWithoutAllocatingThem()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
            "skipped: this JVM does not count per-thread allocation");
        final PayloadCodec local = new PayloadCodec();
        assertMalformed(() -> local.decode(concat(bytes(TAG_LIST), varint(-1))), "malformed payload: negative length"); // warm up
        final long threadId = Thread.currentThread().getId();
        final long allocatedBefore = threads.getThreadAllocatedBytes(threadId);
        // A list claiming 2^30 elements in 10 bytes.
        final byte[] list = concat(bytes(TAG_LIST), varint(1 << 30), bytes(TAG_NIL, TAG_NIL, TAG_NIL, TAG_NIL));
        assertEquals(10, list.length);
        assertMalformed(() -> local.decode(list), "malformed payload: length 1073741824 exceeds the bytes remaining");
        assertMalformed(() -> local.decode(concat(bytes(TAG_TABLE), varint(1 << 30), bytes(0x81, TAG_NIL))));
        assertMalformed(() -> local.decode(concat(bytes(TAG_LIST), varint(-1))), "malformed payload: negative length");
        assertMalformed(() -> local.decode(concat(bytes(TAG_TABLE), varint(-5))), "malformed payload: negative length");
        // byte[] and strings: Kryo alone would allocate the whole declared length before reading.
        assertMalformed(() -> local.decode(concat(bytes(TAG_BYTES), varint(Integer.MAX_VALUE - 8), bytes(1, 2))));
        assertMalformed(() -> local.decode(concat(bytes(TAG_BYTES), varint(-2), bytes(1, 2))),
            "malformed payload: negative length");
        assertMalformed(() -> local.decode(bytes(TAG_STRING, 0xff, 0xff, 0xff, 0x7f, 0x41)));
        assertMalformed(() -> local.decode(bytes(TAG_STRING, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x41)));
        assertMalformed(() -> local.decode(bytes(TAG_TABLE, 1, 0xff, 0xff, 0xff, 0x7f, 0x41, TAG_NIL)));
        assertMalformed(() -> local.decode(bytes(TAG_LIST, 1, TAG_STRING, 0xbf, 0xff, 0xff, 0xff, 0x0f)));
        final long allocated = threads.getThreadAllocatedBytes(threadId) - allocatedBefore;
        assertTrue(allocated < 64L << 20, "decoding hostile lengths allocated " + allocated + " bytes");
        // Still usable afterwards.
        assertEquals("ok", local.decode(local.encode("ok")));
    }

    // ------------------------------------------------------------------------------------------
    // Fuzz

    @Test
    @Timeout(30)
    void fuzzDecodeOnlyReturnsValuesOrThrowsPayloadException()
    {
        int decoded = 0;
        int accepted = 0;
        for (long seed = 1; seed <= 5; seed++)
        {
            final Random random = new Random(seed);
            final PayloadCodec fuzzCodec = new PayloadCodec();

            for (int i = 0; i < 20_000; i++)
            {
                final byte[] bytes = new byte[random.nextInt(65)];
                random.nextBytes(bytes);
                if (random.nextInt(4) == 0 && bytes.length > 0)
                {
                    bytes[0] = (byte)(TAG_STRING + random.nextInt(7)); // reach past the class tag more often
                }
                accepted += fuzzOne(fuzzCodec, seed, bytes);
                decoded++;
            }

            final List<byte[]> valid = new ArrayList<>();
            for (int i = 0; i < 200; i++)
            {
                valid.add(fuzzCodec.encode(randomValue(random, 0)));
            }
            for (int i = 0; i < 20_000; i++)
            {
                accepted += fuzzOne(fuzzCodec, seed, mutate(random, valid.get(random.nextInt(valid.size()))));
                decoded++;
            }
        }
        System.out.println("PayloadCodecTest fuzz: " + decoded + " decodes (" + accepted + " accepted)");
        assertEquals(200_000, decoded, "every fuzz input was decoded");
        // Both outcomes were reached: the fuzz exercised the accepting paths, not only early refusals.
        assertTrue(accepted > 1_000 && accepted < decoded, accepted + " of " + decoded + " accepted");
    }

    /** Returns 1 if decoded; checks that a decoded value is normalized and re-encodes to itself. */
    private static int fuzzOne(final PayloadCodec codec, final long seed, final byte[] bytes)
    {
        final Object value;
        try
        {
            value = codec.decode(bytes);
        }
        catch (final PayloadException ex)
        {
            assertTrue(ex.getMessage().startsWith("malformed payload: "), "seed " + seed + ": " + ex.getMessage());
            return 0;
        }
        catch (final Throwable t)
        {
            fail("seed " + seed + ": decode threw " + t + " for " + hex(bytes), t);
            return 0;
        }
        try
        {
            assertTrue(deepEquals(value, PayloadCodec.normalize(value)), "seed " + seed + ": not normalized, " + hex(bytes));
            final byte[] again = codec.encode(value);
            assertTrue(deepEquals(value, codec.decode(again)), "seed " + seed + ": unstable, " + hex(bytes));
        }
        catch (final PayloadException ex)
        {
            fail("seed " + seed + ": decoded value refused: " + ex.getMessage() + " for " + hex(bytes), ex);
        }
        return 1;
    }

    private static byte[] mutate(final Random random, final byte[] valid)
    {
        final byte[] bytes = valid.clone();
        switch (random.nextInt(6))
        {
            case 0: // truncate
                return Arrays.copyOf(bytes, random.nextInt(bytes.length));
            case 1: // flip one bit
            {
                final int at = random.nextInt(bytes.length);
                bytes[at] ^= (byte)(1 << random.nextInt(8));
                return bytes;
            }
            case 2: // replace several bytes
            {
                final int count = 1 + random.nextInt(4);
                for (int i = 0; i < count; i++)
                {
                    bytes[random.nextInt(bytes.length)] = (byte)random.nextInt(256);
                }
                return bytes;
            }
            case 3: // insert bytes
            {
                final int at = random.nextInt(bytes.length + 1);
                final byte[] inserted = new byte[1 + random.nextInt(4)];
                random.nextBytes(inserted);
                return concat(Arrays.copyOf(bytes, at), inserted, Arrays.copyOfRange(bytes, at, bytes.length));
            }
            case 4: // delete a range
            {
                final int at = random.nextInt(bytes.length);
                final int end = Math.min(bytes.length, at + 1 + random.nextInt(4));
                return concat(Arrays.copyOf(bytes, at), Arrays.copyOfRange(bytes, end, bytes.length));
            }
            default: // hostile length-like bytes at a random place
            {
                final int at = random.nextInt(bytes.length);
                for (int i = at; i < Math.min(bytes.length, at + 5); i++)
                {
                    bytes[i] = (byte)0xff;
                }
                return bytes;
            }
        }
    }

    private static Object randomValue(final Random random, final int depth)
    {
        switch (random.nextInt(depth < 4 ? 10 : 7))
        {
            case 0:
                return "s" + random.nextInt(1000) + (random.nextBoolean() ? "é✓" : "");
            case 1:
                return random.nextLong();
            case 2:
                return (long)random.nextInt(100);
            case 3:
                return random.nextBoolean() ? random.nextDouble() : Double.NaN;
            case 4:
                return random.nextBoolean();
            case 5:
            {
                final byte[] bytes = new byte[random.nextInt(6)];
                random.nextBytes(bytes);
                return bytes;
            }
            case 6:
                return random.nextBoolean() ? "" : null;
            case 7:
            case 8:
            {
                final Map<String, Object> map = new HashMap<>();
                for (int i = random.nextInt(5); i > 0; i--)
                {
                    map.put("k" + random.nextInt(20), randomValue(random, depth + 1));
                }
                return map;
            }
            default:
            {
                final List<Object> list = new ArrayList<>();
                for (int i = random.nextInt(5); i > 0; i--)
                {
                    list.add(randomValue(random, depth + 1));
                }
                return list;
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Helpers

    private static void assertRefused(final String message, final org.junit.jupiter.api.function.Executable call)
    {
        final PayloadException ex = assertThrows(PayloadException.class, call);
        assertEquals(message, ex.getMessage());
    }

    private static void assertMalformed(final org.junit.jupiter.api.function.Executable call)
    {
        final PayloadException ex = assertThrows(PayloadException.class, call);
        assertTrue(ex.getMessage().startsWith("malformed payload: "), ex.getMessage());
    }

    private static void assertMalformed(final org.junit.jupiter.api.function.Executable call, final String message)
    {
        assertEquals(message, assertThrows(PayloadException.class, call).getMessage());
    }

    private static Object nestedLists(final int depth)
    {
        Object value = new ArrayList<>();
        for (int i = 1; i < depth; i++)
        {
            value = new ArrayList<>(Collections.singletonList(value));
        }
        return value;
    }

    private static Object nestedTables(final int depth)
    {
        Object value = new HashMap<>(Map.of("leaf", 1));
        for (int i = 1; i < depth; i++)
        {
            value = new HashMap<>(Map.of("d" + i, value));
        }
        return value;
    }

    /** Structural equality that compares byte arrays by content. */
    private static boolean deepEquals(final Object a, final Object b)
    {
        if (a instanceof byte[] && b instanceof byte[])
        {
            return Arrays.equals((byte[])a, (byte[])b);
        }
        if (a instanceof List && b instanceof List)
        {
            final List<?> x = (List<?>)a;
            final List<?> y = (List<?>)b;
            if (x.size() != y.size() || a.getClass() != b.getClass())
            {
                return false;
            }
            for (int i = 0; i < x.size(); i++)
            {
                if (!deepEquals(x.get(i), y.get(i)))
                {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Map && b instanceof Map)
        {
            final Map<?, ?> x = (Map<?, ?>)a;
            final Map<?, ?> y = (Map<?, ?>)b;
            if (!x.keySet().equals(y.keySet()) || a.getClass() != b.getClass())
            {
                return false;
            }
            for (final Object key : x.keySet())
            {
                if (!deepEquals(x.get(key), y.get(key)))
                {
                    return false;
                }
            }
            return true;
        }
        return a == null ? b == null : b != null && a.getClass() == b.getClass() && a.equals(b);
    }

    private static byte[] bytes(final int... values)
    {
        final byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++)
        {
            bytes[i] = (byte)values[i];
        }
        return bytes;
    }

    /** Kryo's unsigned varint, as {@code Output.writeVarInt(value, true)} writes it. */
    private static byte[] varint(final int value)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        int v = value;
        while ((v & ~0x7f) != 0)
        {
            out.write((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out.write(v);
        return out.toByteArray();
    }

    private static byte[] concat(final byte[]... parts)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] part : parts)
        {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static String hex(final byte[] bytes)
    {
        final StringBuilder sb = new StringBuilder(bytes.length * 3);
        for (final byte b : bytes)
        {
            sb.append(String.format("%02x ", b));
        }
        return sb.toString().trim();
    }

    @Test
    void helperSanity()
    {
        assertArrayEquals(bytes(0x80, 0x80, 0x80, 0x80, 0x04), varint(1 << 30));
        assertFalse(deepEquals(new byte[] {1}, new byte[] {2}));
    }
}
