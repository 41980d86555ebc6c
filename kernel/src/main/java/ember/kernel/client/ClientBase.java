package ember.kernel.client;

import ember.journal.PayloadCodec;
import ember.journal.PayloadException;
import ember.journal.SyscallRecord;
import ember.journal.SyscallType;
import ember.kernel.core.HandlerCall;
import ember.kernel.core.ProcessQuery;
import ember.kernel.state.Event;
import ember.kernel.state.ProcessInfo;
import ember.kernel.state.SyscallResult;
import ember.kernel.state.SyscallValidator;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What every client does the same way, embedded or over IPC: turn syscalls into records, turn
 * outcomes into results or {@link EmberException}s, keep this client's signal handlers and run
 * the handler calls the kernel sends. Subclasses only move records and outcomes.
 * <p>
 * Threads: any number of threads may issue syscalls at once. Handler calls are dispatched by
 * whichever thread is in {@link #runHandlers()} (which every syscall enters after its answer), one
 * thread at a time under {@link #dispatchLock}: polling and running happen under the same lock, so
 * the mailboxes behind {@link #pollHandlerCall()} see one consumer at a time (the embedded one is a
 * single-consumer queue), every call runs exactly once, calls run in the order the kernel sent them,
 * and two handlers of one client never run at the same time. A lock rather than a dedicated
 * dispatcher thread keeps the promise that a handler caused by a syscall has run before that
 * syscall returns: a thread that finds another dispatching waits for it to finish the batch. The
 * lock is reentrant, so a handler may itself issue syscalls (their handler calls then run nested);
 * a handler that blocks (a waiting pullEvent) holds back every other thread's return meanwhile.
 */
public abstract class ClientBase implements EmberClient
{
    private static final ThreadLocal<PayloadCodec> CODECS = ThreadLocal.withInitial(PayloadCodec::new);

    private final ConcurrentHashMap<HandlerKey, SignalHandler> handlers = new ConcurrentHashMap<>();
    /** Held while polling and running handler calls: one dispatching thread at a time (see the class javadoc). */
    private final ReentrantLock dispatchLock = new ReentrantLock();

    private record HandlerKey(long pid, long signal)
    {
    }

    /**
     * Issue one syscall and wait for its outcome.
     *
     * @param record  the syscall (type, pid and arguments set).
     * @param mayWait true for a pullEvent that may block until an event arrives.
     * @return the outcome; its {@code error} is null.
     * @throws EmberException on a kernel error or a refusal.
     */
    protected abstract SyscallResult invoke(SyscallRecord record, boolean mayWait);

    /**
     * Ask the core a read-only process query, not journaled, and wait for its answer.
     *
     * @param query what to ask.
     * @param pid   the acting process.
     * @return the answer; its {@code error} may be set (the caller raises it).
     * @throws EmberException on a refusal.
     */
    protected abstract SyscallResult query(ProcessQuery query, long pid);

    /**
     * @return the next handler call the kernel sent this client, or null. Called only from
     * {@link #runHandlers()} with its lock held, so by one thread at a time.
     */
    protected abstract HandlerCall pollHandlerCall();

    @Override
    public Syscalls as(final long pid)
    {
        return new ProcessSyscalls(pid);
    }

    @Override
    public ProcessInfo processInfo(final long pid)
    {
        return (ProcessInfo)ask(ProcessQuery.PROCESS, pid).value;
    }

    @Override
    public ProcessInfo[] processTable(final long actingPid)
    {
        return (ProcessInfo[])ask(ProcessQuery.TABLE, actingPid).value;
    }

    /** Run pending handlers (another client's kill may have sent some), then raise the answer's error if any. */
    private SyscallResult ask(final ProcessQuery query, final long pid)
    {
        final SyscallResult result;
        try
        {
            result = query(query, pid);
        }
        finally
        {
            runHandlers();
        }
        return raised(result);
    }

    /**
     * Run the handler calls that have arrived, in arrival order, on this thread; waits while another
     * thread of this client is running them (then usually finds none left).
     */
    @Override
    public int runHandlers()
    {
        int ran = 0;
        dispatchLock.lock();
        try
        {
            HandlerCall call;
            while ((call = pollHandlerCall()) != null)
            {
                final SignalHandler handler = handlers.get(new HandlerKey(call.pid(), call.signal()));
                if (handler != null)
                {
                    handler.handle(call.signal());
                    ran++;
                }
            }
        }
        finally
        {
            dispatchLock.unlock();
        }
        return ran;
    }

    /** Run pending handlers, then raise the outcome's error if any. */
    private SyscallResult call(final SyscallRecord record, final boolean mayWait)
    {
        final SyscallResult result;
        try
        {
            result = invoke(record, mayWait);
        }
        finally
        {
            runHandlers(); // a handler caused by this syscall runs before its result is seen
        }
        return raised(result);
    }

    /** @return {@code result}, unless it holds a kernel error: then that error as an EmberException. */
    private static SyscallResult raised(final SyscallResult result)
    {
        if (result.error != null)
        {
            throw new EmberException(result.error.message());
        }
        return result;
    }

    private static ReceivedEvent toReceived(final SyscallResult result)
    {
        if (result.kind != SyscallResult.Kind.EVENT)
        {
            return null;
        }
        final Event event = (Event)result.value;
        return new ReceivedEvent(event.name(), event.params(CODECS.get()));
    }

    private static byte[] encode(final int arg, final String fn, final Object value, final boolean table)
    {
        if (table && !(value instanceof Map))
        {
            throw new EmberException(SyscallValidator.notATable(arg, fn, value));
        }
        try
        {
            return CODECS.get().encode(value);
        }
        catch (final PayloadException ex)
        {
            if ("Payload too large".equals(ex.getMessage()))
            {
                throw new EmberException(ex.getMessage());
            }
            throw new EmberException(SyscallValidator.bad(arg, fn, ex.getMessage()));
        }
    }

    private final class ProcessSyscalls implements Syscalls
    {
        private final long pid;

        ProcessSyscalls(final long pid)
        {
            this.pid = pid;
        }

        private SyscallRecord record(final SyscallType type)
        {
            return new SyscallRecord().reset(type, pid);
        }

        private SyscallResult call(final SyscallRecord record)
        {
            return ClientBase.this.call(record, false);
        }

        @Override
        public long pid()
        {
            return pid;
        }

        @Override
        public long spawn(final String name)
        {
            final SyscallRecord r = record(SyscallType.SPAWN);
            r.text = name;
            return call(r).number;
        }

        @Override
        public void exit(final long code)
        {
            final SyscallRecord r = record(SyscallType.EXIT);
            r.arg0 = code;
            call(r);
        }

        @Override
        public long getpid()
        {
            return call(record(SyscallType.GETPID)).number;
        }

        @Override
        public long getppid()
        {
            return call(record(SyscallType.GETPPID)).number;
        }

        @Override
        public String getuser()
        {
            return (String)call(record(SyscallType.GETUSER)).value;
        }

        @Override
        public void setuser(final String user)
        {
            final SyscallRecord r = record(SyscallType.SETUSER);
            r.text = user;
            call(r);
        }

        @Override
        public long[] getplist()
        {
            return (long[])call(record(SyscallType.GETPLIST)).value;
        }

        @Override
        public ProcessInfo getpinfo(final long target)
        {
            final SyscallRecord r = record(SyscallType.GETPINFO);
            r.arg0 = target;
            final SyscallResult result = call(r);
            return result.kind == SyscallResult.Kind.INFO ? (ProcessInfo)result.value : null;
        }

        @Override
        public boolean register(final String name)
        {
            final SyscallRecord r = record(SyscallType.REGISTER);
            r.text = name;
            return call(r).number != 0;
        }

        @Override
        public Long lookup(final String name)
        {
            final SyscallRecord r = record(SyscallType.LOOKUP);
            r.text = name;
            final SyscallResult result = call(r);
            return result.kind == SyscallResult.Kind.NUMBER ? result.number : null;
        }

        @Override
        public void queueEvent(final String name, final Map<String, ?> params)
        {
            final SyscallRecord r = record(SyscallType.QUEUE_EVENT);
            r.text = name;
            r.payload = encode(2, "queueEvent", params == null ? Map.of() : params, true);
            call(r);
        }

        @Override
        public ReceivedEvent peekEvent()
        {
            return toReceived(call(record(SyscallType.PEEK_EVENT)));
        }

        @Override
        public ReceivedEvent pullEvent(final double timeoutSeconds, final String... names)
        {
            final SyscallRecord r = record(SyscallType.PULL_EVENT);
            r.names = names == null ? new String[0] : names.clone();
            if (Double.isNaN(timeoutSeconds))
            {
                throw new EmberException(SyscallValidator.bad(r.names.length + 1, "pullEvent", "timeout must be a number"));
            }
            r.number = timeoutSeconds < 0 || Double.isInfinite(timeoutSeconds) ? FOREVER : timeoutSeconds;
            return toReceived(ClientBase.this.call(r, r.number != 0));
        }

        @Override
        public boolean sendEvent(final long target, final String name, final Object data)
        {
            final SyscallRecord r = record(SyscallType.SEND_EVENT);
            r.arg0 = target;
            r.text = name;
            r.payload = encode(3, "sendEvent", data, false);
            return call(r).number != 0;
        }

        @Override
        public void kill(final long target, final long signal)
        {
            final SyscallRecord r = record(SyscallType.KILL);
            r.arg0 = target;
            r.arg1 = signal;
            call(r);
        }

        @Override
        public void signal(final long signal, final SignalHandler handler)
        {
            final HandlerKey key = new HandlerKey(pid, signal);
            final SyscallRecord r = record(SyscallType.SIGNAL);
            r.arg0 = signal;
            r.arg1 = handler != null ? 1 : 0;
            final SignalHandler previous = handler != null ? handlers.put(key, handler) : handlers.remove(key);
            try
            {
                call(r);
            }
            catch (final EmberException ex)
            {
                // Refused: restore what this client had.
                if (previous != null)
                {
                    handlers.put(key, previous);
                }
                else if (handler != null)
                {
                    handlers.remove(key, handler);
                }
                throw ex;
            }
        }

        @Override
        public long timer(final double seconds)
        {
            final SyscallRecord r = record(SyscallType.TIMER);
            r.number = seconds;
            return call(r).number;
        }

        @Override
        public long alarm(final double hour)
        {
            final SyscallRecord r = record(SyscallType.ALARM);
            r.number = hour;
            return call(r).number;
        }

        @Override
        public void cancel(final long id)
        {
            final SyscallRecord r = record(SyscallType.CANCEL);
            r.arg0 = id;
            call(r);
        }
    }
}
