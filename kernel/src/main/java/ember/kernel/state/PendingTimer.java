package ember.kernel.state;

/**
 * A timer or alarm that has not fired or been cancelled.
 *
 * @param id         the SPEC §4 id (alarms have bit 31 set).
 * @param pid        the process it belongs to.
 * @param deadlineNs when it is due, kernel clock epoch nanoseconds.
 */
public record PendingTimer(long id, long pid, long deadlineNs)
{
    /** Alarm ids are the count with bit 31 set, as the reference kernel marks them. */
    public static final long ALARM_BIT = 1L << 31;

    /** @return true for an alarm, false for a timer. */
    public boolean isAlarm()
    {
        return isAlarmId(id);
    }

    /** @return true when {@code id} names an alarm. */
    public static boolean isAlarmId(final long id)
    {
        return (id & ALARM_BIT) != 0;
    }
}
