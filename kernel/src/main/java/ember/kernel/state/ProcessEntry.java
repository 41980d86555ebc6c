package ember.kernel.state;

import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongArrayList;
import org.agrona.collections.LongHashSet;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One live process. Owned by {@link KernelState}; only the thread applying records touches it.
 */
public final class ProcessEntry
{
    /** Value of {@link #overrides} meaning "queued as an event" (a removed disposition). */
    static final long REMOVED = -1;

    final long pid;
    final String name;
    String user;
    long parent;
    boolean stopped;
    /** The FIFO queue; head first. */
    final ArrayDeque<Event> queue = new ArrayDeque<>();
    /** Signal → handler owner client id, or {@link #REMOVED}. Signals absent take their default. */
    final Long2LongHashMap overrides = new Long2LongHashMap(Long.MIN_VALUE);
    /** Handler calls held while stopped, in arrival order. */
    final LongArrayList heldSignals = new LongArrayList();
    /** Ids of this process's pending timers and alarms. */
    final LongHashSet timers = new LongHashSet();
    /** Service names this process registered. */
    final List<String> services = new ArrayList<>(0);

    ProcessEntry(final long pid, final String name, final String user, final long parent)
    {
        this.pid = pid;
        this.name = name;
        this.user = user;
        this.parent = parent;
    }

    public long pid()
    {
        return pid;
    }

    public String name()
    {
        return name;
    }

    public String user()
    {
        return user;
    }

    public long parent()
    {
        return parent;
    }

    public boolean isStopped()
    {
        return stopped;
    }

    /** @return the events queued to this process, head first; read-only view for tools. */
    public Iterable<Event> queue()
    {
        return queue;
    }

    public int queued()
    {
        return queue.size();
    }

    /** @return the number of pending timers and alarms. */
    public int timerCount()
    {
        return timers.size();
    }

    /**
     * @param signal any integer.
     * @return the disposition in force for {@code signal}.
     */
    public Disposition disposition(final long signal)
    {
        final long override = overrides.get(signal);
        if (override == Long.MIN_VALUE)
        {
            return Disposition.defaultFor(signal);
        }
        return override == REMOVED ? Disposition.QUEUE : Disposition.HANDLER;
    }

    /** @return the owner client of the handler of {@code signal}, or 0 when it has none. */
    public int handlerOwner(final long signal)
    {
        final long override = overrides.get(signal);
        return override > 0 ? (int)override : 0;
    }

    /** @return the signals whose disposition was replaced or removed, ascending. */
    public long[] overriddenSignals()
    {
        final long[] signals = new long[overrides.size()];
        int i = 0;
        final Long2LongHashMap.KeyIterator it = overrides.keySet().iterator();
        while (it.hasNext())
        {
            signals[i++] = it.nextValue();
        }
        java.util.Arrays.sort(signals);
        return signals;
    }

    /** @return handler calls held while stopped, in order. */
    public long[] heldSignals()
    {
        return heldSignals.toLongArray();
    }

    /** @return service names registered by this process, in registration order. */
    public List<String> services()
    {
        return java.util.Collections.unmodifiableList(services);
    }

    /** @return a snapshot of this process for {@code getpinfo}. */
    public ProcessInfo info()
    {
        return new ProcessInfo(pid, name, user, parent, stopped ? "stopped" : "running", queue.size(), timers.size());
    }
}
