package ember.kernel.client;

import ember.journal.SyscallRecord;
import ember.journal.SyscallType;
import ember.kernel.core.ProcessQuery;
import ember.kernel.state.ProcessInfo;
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
 * A syscall that finds no handler call waiting and no thread dispatching skips the lock: the
 * common case costs two volatile reads (see {@link #runHandlers()} for why that keeps the promise).
 * <p>
 * Allocation: a syscall without strings or payloads ({@code getpid}) allocates nothing in steady
 * state. Each thread reuses one {@link CallFrame} per call it has in progress (nested calls of a
 * handler take the next), holding the record and the {@link CallResult}; the value a method
 * returns is read from its frame before the thread's next call.
 */
public abstract class ClientBase implements EmberClient
{
    /** Handler calls a remote kernel sent (see {@link #handlerCallReceived}); unused by the embedded client. */
    private final java.util.concurrent.ConcurrentLinkedQueue<SignalCall> receivedHandlerCalls =
        new java.util.concurrent.ConcurrentLinkedQueue<>();

    private final ConcurrentHashMap<HandlerKey, SignalHandler> handlers = new ConcurrentHashMap<>();
    /** Held while polling and running handler calls: one dispatching thread at a time (see the class javadoc). */
    private final ReentrantLock dispatchLock = new ReentrantLock();
    /** Each thread's call frames, one per call it has in progress. */
    private final ThreadLocal<Frames> frames = ThreadLocal.withInitial(Frames::new);

    private record HandlerKey(long pid, long signal)
    {
    }

    /**
     * One call in progress on one thread: its record, its result, and what the transport keeps
     * for it ({@link #transport}, made once and reused). Owned by that thread, except for what the
     * transport hands over (see the subclasses).
     */
    protected static final class CallFrame extends SyscallRecords.Holder
    {
        /** The syscall (type, pid and arguments), filled by {@link ClientBase}. */
        public final SyscallRecord record = new SyscallRecord();
        /** The outcome, filled by the transport before {@code invoke} or {@code query} returns. */
        public final CallResult result = new CallResult();
        /** The transport's own state for calls through this frame (a reply waiter, a command), or null. */
        public Object transport;

        @Override
        SyscallRecord record()
        {
            return record;
        }
    }

    /** A thread's stack of frames: {@code depth} in use. */
    private static final class Frames
    {
        CallFrame[] stack = new CallFrame[4];
        int depth;
    }

    /**
     * Issue one syscall ({@code frame.record}: type, pid and arguments set) and wait for its
     * outcome, written to {@code frame.result} (whose {@code error} may then be set: the caller
     * raises it).
     *
     * @param mayWait true for a pullEvent that may block until an event arrives.
     * @throws EmberException on a refusal.
     */
    protected abstract void invoke(CallFrame frame, boolean mayWait);

    /**
     * Ask the core a read-only process query, not journaled, and wait for its answer, written to
     * {@code frame.result} (its {@code error} may be set: the caller raises it).
     *
     * @param query what to ask.
     * @param pid   the acting process.
     * @throws EmberException on a refusal.
     */
    protected abstract void query(CallFrame frame, ProcessQuery query, long pid);

    /**
     * A remote transport's reader (IPC, cluster egress), any thread: the kernel sent this client a
     * handler call; it waits in {@link #pollHandlerCall()}'s mailbox, in the order received.
     */
    protected final void handlerCallReceived(final long pid, final long signal)
    {
        receivedHandlerCalls.add(new SignalCall(pid, signal));
    }

    /**
     * @return the next handler call the kernel sent this client, or null. Called only from
     * {@link #runHandlers()} with its lock held, so by one thread at a time. By default from the
     * mailbox {@link #handlerCallReceived} fills; the embedded client reads its session's own.
     */
    protected SignalCall pollHandlerCall()
    {
        return receivedHandlerCalls.poll();
    }

    /** @return true when a handler call may be waiting to be polled (any thread; a hint, never a false "no"). */
    protected boolean hasHandlerCalls()
    {
        return !receivedHandlerCalls.isEmpty();
    }

    @Override
    public Syscalls as(final long pid)
    {
        return new ProcessSyscalls(pid);
    }

    @Override
    public Pipeline pipeline(final long pid)
    {
        return new Pipeline(this, openPipelineLink(), pid);
    }

    /**
     * The transport's side of a new pipeline. This default sends each call as a lone syscall,
     * waiting for its answer when it is issued (order and per-call errors hold; nothing is saved):
     * transports that can keep several requests in flight override it.
     */
    PipelineLink openPipelineLink()
    {
        return new PipelineLink()
        {
            @Override
            public int capacity()
            {
                return 1;
            }

            @Override
            public void issue(final PipelinedCall<?> call)
            {
                final CallFrame frame = enter();
                try
                {
                    frame.record.copyFrom(call.record);
                    invoke(frame, false);
                    copy(frame.result, call.result);
                }
                catch (final EmberException ex)
                {
                    call.result.clear().error = ex.getMessage();
                }
                finally
                {
                    exit();
                }
            }

            @Override
            public void await(final PipelinedCall<?> call)
            {
                // answered when issued
            }

            @Override
            public void close()
            {
                // nothing held
            }
        };
    }

    /** Copy an outcome; the objects it holds belong to {@code into} from now on. */
    static void copy(final CallResult from, final CallResult into)
    {
        into.present = from.present;
        into.number = from.number;
        into.value = from.value;
        into.error = from.error;
        from.value = null;
    }

    /**
     * Make {@code handler} this client's handler of {@code signal} for {@code pid} (null removes it).
     *
     * @return what restores the handler it replaced, for a refused call.
     */
    Runnable installHandler(final long pid, final long signal, final SignalHandler handler)
    {
        final HandlerKey key = new HandlerKey(pid, signal);
        final SignalHandler previous = handler != null ? handlers.put(key, handler) : handlers.remove(key);
        return () ->
        {
            if (previous != null)
            {
                handlers.put(key, previous);
            }
            else if (handler != null)
            {
                handlers.remove(key, handler);
            }
        };
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

    /** @return this thread's next free frame, now in use until {@link #exit()}. */
    private CallFrame enter()
    {
        final Frames f = frames.get();
        if (f.depth == f.stack.length)
        {
            f.stack = java.util.Arrays.copyOf(f.stack, 2 * f.stack.length);
        }
        CallFrame frame = f.stack[f.depth];
        if (frame == null)
        {
            frame = new CallFrame();
            f.stack[f.depth] = frame;
        }
        f.depth++;
        frame.result.clear();
        return frame;
    }

    /**
     * The frame entered last is free again. Its result stays readable until this thread's next
     * call at that depth: the caller reads it right after, before any other call of this thread.
     */
    private void exit()
    {
        frames.get().depth--;
    }

    /** Run pending handlers (another client's kill may have sent some), then raise the answer's error if any. */
    private CallResult ask(final ProcessQuery query, final long pid)
    {
        final CallFrame frame = enter();
        try
        {
            frame.record.reset(null, pid);
            query(frame, query, pid);
        }
        finally
        {
            leave();
        }
        return raised(frame.result);
    }

    /** After a call: run the handlers it may have caused, then free its frame. */
    private void leave()
    {
        try
        {
            runHandlers(); // a handler caused by this call runs before its result is seen
        }
        finally
        {
            exit();
        }
    }

    /**
     * Run the handler calls that have arrived, in arrival order, on this thread; waits while another
     * thread of this client is running them (then usually finds none left).
     * <p>
     * Returns at once, without the lock, when no call is waiting and no thread is dispatching. That
     * keeps the promise that a handler caused by a syscall runs before the syscall returns: the
     * transport queues the handler call before it completes the syscall, so the caller finds it
     * queued, or taken by a thread that holds the lock until it has run it (the queue is read
     * first, the lock second, both volatile).
     */
    @Override
    public int runHandlers()
    {
        if (!hasHandlerCalls() && !dispatchLock.isLocked())
        {
            return 0;
        }
        int ran = 0;
        dispatchLock.lock();
        try
        {
            SignalCall call;
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

    /** Issue the call set up in {@code frame} (from {@link #enter()}), run pending handlers, free the frame, then raise the outcome's error if any. */
    private CallResult call(final CallFrame frame, final boolean mayWait)
    {
        try
        {
            invoke(frame, mayWait);
        }
        finally
        {
            leave();
        }
        return raised(frame.result);
    }

    /** @return {@code result}, unless it holds a kernel error: then that error as an EmberException. */
    private static CallResult raised(final CallResult result)
    {
        if (result.error != null)
        {
            throw new EmberException(result.error);
        }
        return result;
    }

    /**
     * The syscalls of one process. Each method computes what may fail on the client (payload
     * encoding, argument checks) first, then takes a frame ({@link #enter()}), has
     * {@link SyscallRecords} fill its record and hands it to {@link ClientBase#call}, which frees
     * it on every path; {@link SyscallReplies} reads the answer.
     */
    private final class ProcessSyscalls implements Syscalls
    {
        private final long pid;

        ProcessSyscalls(final long pid)
        {
            this.pid = pid;
        }

        private CallResult call(final CallFrame frame)
        {
            return ClientBase.this.call(frame, false);
        }

        @Override
        public long pid()
        {
            return pid;
        }

        @Override
        public long spawn(final String name)
        {
            return SyscallReplies.number(call(SyscallRecords.spawn(enter(), pid, name)));
        }

        @Override
        public void exit(final long code)
        {
            call(SyscallRecords.exit(enter(), pid, code));
        }

        @Override
        public long getpid()
        {
            return SyscallReplies.number(call(SyscallRecords.plain(enter(), SyscallType.GETPID, pid)));
        }

        @Override
        public long getppid()
        {
            return SyscallReplies.number(call(SyscallRecords.plain(enter(), SyscallType.GETPPID, pid)));
        }

        @Override
        public String getuser()
        {
            return SyscallReplies.text(call(SyscallRecords.plain(enter(), SyscallType.GETUSER, pid)));
        }

        @Override
        public void setuser(final String user)
        {
            call(SyscallRecords.setuser(enter(), pid, user));
        }

        @Override
        public long[] getplist()
        {
            return SyscallReplies.pids(call(SyscallRecords.plain(enter(), SyscallType.GETPLIST, pid)));
        }

        @Override
        public ProcessInfo getpinfo(final long target)
        {
            return SyscallReplies.info(call(SyscallRecords.getpinfo(enter(), pid, target)));
        }

        @Override
        public boolean register(final String name)
        {
            return SyscallReplies.bool(call(SyscallRecords.register(enter(), pid, name)));
        }

        @Override
        public Long lookup(final String name)
        {
            return SyscallReplies.lookup(call(SyscallRecords.lookup(enter(), pid, name)));
        }

        @Override
        public void queueEvent(final String name, final Map<String, ?> params)
        {
            final byte[] payload = SyscallRecords.table(params);
            call(SyscallRecords.queueEvent(enter(), pid, name, payload));
        }

        @Override
        public ReceivedEvent peekEvent()
        {
            return SyscallReplies.event(call(SyscallRecords.plain(enter(), SyscallType.PEEK_EVENT, pid)));
        }

        @Override
        public ReceivedEvent pullEvent(final double timeoutSeconds, final String... names)
        {
            if (Double.isNaN(timeoutSeconds))
            {
                final int arg = (names == null ? 0 : names.length) + 1;
                throw new EmberException(SyscallValidator.bad(arg, "pullEvent", "timeout must be a number"));
            }
            final double timeout = timeoutSeconds < 0 || Double.isInfinite(timeoutSeconds) ? FOREVER : timeoutSeconds;
            final CallFrame f = SyscallRecords.pullEvent(enter(), pid, names, timeout);
            return SyscallReplies.event(ClientBase.this.call(f, timeout != 0));
        }

        @Override
        public boolean sendEvent(final long target, final String name, final Object data)
        {
            final byte[] payload = SyscallRecords.data(data);
            return SyscallReplies.bool(call(SyscallRecords.sendEvent(enter(), pid, target, name, payload)));
        }

        @Override
        public void kill(final long target, final long signal)
        {
            call(SyscallRecords.kill(enter(), pid, target, signal));
        }

        @Override
        public void signal(final long signal, final SignalHandler handler)
        {
            final Runnable restore = installHandler(pid, signal, handler);
            try
            {
                call(SyscallRecords.signal(enter(), pid, signal, handler != null));
            }
            catch (final EmberException ex)
            {
                restore.run(); // refused: this client keeps the handler it had
                throw ex;
            }
        }

        @Override
        public long timer(final double seconds)
        {
            return SyscallReplies.number(call(SyscallRecords.timer(enter(), pid, seconds)));
        }

        @Override
        public long alarm(final double hour)
        {
            return SyscallReplies.number(call(SyscallRecords.alarm(enter(), pid, hour)));
        }

        @Override
        public void cancel(final long id)
        {
            call(SyscallRecords.cancel(enter(), pid, id));
        }
    }
}
