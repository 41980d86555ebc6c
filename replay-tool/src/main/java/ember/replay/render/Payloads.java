package ember.replay.render;

import ember.journal.PayloadCodec;
import ember.journal.PayloadException;
import ember.kernel.state.Event;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Decodes Kryo payloads for printing, one {@link PayloadCodec} per thread. A payload that does not
 * decode is shown as {@code {"undecodable": REASON}} rather than stopping the tool: the record's
 * checksum was fine, so the bytes are what the kernel journaled.
 */
public final class Payloads
{
    private static final ThreadLocal<PayloadCodec> CODECS = ThreadLocal.withInitial(PayloadCodec::new);

    private Payloads()
    {
    }

    /** @return the decoded value (Map, List, String, Long, Double, Boolean, byte[] or null). */
    public static Object decode(final byte[] payload)
    {
        if (payload == null)
        {
            return null;
        }
        try
        {
            return CODECS.get().decode(payload);
        }
        catch (final PayloadException | IllegalArgumentException ex)
        {
            return undecodable(ex);
        }
    }

    /** @return the parameter table a client would see for {@code event}. */
    public static Map<String, Object> params(final Event event)
    {
        try
        {
            return event.params(CODECS.get());
        }
        catch (final PayloadException | IllegalArgumentException | ClassCastException ex)
        {
            return undecodable(ex);
        }
    }

    /** @return {@code {"name": NAME, "params": {...}}}. */
    public static Map<String, Object> event(final Event event)
    {
        final Map<String, Object> json = new LinkedHashMap<>(2);
        json.put("name", event.name());
        json.put("params", params(event));
        return json;
    }

    private static Map<String, Object> undecodable(final RuntimeException ex)
    {
        final TreeMap<String, Object> map = new TreeMap<>();
        map.put("undecodable", String.valueOf(ex.getMessage()));
        return map;
    }
}
