package ember.replay.audit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts per key, listed busiest first (ties in key order).
 *
 * @param <K> the key type, comparable so ties list in a stable order.
 */
public final class Counter<K extends Comparable<K>>
{
    private final TreeMap<K, Long> counts = new TreeMap<>();

    /** Count one more for {@code key}. */
    public void add(final K key)
    {
        add(key, 1);
    }

    /** Count {@code n} more for {@code key}. */
    public void add(final K key, final long n)
    {
        counts.merge(key, n, Long::sum);
    }

    /** @return the count of {@code key}, 0 when never counted. */
    public long get(final K key)
    {
        return counts.getOrDefault(key, 0L);
    }

    /** @return the sum of all counts. */
    public long total()
    {
        long total = 0;
        for (final long n : counts.values())
        {
            total += n;
        }
        return total;
    }

    /** @return the keys, busiest first. */
    public List<K> top(final int limit)
    {
        final List<K> keys = new ArrayList<>(counts.keySet());
        keys.sort(Comparator.comparing((K k) -> -counts.get(k)).thenComparing(Comparator.naturalOrder()));
        return keys.size() > limit ? keys.subList(0, limit) : keys;
    }

    /** @return key → count, busiest first, as JSON-able data (keys as strings). */
    public Map<String, Object> toJson()
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        for (final K key : top(Integer.MAX_VALUE))
        {
            m.put(String.valueOf(key), counts.get(key));
        }
        return m;
    }

    /** @return the number of distinct keys. */
    public int size()
    {
        return counts.size();
    }
}
