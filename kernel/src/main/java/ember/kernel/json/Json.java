package ember.kernel.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * JSON as the shell reads and prints it (SPEC §7), and as the replay-tool renders payloads: compact, keys sorted, integers without a
 * decimal point; parsed integers are {@code Long}, fractions {@code Double}.
 * Stateless static methods over one shared, thread-safe Jackson mapper: safe from any thread.
 */
public final class Json
{
    private static final ObjectMapper MAPPER = JsonMapper.builder()
        .enable(DeserializationFeature.USE_LONG_FOR_INTS)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
        .build();

    /** Thrown for text that is not one JSON value. */
    public static final class NotJson extends Exception
    {
        NotJson(final String message)
        {
            super(message);
        }
    }

    private Json()
    {
    }

    /**
     * @param text one JSON value.
     * @return Map (sorted), List, String, Long, Double, Boolean or null.
     * @throws NotJson when {@code text} is not exactly one JSON value.
     */
    public static Object parse(final String text) throws NotJson
    {
        try
        {
            return normalize(MAPPER.readValue(text, Object.class));
        }
        catch (final JsonProcessingException ex)
        {
            throw new NotJson(ex.getOriginalMessage());
        }
    }

    /** @return compact JSON of a payload value (maps print with sorted keys). */
    public static String write(final Object value)
    {
        try
        {
            return MAPPER.writeValueAsString(value);
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException("cannot print value as JSON", ex);
        }
    }

    private static Object normalize(final Object value)
    {
        if (value instanceof Map<?, ?> map)
        {
            final TreeMap<String, Object> table = new TreeMap<>();
            for (final Map.Entry<?, ?> e : map.entrySet())
            {
                table.put(String.valueOf(e.getKey()), normalize(e.getValue()));
            }
            return table;
        }
        if (value instanceof List<?> list)
        {
            final List<Object> out = new ArrayList<>(list.size());
            for (final Object element : list)
            {
                out.add(normalize(element));
            }
            return out;
        }
        if (value instanceof Integer i)
        {
            return i.longValue();
        }
        if (value instanceof BigInteger big)
        {
            return big.doubleValue(); // beyond 64 bits: Lua would make it a float too
        }
        if (value instanceof BigDecimal dec)
        {
            return dec.doubleValue();
        }
        return value;
    }
}
