package ember.kernel.state;

/**
 * Turns an alarm's hour of day into a deadline, from the record's timestamp only (no clock), so
 * live and replay compute the same deadline. Times of day are UTC.
 */
public final class AlarmClock
{
    public static final long NANOS_PER_DAY = 86_400L * 1_000_000_000L;
    public static final double NANOS_PER_HOUR = 3_600e9;

    private AlarmClock()
    {
    }

    /**
     * @param nowNs epoch nanoseconds of the {@code alarm} syscall.
     * @param hour  0 ≤ hour &lt; 24, fractional.
     * @return the first instant after {@code nowNs} whose UTC time of day is {@code hour}.
     */
    public static long nextDeadline(final long nowNs, final double hour)
    {
        final long timeOfDay = Math.floorMod(nowNs, NANOS_PER_DAY);
        final long target = Math.min(Math.round(hour * NANOS_PER_HOUR), NANOS_PER_DAY - 1);
        final long midnight = nowNs - timeOfDay;
        return target > timeOfDay ? midnight + target : midnight + NANOS_PER_DAY + target;
    }
}
