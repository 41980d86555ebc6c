package ember.replay.audit;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link TimeAxis}: idle gaps cut out, everything else in true proportion. */
class TimeAxisTest
{
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> segments(final Map<String, Object> axis)
    {
        return (List<Map<String, Object>>)axis.get("segments");
    }

    private static double d(final Map<String, Object> m, final String key)
    {
        return ((Number)m.get(key)).doubleValue();
    }

    @Test
    void aBurstThenAnHourOfNothingThenABurst()
    {
        final double[] times = new double[40];
        for (int i = 0; i < 20; i++)
        {
            times[i] = i * 2_000;                       // a scripted burst: a record every 2 ms
            times[20 + i] = 3_600e6 + i * 2_000;        // an hour later, another
        }
        final Map<String, Object> axis = TimeAxis.of(times);
        assertEquals(40_000, d(axis, "idleOverUs"));    // 20 x the median gap
        final List<Map<String, Object>> segments = segments(axis);
        assertEquals(2, segments.size(), segments::toString);
        assertEquals(0, d(segments.get(0), "c"));
        assertEquals(38_000, d(segments.get(0), "len"));
        assertEquals(3_600e6, d(segments.get(1), "t"));
        final double gap = d(segments.get(1), "c") - 38_000;
        assertEquals(d(axis, "gapWidth"), gap);
        assertTrue(gap <= (38_000 + 38_000) / 4.0, "the gaps take at most a fifth of the axis");
    }

    @Test
    void aSteadyStreamKeepsATrueAxis()
    {
        final double[] times = new double[100];
        for (int i = 0; i < times.length; i++)
        {
            times[i] = i * 50_000 + (i % 3) * 10_000;   // uneven, but nothing idle
        }
        final List<Map<String, Object>> segments = segments(TimeAxis.of(times));
        assertEquals(1, segments.size());
        assertEquals(times[99] - times[0], d(segments.get(0), "len"));
    }

    @Test
    void gapsUnderAMillisecondAreNeverIdle()
    {
        final double[] times = {0, 1, 2, 3, 4, 5, 900, 901, 902};  // µs apart, then 0.9 ms
        assertEquals(1, segments(TimeAxis.of(times)).size());
        assertEquals(1, segments(TimeAxis.of(new double[] {0})).size());
        assertEquals(0, segments(TimeAxis.of(new double[0])).size());
    }
}
