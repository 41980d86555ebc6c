package ember.journal;

import net.openhft.chronicle.core.Jvm;
import net.openhft.chronicle.core.onoes.ExceptionHandler;
import net.openhft.chronicle.core.onoes.Slf4jExceptionHandler;
import org.slf4j.Logger;

/**
 * Chronicle's warning handler, minus the warnings Ember knows to be benign: reopening a journal
 * whose roll cycle is not the builder's default makes Chronicle say, on every open, that it
 * overrides the roll length and cycle from the journal's own metadata (which is what Ember wants:
 * an existing journal keeps its cycle), and that the minutely and hourly cycles Ember names are
 * deprecated constants. Exactly those messages of exactly those classes are dropped; every other
 * warning goes to SLF4J (stderr) as before.
 * <p>
 * Installed once per JVM, before the first queue opens ({@link #install()}); thread-safe.
 */
final class ChronicleWarnings implements ExceptionHandler
{
    /** Logger name and message prefix of each benign warning. */
    private static final String[][] BENIGN = {
        {"net.openhft.chronicle.queue.impl.single.SCQMeta", "Overriding roll length from existing metadata"},
        {"net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder", "Overriding roll cycle from "},
        {"net.openhft.chronicle.queue.RollCycles", "You've configured your queue to use a deprecated RollCycle"},
    };

    private static boolean installed;

    private ChronicleWarnings()
    {
    }

    /** Install the filter as Chronicle's warning handler; once, later calls do nothing. */
    static synchronized void install()
    {
        if (!installed)
        {
            installed = true;
            Jvm.setWarnExceptionHandler(new ChronicleWarnings());
        }
    }

    /**
     * @return true when Chronicle's warning {@code message}, logged for {@code loggerName}, is one
     *     of the benign ones.
     */
    static boolean isBenign(final String loggerName, final String message)
    {
        if (message == null)
        {
            return false;
        }
        for (final String[] benign : BENIGN)
        {
            if (benign[0].equals(loggerName) && message.startsWith(benign[1]))
            {
                return true;
            }
        }
        return false;
    }

    @Override
    public void on(final Logger logger, final String message, final Throwable thrown)
    {
        if (thrown == null && isBenign(logger.getName(), message))
        {
            return;
        }
        Slf4jExceptionHandler.WARN.on(logger, message, thrown);
    }

    @Override
    public boolean isEnabled(final Class<?> aClass)
    {
        return Slf4jExceptionHandler.WARN.isEnabled(aClass);
    }
}
