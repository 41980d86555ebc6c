package ember.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A deliberately simple, independent reference model of SPEC §1–4 (processes, events, signals,
 * timers and alarms) plus the live-only parts the simulator observes (attached clients, handler
 * calls, waiting pulls). Written from the SPEC, not from {@code KernelState}: plain collections,
 * no indexes, no reuse. Each syscall returns its expected outcome as a string the simulator
 * compares with the kernel's ({@link Outcome}).
 * <p>
 * Thread: the simulator's.
 */
final class Model
{
    static final String NSP = "err:No such process";
    static final String PD = "err:Permission denied";

    /** One process (SPEC §1). */
    static final class Proc
    {
        final long pid;
        String name;
        String user;
        long parent;
        boolean stopped;
        final List<String> queue = new ArrayList<>(); // each event as Outcome.event(name, params)
        final TreeSet<Long> timers = new TreeSet<>();
        final List<String> services = new ArrayList<>();
        /** Signal → handler owner client id, or 0 for "removed" (queued as an event). */
        final Map<Long, Integer> overrides = new HashMap<>();
        final List<Long> held = new ArrayList<>();

        Proc(final long pid, final String name, final String user, final long parent)
        {
            this.pid = pid;
            this.name = name;
            this.user = user;
            this.parent = parent;
        }
    }

    record Timer(long id, long pid, long deadline)
    {
    }

    /** A waiting pullEvent: completed by the model with {@link #answer} once decided. */
    static final class Waiter
    {
        final int client;
        final long pid;
        final String[] names;
        final long deadline; // Long.MAX_VALUE: none
        String answer;

        Waiter(final int client, final long pid, final String[] names, final long deadline)
        {
            this.client = client;
            this.pid = pid;
            this.names = names;
            this.deadline = deadline;
        }
    }

    final TreeMap<Long, Proc> procs = new TreeMap<>();
    final TreeMap<String, Long> services = new TreeMap<>();
    final TreeMap<Long, Timer> timers = new TreeMap<>();
    final TreeMap<Integer, String> clients = new TreeMap<>();
    /** Handler calls each client must have received, in order: "pid:signal". */
    final TreeMap<Integer, List<String>> handlerCalls = new TreeMap<>();
    final List<Waiter> waiters = new ArrayList<>(); // park order
    final SimLimits limits;
    long nextPid = 2;
    long timerCount;
    int clientCount;
    /** Timers that fired: id → the clock when they did (checked: never before the deadline). */
    final List<Timer> fired = new ArrayList<>();

    Model(final SimLimits limits)
    {
        this.limits = limits;
        procs.put(1L, new Proc(1, "init", "root", 0));
    }

    // ---------------------------------------------------------------------------------- kernel

    /** The kernel (re)opened: every client is gone, every waiting pull with it. */
    void kernelOpened()
    {
        clients.clear();
        handlerCalls.clear();
        waiters.clear();
    }

    int attach(final String user)
    {
        clients.put(++clientCount, user);
        handlerCalls.put(clientCount, new ArrayList<>());
        return clientCount;
    }

    /** @return the waiters of that client, answered with the refusal a detach gives them. */
    void detach(final int client)
    {
        clients.remove(client);
        for (final Iterator<Waiter> it = waiters.iterator(); it.hasNext(); )
        {
            final Waiter w = it.next();
            if (w.client == client)
            {
                w.answer = "err:client detached";
                it.remove();
            }
        }
    }

    // ---------------------------------------------------------------------------------- syscalls

    /** @return null when {@code pid} may be acted for by {@code client}, else the error. */
    private String caller(final int client, final long pid)
    {
        final Proc p = procs.get(pid);
        if (p == null)
        {
            return NSP;
        }
        final String user = clients.get(client);
        return user == null || user.equals("root") || user.equals(p.user) ? null : PD;
    }

    String spawn(final int client, final long pid, final String name)
    {
        final String err = caller(client, pid);
        if (err != null)
        {
            return err;
        }
        final Proc c = procs.get(pid);
        final long ofUser = procs.values().stream().filter(p -> p.user.equals(c.user)).count();
        if (procs.size() >= limits.maxProcesses() || ofUser >= limits.maxPerUser())
        {
            return PD;
        }
        final long child = nextPid++;
        procs.put(child, new Proc(child, name != null ? name : c.name, c.user, pid));
        return "num:" + child;
    }

    String exit(final int client, final long pid, final long code)
    {
        final String err = caller(client, pid);
        if (err != null)
        {
            return err;
        }
        if (pid == 1)
        {
            return PD;
        }
        end(procs.get(pid), Outcome.event("process_complete", Map.of("id", pid, "code", code)));
        return "nil";
    }

    String getpid(final int client, final long pid)
    {
        final String err = caller(client, pid);
        return err != null ? err : "num:" + pid;
    }

    String getppid(final int client, final long pid)
    {
        final String err = caller(client, pid);
        return err != null ? err : "num:" + procs.get(pid).parent;
    }

    String getuser(final int client, final long pid)
    {
        final String err = caller(client, pid);
        return err != null ? err : "str:" + procs.get(pid).user;
    }

    String setuser(final int client, final long pid, final String user)
    {
        final String err = caller(client, pid);
        if (err != null)
        {
            return err;
        }
        final Proc p = procs.get(pid);
        if (!p.user.equals("root"))
        {
            return PD;
        }
        p.user = user;
        return "nil";
    }

    String getplist(final int client, final long pid)
    {
        final String err = caller(client, pid);
        return err != null ? err : "pids:" + procs.keySet();
    }

    String getpinfo(final int client, final long pid, final long target)
    {
        final String err = caller(client, pid);
        if (err != null)
        {
            return err;
        }
        final Proc t = procs.get(target);
        return t == null ? "nil" : "info:" + info(t);
    }

    static String info(final Proc t)
    {
        return t.pid + "," + t.name + "," + t.user + "," + t.parent + "," + (t.stopped ? "stopped" : "running") + "," +
            t.queue.size() + "," + t.timers.size();
    }

    String register(final int client, final long pid, final String name)
    {
        final String err = caller(client, pid);
        if (err != null)
        {
            return err;
        }
        if (services.containsKey(name))
        {
            return "bool:false";
        }
        services.put(name, pid);
        procs.get(pid).services.add(name);
        return "bool:true";
    }

    String lookup(final int client, final long pid, final String name)
    {
        final String err = caller(client, pid);
        if (err != null)
        {
            return err;
        }
        final Long owner = services.get(name);
        return owner == null ? "nil" : "num:" + owner;
    }

    String queueEvent(final int client, final long pid, final String name, final Map<String, ?> params, final int bytes)
    {
        if (bytes > limits.maxPayload())
        {
            return "err:Payload too large"; // refused before the journal or by apply: the same message
        }
        final String err = caller(client, pid);
        if (err != null)
        {
            return err;
        }
        final Proc p = procs.get(pid);
        if (p.queue.size() >= limits.maxQueue())
        {
            return "err:Event queue full";
        }
        enqueue(p, Outcome.event(name, params));
        return "nil";
    }

    String peek(final int client, final long pid)
    {
        final String err = caller(client, pid);
        if (err != null)
        {
            return err;
        }
        final Proc p = procs.get(pid);
        return p.stopped || p.queue.isEmpty() ? "nil" : p.queue.get(0);
    }

    /**
     * @param timeoutNs 0: do not wait; negative: forever.
     * @return the outcome, or null when the pull waits (then {@link #lastWaiter} holds it).
     */
    String pull(final int client, final long pid, final String[] names, final double seconds, final long now)
    {
        final String err = caller(client, pid);
        final Proc p = procs.get(pid);
        if (err == null && seconds != 0 && !canPull(p, names) &&
            waiters.stream().filter(w -> w.pid == pid).count() >= limits.maxParked())
        {
            return PD; // the parked-pull cap, refused before the journal
        }
        if (err != null)
        {
            return err;
        }
        final String taken = take(p, names);
        if (taken != null || seconds == 0)
        {
            return taken == null ? "nil" : taken;
        }
        final long deadline = seconds < 0 || seconds * 1e9 >= Long.MAX_VALUE / 2 ? Long.MAX_VALUE : now + (long)(seconds * 1e9);
        lastWaiter = new Waiter(client, pid, names, deadline);
        waiters.add(lastWaiter);
        return null;
    }

    Waiter lastWaiter;

    String sendEvent(final int client, final long pid, final long target, final String name, final Object data,
        final int bytes)
    {
        if (bytes > limits.maxPayload())
        {
            return "err:Payload too large";
        }
        final String err = caller(client, pid);
        if (err != null)
        {
            return err;
        }
        final Proc t = procs.get(target);
        if (t == null || t.queue.size() >= limits.maxQueue())
        {
            return "bool:false";
        }
        final TreeMap<String, Object> remote = new TreeMap<>();
        remote.put("data", data);
        remote.put("sender", pid);
        remote.put("type", name);
        enqueue(t, Outcome.event("remote_event", remote));
        return "bool:true";
    }

    String kill(final int client, final long pid, final long target, final long sig)
    {
        final String err = caller(client, pid);
        if (err != null)
        {
            return err;
        }
        final Proc c = procs.get(pid);
        final Proc t = procs.get(target);
        if (t == null)
        {
            return NSP;
        }
        if (!c.user.equals("root") && !c.user.equals(t.user))
        {
            return PD;
        }
        if (sig == 9)
        {
            if (target == 1)
            {
                return PD;
            }
            end(t, Outcome.event("process_complete", Map.of("id", target, "signal", 9L)));
            return "nil";
        }
        if (sig == 18 && t.stopped)
        {
            t.stopped = false;
            final List<Long> held = new ArrayList<>(t.held);
            t.held.clear();
            for (final long h : held)
            {
                runHandler(t, h);
            }
        }
        switch (disposition(t, sig))
        {
            case "handler":
                if (t.stopped)
                {
                    t.held.add(sig);
                }
                else
                {
                    runHandler(t, sig);
                }
                break;
            case "terminate":
                if (target == 1)
                {
                    enqueue(t, signalEvent(sig));
                }
                else
                {
                    end(t, Outcome.event("process_complete", Map.of("id", target, "signal", sig)));
                }
                break;
            case "stop":
                if (target == 1)
                {
                    enqueue(t, signalEvent(sig));
                }
                else
                {
                    t.stopped = true;
                }
                break;
            default:
                enqueue(t, signalEvent(sig));
                break;
        }
        return "nil";
    }

    private static String disposition(final Proc t, final long sig)
    {
        final Integer owner = t.overrides.get(sig);
        if (owner != null)
        {
            return owner == 0 ? "queue" : "handler";
        }
        if (sig == 1 || sig == 2 || sig == 13 || sig == 15 || sig == 3 || sig == 6)
        {
            return "terminate";
        }
        if (sig == 19 || sig == 21 || sig == 22)
        {
            return "stop";
        }
        return "queue";
    }

    private static String signalEvent(final long sig)
    {
        return Outcome.event("signal", Map.of("signal", sig));
    }

    private void runHandler(final Proc t, final long sig)
    {
        final Integer owner = t.overrides.get(sig);
        if (owner != null && owner != 0 && clients.containsKey(owner))
        {
            handlerCalls.get(owner).add(t.pid + ":" + sig);
        }
        else
        {
            enqueue(t, signalEvent(sig));
        }
    }

    String signal(final int client, final long pid, final long sig, final boolean on)
    {
        final String err = caller(client, pid);
        if (err != null)
        {
            return err;
        }
        if (sig != 9)
        {
            procs.get(pid).overrides.put(sig, on ? client : 0);
        }
        return "nil";
    }

    String timer(final int client, final long pid, final double seconds, final long now)
    {
        final String err = caller(client, pid);
        if (err != null)
        {
            return err;
        }
        final Proc p = procs.get(pid);
        if (p.timers.size() >= limits.maxTimers())
        {
            return PD;
        }
        final double nanos = Math.max(0, seconds) * 1e9;
        final long deadline = now + (long)Math.ceil(nanos); // never before `seconds` have passed
        return "num:" + schedule(p, ++timerCount, deadline);
    }

    String alarm(final int client, final long pid, final double hour, final long now)
    {
        final String err = caller(client, pid);
        if (err != null)
        {
            return err;
        }
        final Proc p = procs.get(pid);
        if (p.timers.size() >= limits.maxTimers())
        {
            return PD;
        }
        // The next instant after now whose UTC time of day is `hour` (SPEC §4).
        final long day = 86_400_000_000_000L;
        final long tod = Math.floorMod(now, day);
        final long target = Math.min(Math.round(hour * 3_600e9), day - 1);
        final long deadline = now - tod + (target > tod ? target : day + target);
        return "num:" + schedule(p, (1L << 31) + ++timerCount, deadline);
    }

    private long schedule(final Proc p, final long id, final long deadline)
    {
        timers.put(id, new Timer(id, p.pid, deadline));
        p.timers.add(id);
        return id;
    }

    String cancel(final int client, final long pid, final long id)
    {
        final String err = caller(client, pid);
        if (err != null)
        {
            return err;
        }
        final Timer t = timers.get(id);
        if (t != null && t.pid == pid)
        {
            timers.remove(id);
            procs.get(pid).timers.remove(id);
        }
        return "nil";
    }

    // ---------------------------------------------------------------------------------- time

    /** The clock reached {@code now}: due timers fire in (deadline, id) order, then due waiters time out. */
    void tick(final long now)
    {
        final List<Timer> due = new ArrayList<>();
        for (final Timer t : timers.values())
        {
            if (t.deadline <= now)
            {
                due.add(t);
            }
        }
        due.sort((a, b) -> a.deadline != b.deadline ? Long.compare(a.deadline, b.deadline) : Long.compare(a.id, b.id));
        for (final Timer t : due)
        {
            timers.remove(t.id);
            final Proc p = procs.get(t.pid);
            p.timers.remove(t.id);
            fired.add(t);
            enqueue(p, Outcome.event((t.id & (1L << 31)) != 0 ? "alarm" : "timer", Map.of("id", t.id)));
        }
        serve();
        for (final Iterator<Waiter> it = waiters.iterator(); it.hasNext(); )
        {
            final Waiter w = it.next();
            if (w.deadline <= now)
            {
                w.answer = "nil";
                it.remove();
            }
        }
    }

    /** After each record: every waiter, in park order, takes the first queued event it admits. */
    void serve()
    {
        for (final Iterator<Waiter> it = waiters.iterator(); it.hasNext(); )
        {
            final Waiter w = it.next();
            final Proc p = procs.get(w.pid);
            final String taken = p == null ? null : take(p, w.names);
            if (taken != null)
            {
                w.answer = taken;
                it.remove();
            }
        }
    }

    // ---------------------------------------------------------------------------------- helpers

    private void enqueue(final Proc p, final String event)
    {
        p.queue.add(event); // events the kernel queues itself are never refused
    }

    private static boolean admits(final String[] names, final String event)
    {
        if (names == null || names.length == 0)
        {
            return true;
        }
        final String name = Outcome.eventName(event);
        for (final String n : names)
        {
            if (n.equals(name))
            {
                return true;
            }
        }
        return false;
    }

    private static boolean canPull(final Proc p, final String[] names)
    {
        return p != null && !p.stopped && p.queue.stream().anyMatch(e -> admits(names, e));
    }

    private static String take(final Proc p, final String[] names)
    {
        if (p.stopped)
        {
            return null;
        }
        for (int i = 0; i < p.queue.size(); i++)
        {
            if (admits(names, p.queue.get(i)))
            {
                return p.queue.remove(i);
            }
        }
        return null;
    }

    private void end(final Proc p, final String completion)
    {
        procs.remove(p.pid);
        for (final String s : p.services)
        {
            services.remove(s);
        }
        for (final long id : p.timers)
        {
            timers.remove(id);
        }
        for (final Proc child : procs.values())
        {
            if (child.parent == p.pid)
            {
                child.parent = 1;
            }
        }
        for (final Iterator<Waiter> it = waiters.iterator(); it.hasNext(); )
        {
            final Waiter w = it.next();
            if (w.pid == p.pid)
            {
                w.answer = NSP;
                it.remove();
            }
        }
        final Proc parent = procs.get(p.parent);
        if (parent != null)
        {
            enqueue(parent, completion);
        }
    }
}
