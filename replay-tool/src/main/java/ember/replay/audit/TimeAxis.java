package ember.replay.audit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The time axis of {@code timeline}: a scripted burst followed by a long idle stretch must not
 * collapse into one knot, so idle gaps are cut out of the axis. A gap between two consecutive
 * times is <em>idle</em> when it is longer than {@link #IDLE_FACTOR} times the median gap and at
 * least {@link #MIN_IDLE_US}; each idle gap is drawn {@code gapWidth} wide (as a broken-axis
 * marker naming its real length; all gaps together at most a fifth of the axis), everything
 * else keeps its real proportions.
 * <p>
 * The axis is a list of segments {@code {t, c, len}}: real times {@code t .. t+len} (µs after the
 * first record shown) are drawn at axis coordinates {@code c .. c+len}. Pure function, no state.
 */
public final class TimeAxis
{
    /** Gaps shorter than this are never idle (1 ms): a busy journal keeps a true time axis. */
    public static final double MIN_IDLE_US = 1_000;

    /** A gap this many times the median gap is idle. */
    public static final int IDLE_FACTOR = 20;

    private TimeAxis()
    {
    }

    /**
     * @param times the times to place (µs), any order, duplicates allowed; none negative.
     * @return {@code {"idleOverUs": threshold, "gapWidth": w, "segments": [{t, c, len}, ...]}}, the first segment at {@code c = 0}.
     */
    public static Map<String, Object> of(final double[] times)
    {
        final double[] sorted = times.clone();
        Arrays.sort(sorted);
        final double threshold = threshold(sorted);
        final List<double[]> spans = new ArrayList<>(); // {t, len}: the stretches between idle gaps
        double active = 0;
        if (sorted.length > 0)
        {
            double start = sorted[0];
            for (int i = 1; i <= sorted.length; i++)
            {
                if (i == sorted.length || sorted[i] - sorted[i - 1] > threshold)
                {
                    spans.add(new double[] {start, sorted[i - 1] - start});
                    active += sorted[i - 1] - start;
                    start = i < sorted.length ? sorted[i] : start;
                }
            }
        }
        final int gaps = Math.max(0, spans.size() - 1);
        // all gaps together take at most a fifth of the axis: the bursts are what one came to see
        final double gapWidth = gaps == 0 || active == 0 ? threshold : Math.min(threshold, active / 4 / gaps);
        final List<Object> segments = new ArrayList<>();
        double c = 0;
        for (final double[] span : spans)
        {
            segments.add(segment(span[0], c, span[1]));
            c += span[1] + gapWidth;
        }
        final Map<String, Object> axis = new LinkedHashMap<>();
        axis.put("idleOverUs", threshold);
        axis.put("gapWidth", gapWidth);
        axis.put("segments", segments);
        return axis;
    }

    /** @return the gap length above which a gap is idle, for sorted times. */
    static double threshold(final double[] sorted)
    {
        final double[] gaps = new double[Math.max(0, sorted.length - 1)];
        int n = 0;
        for (int i = 1; i < sorted.length; i++)
        {
            final double gap = sorted[i] - sorted[i - 1];
            if (gap > 0)
            {
                gaps[n++] = gap;
            }
        }
        if (n == 0)
        {
            return MIN_IDLE_US;
        }
        Arrays.sort(gaps, 0, n);
        return Math.max(MIN_IDLE_US, IDLE_FACTOR * gaps[n / 2]);
    }

    private static Map<String, Object> segment(final double t, final double c, final double len)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("t", t);
        m.put("c", c);
        m.put("len", len);
        return m;
    }
}
