package ember.kernel.state;

import ember.journal.PayloadCodec;
import ember.journal.SyscallRecord;
import ember.journal.SyscallType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The state machine alone: records in, state and effects out (no journal, no threads). */
class KernelStateTest
{
    private static final long T0 = 1_700_000_000_000_000_000L;
    private final PayloadCodec codec = new PayloadCodec();
    private final KernelState state = new KernelState();
    private final Effects effects = new Effects();
    private final SyscallRecord record = new SyscallRecord();
    private final SyscallResult result = new SyscallResult();
    private long index;
    private long now = T0;

    static final class Effects implements KernelEffects
    {
        final List<String> calls = new ArrayList<>();

        @Override
        public void onHandlerCall(final int client, final long pid, final long signal)
        {
            calls.add("handler " + client + " " + pid + " " + signal);
        }

        @Override
        public void onTimerScheduled(final long id, final long deadlineNs)
        {
            calls.add("schedule " + id);
        }

        @Override
        public void onTimerCancelled(final long id)
        {
            calls.add("cancel " + id);
        }

        @Override
        public void onDiagnostic(final String line)
        {
            calls.add("diag " + line);
        }
    }

    private SyscallResult apply(final SyscallType type, final long pid, final java.util.function.Consumer<SyscallRecord> args)
    {
        record.reset(type, pid);
        record.client = 1;
        args.accept(record);
        record.index = ++index;
        record.timestamp = now;
        state.apply(record, result, effects);
        return result;
    }

    private SyscallResult call(final SyscallType type, final long pid)
    {
        return apply(type, pid, r -> { });
    }

    private long spawn(final long parent, final String name)
    {
        final SyscallResult r = apply(SyscallType.SPAWN, parent, x -> x.text = name);
        assertTrue(r.ok(), String.valueOf(r.error));
        return r.number;
    }

    private SyscallResult kill(final long from, final long pid, final long signal)
    {
        return apply(SyscallType.KILL, from, r -> { r.arg0 = pid; r.arg1 = signal; });
    }

    private void attachClient()
    {
        call(SyscallType.CLIENT_ATTACH, 0);
    }

    private List<String> queue(final long pid)
    {
        final List<String> events = new ArrayList<>();
        for (final Event e : state.process(pid).queue())
        {
            events.add(e.name() + " " + e.params(codec));
        }
        return events;
    }

    @Test
    void freshKernelHasInitOnly()
    {
        assertArrayEquals(new long[] {1}, state.pids());
        final ProcessInfo init = state.process(1).info();
        assertEquals(new ProcessInfo(1, "init", "root", 0, "running", 0, 0), init);
    }

    @Test
    void spawnInheritsUserAndNameAndPidsAreNeverReused()
    {
        final long a = spawn(1, "worker");
        final long b = spawn(a, null);
        assertEquals(2, a);
        assertEquals(3, b);
        assertEquals("worker", state.process(b).name());
        assertEquals(a, state.process(b).parent());
        apply(SyscallType.EXIT, b, r -> r.arg0 = 0);
        assertEquals(4, spawn(1, null));
    }

    @Test
    void exitReparentsChildrenNotifiesParentAndReleasesEverything()
    {
        final long parent = spawn(1, "p");
        final long child = spawn(parent, "c");
        final long grandchild = spawn(child, "g");
        apply(SyscallType.REGISTER, child, r -> r.text = "svc");
        final long timer = apply(SyscallType.TIMER, child, r -> r.number = 5).number;
        apply(SyscallType.EXIT, child, r -> r.arg0 = 7);
        assertNull(state.process(child));
        assertEquals(1, state.process(grandchild).parent());
        assertEquals(List.of("process_complete {code=7, id=" + child + "}"), queue(parent));
        assertNull(apply(SyscallType.LOOKUP, parent, r -> r.text = "svc").value);
        assertEquals(SyscallResult.Kind.NIL, result.kind);
        assertNull(state.pendingTimer(timer));
        assertTrue(effects.calls.contains("cancel " + timer));
        assertTrue(apply(SyscallType.REGISTER, parent, r -> r.text = "svc").number == 1, "name released");
    }

    @Test
    void initCannotExitOrBeKilled()
    {
        assertEquals(KernelError.PERMISSION_DENIED, apply(SyscallType.EXIT, 1, r -> r.arg0 = 0).error);
        assertEquals(KernelError.PERMISSION_DENIED, kill(1, 1, 9).error);
        assertTrue(kill(1, 1, 15).ok());
        assertTrue(kill(1, 1, 19).ok());
        assertEquals("running", state.process(1).info().state());
        assertEquals(List.of("signal {signal=15}", "signal {signal=19}"), queue(1));
    }

    @Test
    void killErrorsComeInSpecOrder()
    {
        final long alice = spawn(1, "a");
        apply(SyscallType.SETUSER, alice, r -> r.text = "alice");
        final long bob = spawn(1, "b");
        apply(SyscallType.SETUSER, bob, r -> r.text = "bob");
        assertEquals(KernelError.NO_SUCH_PROCESS, kill(alice, 99, 15).error);
        assertEquals(KernelError.PERMISSION_DENIED, kill(alice, bob, 15).error);
        assertEquals(KernelError.PERMISSION_DENIED, kill(alice, 1, 9).error);
        assertEquals(KernelError.PERMISSION_DENIED, apply(SyscallType.SETUSER, alice, r -> r.text = "root").error);
        assertTrue(kill(1, bob, 15).ok(), "root may signal anyone");
        assertNull(state.process(bob));
    }

    @Test
    void rejectedSyscallsChangeNoState()
    {
        final KernelState twin = new KernelState();
        final long p = spawn(1, "p");
        apply(SyscallType.SETUSER, p, r -> r.text = "alice");
        // Replay the same history on a twin that then applies a harmless getpid instead of each failure.
        final SyscallRecord copy = new SyscallRecord();
        final SyscallResult ignored = new SyscallResult();
        copy.reset(SyscallType.SPAWN, 1).index = 1;
        copy.text = "p";
        copy.timestamp = T0;
        twin.apply(copy, ignored, KernelEffects.NONE);
        copy.reset(SyscallType.SETUSER, p).index = 2;
        copy.text = "alice";
        copy.timestamp = T0;
        twin.apply(copy, ignored, KernelEffects.NONE);

        final List<Runnable> failures = List.of(
            () -> kill(p, 1, 15),
            () -> kill(p, 77, 15),
            () -> apply(SyscallType.SETUSER, p, r -> r.text = "bob"),
            () -> apply(SyscallType.EXIT, 1, r -> r.arg0 = 0),
            () -> apply(SyscallType.QUEUE_EVENT, p, r -> { r.text = "big"; r.payload = new byte[KernelLimits.DEFAULTS.maxPayloadBytes() + 1]; }),
            () -> apply(SyscallType.GETPID, 55, r -> { }));
        for (final Runnable failure : failures)
        {
            failure.run();
            assertNotNull(result.error);
            copy.reset(SyscallType.GETPID, 1).index = index;
            copy.timestamp = now;
            twin.apply(copy, ignored, KernelEffects.NONE);
            assertEquals(twin.digest(), state.digest(), "a failed syscall changed the state at index " + index);
        }
    }

    @Test
    void queueLimitsRefuseUserEventsButNeverKernelEvents()
    {
        apply(SyscallType.KERNEL_OPEN, 0, r -> r.text = new KernelLimits(2, 16).encode());
        final long p = spawn(1, "p");
        final byte[] small = codec.encode(Map.of("a", 1));
        assertTrue(apply(SyscallType.QUEUE_EVENT, p, r -> { r.text = "e"; r.payload = small; }).ok());
        assertTrue(apply(SyscallType.SEND_EVENT, 1, r -> { r.arg0 = p; r.text = "s"; r.payload = small; }).number == 1);
        assertEquals(KernelError.EVENT_QUEUE_FULL, apply(SyscallType.QUEUE_EVENT, p, r -> { r.text = "e"; r.payload = small; }).error);
        final SyscallResult sent = apply(SyscallType.SEND_EVENT, 1, r -> { r.arg0 = p; r.text = "s"; r.payload = small; });
        assertTrue(sent.ok());
        assertEquals(0, sent.number, "sendEvent to a full queue returns false");
        assertTrue(kill(1, p, 10).ok());
        apply(SyscallType.TIMER, p, r -> r.number = 0);
        call(SyscallType.TIMER_FIRED, 0);
        apply(SyscallType.TIMER_FIRED, 0, r -> r.arg0 = 1);
        assertEquals(4, state.process(p).queued(), "signal and timer events exceed the limit");
        assertEquals(KernelError.PAYLOAD_TOO_LARGE,
            apply(SyscallType.QUEUE_EVENT, 1, r -> { r.text = "e"; r.payload = new byte[17]; }).error);
        assertEquals(KernelError.PAYLOAD_TOO_LARGE,
            apply(SyscallType.SEND_EVENT, 1, r -> { r.arg0 = p; r.text = "e"; r.payload = new byte[17]; }).error);
    }

    @Test
    void peekIsTheHeadAndPullKeepsNonMatchingOrder()
    {
        final byte[] empty = codec.encode(Map.of());
        for (final String name : new String[] {"a", "b", "a", "c"})
        {
            apply(SyscallType.QUEUE_EVENT, 1, r -> { r.text = name; r.payload = empty; });
        }
        assertEquals("a", ((Event)call(SyscallType.PEEK_EVENT, 1).value).name());
        assertEquals("c", ((Event)apply(SyscallType.PULL_EVENT, 1, r -> r.names = new String[] {"c", "x"}).value).name());
        assertEquals("b", ((Event)apply(SyscallType.PULL_EVENT, 1, r -> r.names = new String[] {"b"}).value).name());
        assertEquals(SyscallResult.Kind.NIL, apply(SyscallType.PULL_EVENT, 1, r -> r.names = new String[] {"zzz"}).kind);
        assertEquals(List.of("a {}", "a {}"), queue(1));
    }

    @Test
    void stopHoldsHandlerCallsAndContResumesInOrder()
    {
        attachClient();
        final long p = spawn(1, "p");
        apply(SyscallType.SIGNAL, p, r -> { r.arg0 = 10; r.arg1 = 1; });
        apply(SyscallType.SIGNAL, p, r -> { r.arg0 = 12; r.arg1 = 1; });
        kill(1, p, 19);
        assertEquals("stopped", state.process(p).info().state());
        kill(1, p, 12);
        kill(1, p, 10);
        assertTrue(effects.calls.stream().noneMatch(c -> c.startsWith("handler")), "held while stopped");
        assertEquals(SyscallResult.Kind.NIL, call(SyscallType.PEEK_EVENT, p).kind, "delivery held while stopped");
        kill(1, p, 18);
        assertEquals(List.of("handler 1 " + p + " 12", "handler 1 " + p + " 10"),
            effects.calls.stream().filter(c -> c.startsWith("handler")).toList());
        assertEquals("running", state.process(p).info().state());
        assertEquals(List.of("signal {signal=18}"), queue(p));
    }

    @Test
    void handledStopDoesNotStopAndDetachedOwnerFallsBackToQueuedSignal()
    {
        attachClient();
        final long p = spawn(1, "p");
        apply(SyscallType.SIGNAL, p, r -> { r.arg0 = 19; r.arg1 = 1; });
        kill(1, p, 19);
        assertEquals("running", state.process(p).info().state());
        assertEquals(List.of("handler 1 " + p + " 19"), effects.calls.stream().filter(c -> c.startsWith("handler")).toList());
        apply(SyscallType.CLIENT_DETACH, 0, r -> r.arg0 = 1);
        kill(1, p, 19);
        assertEquals(List.of("signal {signal=19}"), queue(p));
        apply(SyscallType.SIGNAL, p, r -> { r.arg0 = 9; r.arg1 = 1; });
        assertEquals(Disposition.QUEUE, state.process(p).disposition(9), "signal 9 cannot be handled");
        apply(SyscallType.SIGNAL, p, r -> { r.arg0 = 15; r.arg1 = 0; });
        kill(1, p, 15);
        assertNotNull(state.process(p), "a removed TERM disposition queues the signal");
        kill(1, p, 3);
        assertNull(state.process(p));
        assertTrue(effects.calls.stream().anyMatch(c -> c.startsWith("diag ") && c.contains("signal 3")));
        assertEquals(List.of("process_complete {id=" + p + ", signal=3}"), queue(1));
    }

    @Test
    void timersAndAlarmsShareOneCounterAndCancelOnlyOwn()
    {
        final long p = spawn(1, "p");
        final long t1 = apply(SyscallType.TIMER, p, r -> r.number = 1.5).number;
        final long a2 = apply(SyscallType.ALARM, p, r -> r.number = 6.5).number;
        final long t3 = apply(SyscallType.TIMER, 1, r -> r.number = -1).number;
        assertEquals(1, t1);
        assertEquals(2147483648L + 2, a2);
        assertEquals(3, t3);
        assertEquals(T0 + 1_500_000_000L, state.pendingTimer(t1).deadlineNs());
        assertEquals(T0, state.pendingTimer(t3).deadlineNs(), "<= 0 is due at once");
        final long alarmDeadline = state.pendingTimer(a2).deadlineNs();
        assertEquals((long)(6.5 * 3600e9), Math.floorMod(alarmDeadline, AlarmClock.NANOS_PER_DAY));
        assertTrue(alarmDeadline > T0 && alarmDeadline <= T0 + AlarmClock.NANOS_PER_DAY);

        apply(SyscallType.CANCEL, 1, r -> r.arg0 = t1);
        assertNotNull(state.pendingTimer(t1), "cancel of another process's timer is ignored");
        assertTrue(apply(SyscallType.CANCEL, p, r -> r.arg0 = 12345).ok(), "unknown ids are ignored");
        apply(SyscallType.CANCEL, p, r -> r.arg0 = t1);
        assertNull(state.pendingTimer(t1));
        apply(SyscallType.ALARM_FIRED, 0, r -> r.arg0 = a2);
        apply(SyscallType.TIMER_FIRED, 0, r -> r.arg0 = t1);
        assertEquals(List.of("alarm {id=" + a2 + "}"), queue(p), "a cancelled timer never fires");
        assertEquals(4, apply(SyscallType.TIMER, p, r -> r.number = 1).number, "ids are never reused");
    }

    @Test
    void processAndTimerLimitsRefuseWithPermissionDeniedAndChangeNothing()
    {
        apply(SyscallType.KERNEL_OPEN, 0, r -> r.text = new KernelLimits(10, 100, 4, 2, 2).encode());
        final long a = spawn(1, "a");
        apply(SyscallType.SETUSER, a, r -> r.text = "alice");
        final long b = spawn(a, "b");
        assertEquals(KernelError.PERMISSION_DENIED, apply(SyscallType.SPAWN, a, r -> { }).error, "2 per user");
        final long c = spawn(1, "c");
        assertEquals(KernelError.PERMISSION_DENIED, apply(SyscallType.SPAWN, 1, r -> { }).error, "4 in all");
        apply(SyscallType.EXIT, b, r -> r.arg0 = 0);
        assertTrue(apply(SyscallType.SPAWN, a, r -> { }).ok(), "an ended process frees its slot");

        apply(SyscallType.TIMER, c, r -> r.number = 10);
        apply(SyscallType.ALARM, c, r -> r.number = 3);
        final String before = state.digest();
        assertEquals(KernelError.PERMISSION_DENIED, apply(SyscallType.TIMER, c, r -> r.number = 1).error);
        assertEquals(KernelError.PERMISSION_DENIED, apply(SyscallType.ALARM, c, r -> r.number = 1).error);
        assertEquals(2, state.process(c).timerCount());
        assertEquals(2, state.timerCount(), "refused timers take no id");
        assertTrue(before.length() > 0);
    }
}
