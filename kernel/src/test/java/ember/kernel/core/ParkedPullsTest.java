package ember.kernel.core;

import ember.journal.SyscallType;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ParkedPulls on its own, against a model of the process queues: who is served, in which order,
 * which pulls are even tried, expiry by deadline, removal by process end and by session, the cap.
 */
class ParkedPullsTest
{
    private static final long NS = 1_000_000_000L;

    private final ClientSession sessionOne = new ClientSession(1, "root");
    private final ClientSession sessionTwo = new ClientSession(2, "root");
    private final ModelServer server = new ModelServer();
    private final ParkedPulls parked = new ParkedPulls(8, server);

    @Test
    void anEventGoesToTheEarliestParkedPullWhoseFilterAdmitsIt()
    {
        final Command first = park(2, sessionOne, 10, "a");
        final Command any = park(2, sessionOne, 10);
        final Command third = park(2, sessionOne, 10, "b", "a");

        queue(2, "a");
        assertEquals(List.of(first), server.served);
        queue(2, "a");
        assertEquals(List.of(first, any), server.served, "the any-name pull parked before the third");
        queue(2, "a");
        assertEquals(List.of(first, any, third), server.served);
        assertEquals(0, parked.size());
        assertEquals(0, parked.count(2));
    }

    @Test
    void onlyPullsWhoseFilterContainsTheNameOrAnyNameAreTried()
    {
        for (int i = 0; i < 8; i++)
        {
            park(2, sessionOne, 10, "never" + i);
        }
        for (int i = 0; i < 5; i++)
        {
            park(3, sessionOne, 10, "x");
        }
        queue(2, "x");
        queue(2, "other");
        assertEquals(0, server.tries, "no pull of process 2 admits x or other; process 3's are not its");

        final Command wanted = park(3, sessionTwo, 10, "y");
        queue(3, "y");
        assertEquals(1, server.tries, "only the one pull for y is tried");
        assertEquals(List.of(wanted), server.served);
    }

    @Test
    void anyNamePullsTakeEveryName()
    {
        final Command one = park(2, sessionOne, 10);
        final Command two = park(2, sessionOne, 10);
        queue(2, "timer");
        queue(2, "remote_event");
        assertEquals(List.of(one, two), server.served);
        assertEquals(List.of("timer", "remote_event"), server.takenNames);
    }

    @Test
    void severalEventsOfOneNameInOneRecordServeAsManyPulls()
    {
        final Command one = park(2, sessionOne, 10, "signal");
        final Command two = park(2, sessionOne, 10, "signal");
        final Command three = park(2, sessionOne, 10, "signal");
        server.enqueue(2, "signal");
        parked.onEventQueued(2, "signal");
        server.enqueue(2, "signal");
        parked.onEventQueued(2, "signal");
        assertEquals(2, parked.serve());
        assertEquals(List.of(one, two), server.served);
        assertEquals(1, parked.count(2));
        assertFalse(server.served.contains(three));
    }

    @Test
    void eventsOfSeveralNamesInOneRecordAreOfferedInParkOrder()
    {
        // The earliest pull admits both names: it takes the first queued (a), the later one takes b.
        final Command both = park(2, sessionOne, 10, "b", "a");
        final Command onlyB = park(2, sessionOne, 10, "b");
        server.enqueue(2, "a");
        parked.onEventQueued(2, "a");
        server.enqueue(2, "b");
        parked.onEventQueued(2, "b");
        assertEquals(2, parked.serve());
        assertEquals(List.of(both, onlyB), server.served);
        assertEquals(List.of("a", "b"), server.takenNames);
    }

    @Test
    void aContinuedProcessOffersItsQueueToAllItsPullsInParkOrder()
    {
        final Command x = park(2, sessionOne, 10, "x");
        final Command y = park(2, sessionOne, 10, "y");
        final Command z = park(2, sessionOne, 10, "z");
        server.enqueue(2, "z"); // queued while stopped: no onEventQueued
        server.enqueue(2, "x");
        for (int i = 0; i < 50; i++)
        {
            server.enqueue(2, "unwanted");
        }
        parked.onDeliverable(2);
        assertEquals(2, parked.serve());
        assertEquals(Map.of(x, "x", z, "z"), server.taken);
        assertEquals(2, server.tries, "queued names no pull admits cost no tries");
        assertEquals(1, parked.count(2));
        assertFalse(server.served.contains(y));
    }

    @Test
    void offeringTheQueueGivesWhatEachPullInParkOrderWouldTake()
    {
        final java.util.Random random = new java.util.Random(20261123);
        final String[] alphabet = {"a", "b", "c", "d"};
        for (int trial = 0; trial < 500; trial++)
        {
            final ModelServer model = new ModelServer();
            final ParkedPulls pulls = new ParkedPulls(64, model);
            final List<Command> order = new ArrayList<>();
            for (int i = 0; i < 1 + random.nextInt(12); i++)
            {
                final List<String> filter = new ArrayList<>();
                for (final String name : alphabet)
                {
                    if (random.nextInt(3) == 0)
                    {
                        filter.add(name);
                    }
                }
                final Command command = pull(2, sessionOne, 10, filter.toArray(new String[0]));
                pulls.park(command, 0);
                order.add(command);
            }
            final List<String> queue = new ArrayList<>();
            for (int i = 0; i < random.nextInt(12); i++)
            {
                queue.add(alphabet[random.nextInt(alphabet.length)]);
                model.enqueue(2, queue.get(i));
            }
            // The reference: every pull in park order takes the first queued event it admits.
            final Map<Command, String> expected = new HashMap<>();
            final List<String> left = new ArrayList<>(queue);
            for (final Command command : order)
            {
                for (int i = 0; i < left.size(); i++)
                {
                    if (ModelServer.admits(command.record.names, left.get(i)))
                    {
                        expected.put(command, left.remove(i));
                        break;
                    }
                }
            }
            pulls.onDeliverable(2);
            pulls.serve();
            assertEquals(expected, model.taken, "trial " + trial + ": queue " + queue);
            assertEquals(order.size() - expected.size(), pulls.size());
            assertEquals(left, new ArrayList<>(model.queues.getOrDefault(2L, new ArrayDeque<>())), "trial " + trial);
        }
    }

    @Test
    void aPullThatCannotTakeTheEventLetsTheNextOneTry()
    {
        final Command first = park(2, sessionOne, 10, "a");
        final Command second = park(2, sessionOne, 10, "a");
        server.notReady.add(first);
        queue(2, "a");
        assertEquals(List.of(second), server.served);
        assertEquals(1, parked.count(2));
    }

    @Test
    void aJournalFailureLeavesThePullParkedForTheNextEvent()
    {
        final Command pull = park(2, sessionOne, 10, "a");
        server.failing = true;
        queue(2, "a");
        assertTrue(server.served.isEmpty());
        assertEquals(1, parked.count(2));
        server.failing = false;
        queue(2, "a");
        assertEquals(List.of(pull), server.served);
        assertEquals(0, parked.size());
    }

    @Test
    void pullsExpireByDeadlineEarliestFirstAndNeverWithoutOne()
    {
        final Command late = park(2, sessionOne, 2.0, "a");
        final Command forever = park(2, sessionOne, -1, "a");
        final Command early = park(3, sessionOne, 0.5, "a");
        final Command served = park(3, sessionOne, 0.25, "b");
        final Command huge = park(3, sessionOne, 1e30, "a");
        queue(3, "b");
        assertEquals(List.of(served), server.served);

        assertNull(parked.pollExpired(NS / 2 - 1), "nothing is due yet (the served pull left the heap)");
        assertSame(early, parked.pollExpired(NS / 2));
        assertNull(parked.pollExpired(NS));
        assertSame(late, parked.pollExpired(Long.MAX_VALUE - 1));
        assertNull(parked.pollExpired(Long.MAX_VALUE - 1), "pulls without a deadline never expire");
        assertEquals(2, parked.size());
        assertSame(forever, parked.pollEnded(2));
        assertSame(huge, parked.pollEnded(3));
    }

    @Test
    void expiryOfManyPullsComesOutInDeadlineOrder()
    {
        final ParkedPulls many = new ParkedPulls(10_000, server);
        final java.util.Random random = new java.util.Random(7);
        final Map<Command, Double> timeouts = new HashMap<>();
        for (int i = 0; i < 2_000; i++)
        {
            final double seconds = random.nextInt(1_000) / 100.0 + 0.01;
            final Command command = pull(2 + i % 5, sessionOne, seconds, "n" + (i % 3));
            many.park(command, 0);
            timeouts.put(command, seconds);
        }
        // Remove some from the middle of the heap by serving them.
        for (int i = 0; i < 50; i++)
        {
            server.enqueue(2, "n0");
            many.onEventQueued(2, "n0");
        }
        many.serve();
        double last = 0;
        int expired = 0;
        Command command;
        while ((command = many.pollExpired(Long.MAX_VALUE - 1)) != null)
        {
            final double seconds = timeouts.get(command);
            assertTrue(seconds >= last, "deadline order: " + seconds + " after " + last);
            assertFalse(server.served.contains(command), "a served pull does not expire");
            last = seconds;
            expired++;
        }
        assertEquals(2_000 - 50, expired);
        assertEquals(0, many.size());
    }

    @Test
    void aProcessEndTakesItsPullsInParkOrderAndLeavesOthers()
    {
        final Command a = park(2, sessionOne, 10, "a");
        final Command b = park(2, sessionTwo, -1);
        final Command other = park(3, sessionOne, 10, "a");
        server.enqueue(2, "a");
        parked.onEventQueued(2, "a"); // pending when the process ends in the same record
        assertSame(a, parked.pollEnded(2));
        assertSame(b, parked.pollEnded(2));
        assertNull(parked.pollEnded(2));
        assertEquals(0, parked.serve(), "an ended process is not served");
        assertEquals(1, parked.size());
        assertEquals(0, parked.count(2));
        queue(3, "a");
        assertEquals(List.of(other), server.served);
        assertNull(parked.pollSession(2), "the ended process's pulls left the session index too");
    }

    @Test
    void aDetachTakesOnlyThatSessionsPulls()
    {
        final Command one = park(2, sessionOne, 10, "a");
        final Command two = park(2, sessionTwo, 10, "a");
        final Command three = park(3, sessionOne, 10);
        final Command four = park(3, sessionTwo, 10);
        final List<Command> taken = new ArrayList<>();
        Command command;
        while ((command = parked.pollSession(1)) != null)
        {
            taken.add(command);
        }
        assertEquals(2, taken.size());
        assertTrue(taken.containsAll(List.of(one, three)));
        assertEquals(2, parked.size());
        queue(2, "a");
        queue(3, "z");
        assertEquals(List.of(two, four), server.served, "the other session's pulls are still indexed");
        assertNull(parked.pollExpired(Long.MAX_VALUE - 1), "the detached pulls left the deadline heap");
        assertEquals(0, parked.size());
    }

    @Test
    void theCapIsPerProcessAndFreedByServing()
    {
        for (int i = 0; i < 8; i++)
        {
            assertFalse(parked.isFull(2));
            park(2, sessionOne, 10, "a");
        }
        assertTrue(parked.isFull(2));
        assertFalse(parked.isFull(3), "another process has its own cap");
        queue(2, "a");
        assertFalse(parked.isFull(2));
        assertThrows(IllegalArgumentException.class, () -> new ParkedPulls(0, server));
    }

    @Test
    void aFilterNamingOneNameTwiceIsOnePull()
    {
        final Command twice = park(2, sessionOne, 10, "a", "b", "a");
        final Command next = park(2, sessionOne, 10, "a");
        queue(2, "a");
        queue(2, "a");
        assertEquals(List.of(twice, next), server.served);
        assertEquals(2, server.tries, "each event tried one pull");
        assertEquals(0, parked.size());
    }

    @Test
    void reusedNodesKeepEveryIndexConsistent()
    {
        final ParkedPulls many = new ParkedPulls(ParkedPulls.POOL_LIMIT * 2, server);
        for (int round = 0; round < 3; round++)
        {
            final List<Command> pulls = new ArrayList<>();
            for (int i = 0; i < ParkedPulls.POOL_LIMIT + 100; i++)
            {
                final Command command = pull(2, i % 2 == 0 ? sessionOne : sessionTwo, 5, "r" + (i % 7));
                many.park(command, round * 10L * NS);
                pulls.add(command);
            }
            assertEquals(pulls.size(), many.size());
            server.enqueue(2, "r3");
            many.onEventQueued(2, "r3");
            assertEquals(1, many.serve());
            assertSame(pulls.get(3), server.served.get(server.served.size() - 1));
            int gone = 0;
            while (many.pollSession(2) != null)
            {
                gone++;
            }
            assertEquals(pulls.size() / 2 - 1, gone, "session two's pulls but the served one (index 3)");
            int expired = 0;
            while (many.pollExpired(round * 10L * NS + 5 * NS) != null)
            {
                expired++;
            }
            assertEquals(pulls.size() - gone - 1, expired);
            assertEquals(0, many.size());
        }
    }

    // ---------------------------------------------------------------------------------------

    private Command park(final long pid, final ClientSession session, final double seconds, final String... names)
    {
        final Command command = pull(pid, session, seconds, names);
        parked.park(command, 0);
        return command;
    }

    private static Command pull(final long pid, final ClientSession session, final double seconds, final String... names)
    {
        final Command command = new Command(c -> { });
        command.record.reset(SyscallType.PULL_EVENT, pid).names = names;
        command.record.number = seconds;
        command.session = session;
        return command;
    }

    private void queue(final long pid, final String name)
    {
        server.enqueue(pid, name);
        parked.onEventQueued(pid, name);
        parked.serve();
    }

    /** The state's queues, reduced to names: a pull takes the first queued event its filter admits. */
    private static final class ModelServer implements ParkedPulls.Server
    {
        final Map<Long, ArrayDeque<String>> queues = new HashMap<>();
        final List<Command> served = new ArrayList<>();
        final List<String> takenNames = new ArrayList<>();
        final Map<Command, String> taken = new HashMap<>();
        final List<Command> notReady = new ArrayList<>();
        boolean failing;
        int tries;

        void enqueue(final long pid, final String name)
        {
            queues.computeIfAbsent(pid, p -> new ArrayDeque<>()).addLast(name);
        }

        @Override
        public void queuedNames(final long pid, final List<String> into)
        {
            into.addAll(queues.getOrDefault(pid, new ArrayDeque<>()));
        }

        @Override
        public int tryServe(final Command pull)
        {
            tries++;
            if (notReady.contains(pull))
            {
                return NOT_READY;
            }
            final ArrayDeque<String> queue = queues.getOrDefault(pull.record.pid, new ArrayDeque<>());
            final Iterator<String> it = queue.iterator();
            while (it.hasNext())
            {
                final String name = it.next();
                if (admits(pull.record.names, name))
                {
                    if (failing)
                    {
                        return STOP;
                    }
                    it.remove();
                    served.add(pull);
                    takenNames.add(name);
                    taken.put(pull, name);
                    return SERVED;
                }
            }
            return NOT_READY;
        }

        static boolean admits(final String[] names, final String name)
        {
            return names == null || names.length == 0 || List.of(names).contains(name);
        }
    }
}
