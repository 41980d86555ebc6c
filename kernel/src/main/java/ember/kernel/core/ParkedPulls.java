package ember.kernel.core;

import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.Object2ObjectHashMap;

import java.util.ArrayList;
import java.util.Arrays;

/**
 * The {@code pullEvent} calls that wait for an event (parked pulls), indexed so that no
 * operation of the core scans them all.
 * <p>
 * A parked pull is live-only state: it belongs to an attached client, not to the kernel state,
 * and its journaled {@code pullEvent} record is retried (journaled again) when an event it may
 * take arrives. The indexes:
 * <ul>
 * <li>by process, in park order, and inside a process by filter name, plus one list of the pulls
 * that take any name: an event named N queued to process P tries only P's pulls whose filter
 * contains N or that have no filter, earliest parked first;</li>
 * <li>by deadline (a binary heap; pulls without a deadline are not in it): expiry costs
 * O(log n) per expired pull and nothing while none is due;</li>
 * <li>by client session: a detach reaches only that client's pulls.</li>
 * </ul>
 * Removing a pull (served, timed out, process ended, client detached) costs O(names of its
 * filter + log n). At most {@code maxPerProcess} pulls park per process; the core refuses one
 * more before it is journaled (see {@link #isFull(long)}).
 * <p>
 * Why one new event tries only the pulls admitting its name, and is taken by at most one: a parked
 * pull of a running process can take nothing already queued (it would have taken it), so the new
 * event goes to the earliest parked pull whose filter admits its name, which takes exactly that
 * event; the SPEC's rule (the earliest waiter that can take an event gets it) is kept. Continuing
 * a stopped process ({@link #onDeliverable(long)}) or events of several names arriving in one
 * record offer the whole queue instead, event by event, which gives the same outcome as letting
 * every pull in park order take its first admitted event.
 * <p>
 * Thread ownership: the core thread only (not thread-safe). Nodes are pooled (up to
 * {@link #POOL_LIMIT} of each kind) so that parking and serving allocate nothing in steady state.
 */
final class ParkedPulls
{
    /** Nodes of each kind kept for reuse; beyond that they are left to the collector. */
    static final int POOL_LIMIT = 4096;

    /** What the core does with a parked pull that may now succeed. */
    interface Server
    {
        /** The pull was journaled and answered: it is no longer parked. */
        int SERVED = 0;
        /** The pull cannot take an event now: it stays parked. */
        int NOT_READY = 1;
        /** The pull could not be journaled: it stays parked, and its process is not tried further now. */
        int STOP = 2;

        /**
         * Core thread. Must not park or remove pulls itself.
         *
         * @param pull the parked {@code pullEvent} command.
         * @return {@link #SERVED}, {@link #NOT_READY} or {@link #STOP}.
         */
        int tryServe(Command pull);

        /**
         * Core thread.
         *
         * @param pid  a process with parked pulls.
         * @param into receives the names of the events queued to it, head first (none when it
         *             cannot take events now).
         */
        void queuedNames(long pid, java.util.List<String> into);
    }

    private static final int PENDING_NONE = 0;
    private static final int PENDING_NAME = 1;
    private static final int PENDING_ALL = 2;

    private final int maxPerProcess;
    private final Server server;
    private final Long2ObjectHashMap<ProcessPulls> byPid = new Long2ObjectHashMap<>();
    /** Session id → the most recently parked pull of that session (a doubly linked list). */
    private final Int2ObjectHashMap<ParkedPull> bySession = new Int2ObjectHashMap<>();
    /** Processes that received events since the last {@link #serve()}, each once. */
    private final ArrayList<ProcessPulls> pending = new ArrayList<>();
    private final ArrayList<String> queuedNames = new ArrayList<>();
    private ParkedPull[] heap = new ParkedPull[64];
    private int heapSize;
    private int size;
    private long nextSequence;

    private ParkedPull freePulls;
    private int freePullCount;
    private NameLink freeLinks;
    private int freeLinkCount;
    private NameQueue freeQueues;
    private int freeQueueCount;

    /**
     * @param maxPerProcess pulls that may park per process (at least 1).
     * @param server        serves pulls that may now succeed.
     */
    ParkedPulls(final int maxPerProcess, final Server server)
    {
        if (maxPerProcess < 1)
        {
            throw new IllegalArgumentException("maxPerProcess must be positive: " + maxPerProcess);
        }
        this.maxPerProcess = maxPerProcess;
        this.server = server;
    }

    /** @return parked pulls in all. */
    int size()
    {
        return size;
    }

    /** @return parked pulls of {@code pid}. */
    int count(final long pid)
    {
        final ProcessPulls process = byPid.get(pid);
        return process == null ? 0 : process.count;
    }

    /** @return true when {@code pid} has the most parked pulls allowed: one more must be refused. */
    boolean isFull(final long pid)
    {
        return count(pid) >= maxPerProcess;
    }

    /**
     * Park a journaled {@code pullEvent} that returned nil. Its pid, filter and timeout are read
     * from {@code command.record} ({@code number} seconds; negative or huge: no deadline), its
     * client from {@code command.session}.
     *
     * @param command a pull the caller made sure fits ({@link #isFull(long)} is false).
     * @param nowNs   the kernel clock now.
     */
    void park(final Command command, final long nowNs)
    {
        final long pid = command.record.pid;
        ProcessPulls process = byPid.get(pid);
        if (process == null)
        {
            process = new ProcessPulls(pid);
            byPid.put(pid, process);
        }
        final ParkedPull pull = newPull();
        pull.command = command;
        pull.process = process;
        pull.sequence = nextSequence++;
        final double seconds = command.record.number;
        pull.deadlineNs = seconds < 0 || seconds * 1e9 >= Long.MAX_VALUE / 2 ?
            Long.MAX_VALUE : nowNs + (long)(seconds * 1e9);

        // Process list, park order.
        pull.processPrev = process.last;
        if (process.last == null)
        {
            process.first = pull;
        }
        else
        {
            process.last.processNext = pull;
        }
        process.last = pull;
        process.count++;

        // Name index: one link per distinct name, or one in the any-name queue.
        final String[] names = command.record.names;
        if (names == null || names.length == 0)
        {
            if (process.anyName == null)
            {
                process.anyName = newQueue(null);
            }
            link(pull, process.anyName);
        }
        else
        {
            for (final String name : names)
            {
                final NameQueue queue = process.queueFor(name, this);
                // A name given twice links once: this pull is then already the queue's last (O(1), filters are long).
                if (queue.last == null || queue.last.pull != pull)
                {
                    link(pull, queue);
                }
            }
        }

        // Session list (order does not matter: a detach answers them all).
        pull.sessionId = command.session.id();
        final ParkedPull head = bySession.put(pull.sessionId, pull);
        pull.sessionNext = head;
        if (head != null)
        {
            head.sessionPrev = pull;
        }

        if (pull.deadlineNs != Long.MAX_VALUE)
        {
            heapAdd(pull);
        }
        size++;
    }

    /**
     * Called while a record is applied: an event named {@code name} was queued to the running
     * process {@code pid}. Remembered until {@link #serve()}.
     */
    void onEventQueued(final long pid, final String name)
    {
        final ProcessPulls process = byPid.get(pid);
        if (process == null || process.count == 0)
        {
            return;
        }
        switch (process.pendingMode)
        {
            case PENDING_NONE:
                process.pendingMode = PENDING_NAME;
                process.pendingName = name;
                process.pendingEvents = 1;
                pending.add(process);
                break;
            case PENDING_NAME:
                if (process.pendingName.equals(name))
                {
                    process.pendingEvents++;
                }
                else
                {
                    process.pendingMode = PENDING_ALL;
                }
                break;
            default:
                break;
        }
    }

    /**
     * Called while a record is applied: process {@code pid} was continued, so any of its parked
     * pulls may take an event already queued. Remembered until {@link #serve()}.
     */
    void onDeliverable(final long pid)
    {
        final ProcessPulls process = byPid.get(pid);
        if (process == null || process.count == 0)
        {
            return;
        }
        if (process.pendingMode == PENDING_NONE)
        {
            pending.add(process);
        }
        process.pendingMode = PENDING_ALL;
    }

    /**
     * After a record is applied: offer the events that arrived to the parked pulls that may take
     * them, through the {@link Server}.
     *
     * @return how many pulls were served.
     */
    int serve()
    {
        int served = 0;
        for (int i = 0; i < pending.size(); i++)
        {
            final ProcessPulls process = pending.get(i);
            final int mode = process.pendingMode;
            final String name = process.pendingName;
            final int events = process.pendingEvents;
            process.pendingMode = PENDING_NONE;
            process.pendingName = null;
            process.pendingEvents = 0;
            if (process.ended || process.count == 0)
            {
                continue;
            }
            served += mode == PENDING_NAME ? serveNamed(process, name, events) : serveAll(process);
        }
        pending.clear();
        return served;
    }

    /** {@code events} events named {@code name} arrived at the tail of the process's queue. */
    private int serveNamed(final ProcessPulls process, final String name, final int events)
    {
        int served = 0;
        while (served < events && offer(process, name) == Server.SERVED)
        {
            served++;
        }
        return served;
    }

    /**
     * The whole queue is offered, event by event, head first (a continued process, or events of
     * several names at once): each event goes to the earliest parked pull admitting its name.
     * This is the same outcome as letting each pull, in park order, take the first queued event
     * it admits (the earliest pull's first admitted event is offered to it first), at the cost of
     * the queue's length instead of pulls times queue length.
     */
    private int serveAll(final ProcessPulls process)
    {
        queuedNames.clear();
        server.queuedNames(process.pid, queuedNames);
        int served = 0;
        for (int i = 0; i < queuedNames.size() && process.count > 0; i++)
        {
            final int outcome = offer(process, queuedNames.get(i));
            if (outcome == Server.SERVED)
            {
                served++;
            }
            else if (outcome == Server.STOP)
            {
                break;
            }
        }
        queuedNames.clear();
        return served;
    }

    /**
     * Offer one event named {@code name}: tried by the pulls whose filter contains the name and
     * those for any name, earliest parked first, until one takes it.
     *
     * @return {@link Server#SERVED}, {@link Server#NOT_READY} (no pull took it) or {@link Server#STOP}.
     */
    private int offer(final ProcessPulls process, final String name)
    {
        final NameQueue named = process.byName == null ? null : process.byName.get(name);
        NameLink a = named == null ? null : named.first;
        NameLink b = process.anyName == null ? null : process.anyName.first;
        while (a != null || b != null)
        {
            final NameLink next;
            if (b == null || (a != null && a.pull.sequence < b.pull.sequence))
            {
                next = a;
                a = a.next;
            }
            else
            {
                next = b;
                b = b.next;
            }
            final int outcome = server.tryServe(next.pull.command);
            if (outcome == Server.SERVED)
            {
                remove(next.pull);
                return Server.SERVED;
            }
            if (outcome == Server.STOP)
            {
                return Server.STOP;
            }
        }
        return Server.NOT_READY;
    }

    /**
     * @param nowNs the kernel clock now.
     * @return a parked pull whose deadline is at or before {@code nowNs}, no longer parked (the
     * earliest deadline first), or null when none is due.
     */
    Command pollExpired(final long nowNs)
    {
        if (heapSize == 0 || heap[0].deadlineNs > nowNs)
        {
            return null;
        }
        return removeAndRelease(heap[0]);
    }

    /**
     * Process {@code pid} ended: call until null to take its parked pulls one by one, earliest
     * parked first; the null call forgets the process.
     *
     * @return a pull of {@code pid}, no longer parked, or null when none is left.
     */
    Command pollEnded(final long pid)
    {
        final ProcessPulls process = byPid.get(pid);
        if (process == null)
        {
            return null;
        }
        if (process.first == null)
        {
            process.ended = true; // a pending serve of it skips it
            byPid.remove(pid);
            releaseQueues(process);
            return null;
        }
        return removeAndRelease(process.first);
    }

    /**
     * Client {@code sessionId} detached: call until null to take its parked pulls one by one.
     *
     * @return a pull of that client, no longer parked, or null when none is left.
     */
    Command pollSession(final int sessionId)
    {
        final ParkedPull pull = bySession.get(sessionId);
        return pull == null ? null : removeAndRelease(pull);
    }

    /** Closing: call until null to take every parked pull. @return one, no longer parked, or null. */
    Command pollAny()
    {
        if (bySession.isEmpty())
        {
            return null;
        }
        return removeAndRelease(bySession.values().iterator().next());
    }

    private Command removeAndRelease(final ParkedPull pull)
    {
        final Command command = pull.command;
        remove(pull);
        return command;
    }

    private void remove(final ParkedPull pull)
    {
        final ProcessPulls process = pull.process;
        if (pull.processPrev == null)
        {
            process.first = pull.processNext;
        }
        else
        {
            pull.processPrev.processNext = pull.processNext;
        }
        if (pull.processNext == null)
        {
            process.last = pull.processPrev;
        }
        else
        {
            pull.processNext.processPrev = pull.processPrev;
        }
        process.count--;

        NameLink link = pull.links;
        while (link != null)
        {
            final NameLink sibling = link.sibling;
            unlink(process, link);
            link = sibling;
        }

        if (pull.sessionPrev == null)
        {
            if (pull.sessionNext == null)
            {
                bySession.remove(pull.sessionId);
            }
            else
            {
                bySession.put(pull.sessionId, pull.sessionNext);
            }
        }
        else
        {
            pull.sessionPrev.sessionNext = pull.sessionNext;
        }
        if (pull.sessionNext != null)
        {
            pull.sessionNext.sessionPrev = pull.sessionPrev;
        }

        if (pull.heapIndex >= 0)
        {
            heapRemove(pull);
        }
        size--;
        releasePull(pull);
    }

    // ---------------------------------------------------------------------------------------
    // Name queues: a pull's links, one per distinct filter name.
    // ---------------------------------------------------------------------------------------

    private void link(final ParkedPull pull, final NameQueue queue)
    {
        final NameLink link = newLink();
        link.pull = pull;
        link.queue = queue;
        link.prev = queue.last;
        if (queue.last == null)
        {
            queue.first = link;
        }
        else
        {
            queue.last.next = link;
        }
        queue.last = link;
        link.sibling = pull.links;
        pull.links = link;
    }

    private void unlink(final ProcessPulls process, final NameLink link)
    {
        final NameQueue queue = link.queue;
        if (link.prev == null)
        {
            queue.first = link.next;
        }
        else
        {
            link.prev.next = link.next;
        }
        if (link.next == null)
        {
            queue.last = link.prev;
        }
        else
        {
            link.next.prev = link.prev;
        }
        if (queue.first == null && queue.name != null)
        {
            // An empty name queue goes: a process pulling ever-new names must not grow its index.
            process.byName.remove(queue.name);
            releaseQueue(queue);
        }
        releaseLink(link);
    }

    private void releaseQueues(final ProcessPulls process)
    {
        if (process.anyName != null)
        {
            releaseQueue(process.anyName);
            process.anyName = null;
        }
    }

    // ---------------------------------------------------------------------------------------
    // Deadline heap: a binary min-heap on (deadline, park order), each pull knowing its slot.
    // ---------------------------------------------------------------------------------------

    private void heapAdd(final ParkedPull pull)
    {
        if (heapSize == heap.length)
        {
            heap = Arrays.copyOf(heap, heap.length * 2);
        }
        heap[heapSize] = pull;
        pull.heapIndex = heapSize;
        heapSize++;
        siftUp(pull.heapIndex);
    }

    private void heapRemove(final ParkedPull pull)
    {
        final int i = pull.heapIndex;
        pull.heapIndex = -1;
        heapSize--;
        final ParkedPull last = heap[heapSize];
        heap[heapSize] = null;
        if (i < heapSize)
        {
            heap[i] = last;
            last.heapIndex = i;
            siftDown(i);
            if (heap[i] == last)
            {
                siftUp(i);
            }
        }
    }

    private void siftUp(final int from)
    {
        int i = from;
        final ParkedPull pull = heap[i];
        while (i > 0)
        {
            final int parent = (i - 1) >>> 1;
            if (!earlier(pull, heap[parent]))
            {
                break;
            }
            heap[i] = heap[parent];
            heap[i].heapIndex = i;
            i = parent;
        }
        heap[i] = pull;
        pull.heapIndex = i;
    }

    private void siftDown(final int from)
    {
        int i = from;
        final ParkedPull pull = heap[i];
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= heapSize)
            {
                break;
            }
            if (child + 1 < heapSize && earlier(heap[child + 1], heap[child]))
            {
                child++;
            }
            if (!earlier(heap[child], pull))
            {
                break;
            }
            heap[i] = heap[child];
            heap[i].heapIndex = i;
            i = child;
        }
        heap[i] = pull;
        pull.heapIndex = i;
    }

    private static boolean earlier(final ParkedPull x, final ParkedPull y)
    {
        return x.deadlineNs < y.deadlineNs || (x.deadlineNs == y.deadlineNs && x.sequence < y.sequence);
    }

    // ---------------------------------------------------------------------------------------
    // Node pools.
    // ---------------------------------------------------------------------------------------

    private ParkedPull newPull()
    {
        final ParkedPull pull = freePulls;
        if (pull == null)
        {
            return new ParkedPull();
        }
        freePulls = pull.processNext;
        freePullCount--;
        pull.processNext = null;
        return pull;
    }

    private void releasePull(final ParkedPull pull)
    {
        pull.command = null;
        pull.process = null;
        pull.processPrev = null;
        pull.sessionPrev = null;
        pull.sessionNext = null;
        pull.links = null;
        pull.heapIndex = -1;
        if (freePullCount < POOL_LIMIT)
        {
            pull.processNext = freePulls;
            freePulls = pull;
            freePullCount++;
        }
        else
        {
            pull.processNext = null;
        }
    }

    private NameLink newLink()
    {
        final NameLink link = freeLinks;
        if (link == null)
        {
            return new NameLink();
        }
        freeLinks = link.next;
        freeLinkCount--;
        link.next = null;
        return link;
    }

    private void releaseLink(final NameLink link)
    {
        link.pull = null;
        link.queue = null;
        link.prev = null;
        link.sibling = null;
        if (freeLinkCount < POOL_LIMIT)
        {
            link.next = freeLinks;
            freeLinks = link;
            freeLinkCount++;
        }
        else
        {
            link.next = null;
        }
    }

    private NameQueue newQueue(final String name)
    {
        NameQueue queue = freeQueues;
        if (queue == null)
        {
            queue = new NameQueue();
        }
        else
        {
            freeQueues = queue.nextFree;
            freeQueueCount--;
            queue.nextFree = null;
        }
        queue.name = name;
        return queue;
    }

    private void releaseQueue(final NameQueue queue)
    {
        queue.name = null;
        queue.first = null;
        queue.last = null;
        if (freeQueueCount < POOL_LIMIT)
        {
            queue.nextFree = freeQueues;
            freeQueues = queue;
            freeQueueCount++;
        }
    }

    // ---------------------------------------------------------------------------------------
    // Nodes.
    // ---------------------------------------------------------------------------------------

    /** The parked pulls of one process. */
    private static final class ProcessPulls
    {
        final long pid;
        ParkedPull first;
        ParkedPull last;
        int count;
        /** Pulls without a filter; created on first use, kept while the process lives. */
        NameQueue anyName;
        /** Filter name → pulls whose filter contains it; created on first use, empty queues removed. */
        Object2ObjectHashMap<String, NameQueue> byName;
        int pendingMode;
        String pendingName;
        int pendingEvents;
        boolean ended;

        ProcessPulls(final long pid)
        {
            this.pid = pid;
        }

        NameQueue queueFor(final String name, final ParkedPulls pulls)
        {
            if (byName == null)
            {
                byName = new Object2ObjectHashMap<>();
            }
            NameQueue queue = byName.get(name);
            if (queue == null)
            {
                queue = pulls.newQueue(name);
                byName.put(name, queue);
            }
            return queue;
        }
    }

    /** One parked pull: its command and its place in every index. */
    private static final class ParkedPull
    {
        Command command;
        ProcessPulls process;
        long sequence;
        long deadlineNs;
        int heapIndex = -1;
        int sessionId;
        ParkedPull processPrev;
        /** Also the free-list link while pooled. */
        ParkedPull processNext;
        ParkedPull sessionPrev;
        ParkedPull sessionNext;
        /** This pull's links in the name queues, chained by {@link NameLink#sibling}. */
        NameLink links;
    }

    /** A pull's membership in one name queue. */
    private static final class NameLink
    {
        ParkedPull pull;
        NameQueue queue;
        NameLink prev;
        /** Also the free-list link while pooled. */
        NameLink next;
        NameLink sibling;
    }

    /** The pulls of one process that admit one name (or any name: {@code name} null), in park order. */
    private static final class NameQueue
    {
        String name;
        NameLink first;
        NameLink last;
        NameQueue nextFree;
    }
}
