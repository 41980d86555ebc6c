package ember.kernel.client;

import ember.journal.SyscallType;
import ember.kernel.state.ProcessInfo;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The syscalls of one process, pipelined: each method issues its syscall without waiting for the
 * answer and returns a {@link PipelinedCall} handle. Calls are journaled, applied and answered in
 * the order they were issued; each call's error is reported on its own handle, and the calls after
 * a failed one still run (there is no transaction: a pipeline saves round trips, nothing else).
 * A call the client refuses before sending it (a payload it cannot encode) fails at once, before
 * the calls issued ahead of it complete; it never reaches the kernel.
 * Obtained from {@link EmberClient#pipeline(long)}; works embedded and over IPC (where many
 * requests are in flight on the one channel and the service answers them in order).
 * <p>
 * <b>Sending.</b> Calls are held until {@link #flush()} (or until {@value #MAX_HELD} are held),
 * then written to the transport back to back; {@link #sync()} flushes and waits for every answer;
 * {@link PipelinedCall#get()} waits for the answers up to its own. At most the transport's
 * capacity of calls is in flight: issuing more first waits for the oldest answers.
 * <p>
 * <b>Handlers.</b> A handler a pipelined call caused (a {@code kill} of a process this client
 * handles) runs before {@link #sync()} (or the {@code get()} that saw the call complete) returns,
 * on that thread, as for a lone syscall.
 * <p>
 * <b>pullEvent never waits in a pipeline.</b> {@link #pullEvent(String...)} takes a matching event
 * queued by the time the core reaches it, or answers nil (timeout 0). A waiting pull would answer
 * after calls issued behind it and break the order promise; wait with {@link Syscalls#pullEvent}
 * outside the pipeline instead.
 * <p>
 * Not thread-safe: one thread issues, flushes and reads the handles of a pipeline (other
 * threads may use the same client meanwhile). Each call allocates its handle and record.
 */
public final class Pipeline implements AutoCloseable
{
    /** Calls held before the pipeline flushes by itself. */
    public static final int MAX_HELD = 1024;

    private final ClientBase client;
    private final PipelineLink link;
    private final long pid;
    private final ArrayList<PipelinedCall<?>> held = new ArrayList<>();
    private final ArrayDeque<PipelinedCall<?>> inFlight = new ArrayDeque<>();
    private long issued;
    private boolean closed;

    Pipeline(final ClientBase client, final PipelineLink link, final long pid)
    {
        this.client = client;
        this.link = link;
        this.pid = pid;
    }

    /** @return the pid this pipeline acts as. */
    public long pid()
    {
        return pid;
    }

    /** @return calls issued and not completed yet (held or in flight). */
    public int pending()
    {
        return held.size() + inFlight.size();
    }

    public PipelinedCall<Long> spawn(final String name)
    {
        return add(SyscallRecords.spawn(open(SyscallReplies::number, null), pid, name));
    }

    public PipelinedCall<Void> exit(final long code)
    {
        return add(SyscallRecords.exit(open(SyscallReplies::none, null), pid, code));
    }

    public PipelinedCall<Long> getpid()
    {
        return add(SyscallRecords.plain(open(SyscallReplies::number, null), SyscallType.GETPID, pid));
    }

    public PipelinedCall<Long> getppid()
    {
        return add(SyscallRecords.plain(open(SyscallReplies::number, null), SyscallType.GETPPID, pid));
    }

    public PipelinedCall<String> getuser()
    {
        return add(SyscallRecords.plain(open(SyscallReplies::text, null), SyscallType.GETUSER, pid));
    }

    public PipelinedCall<Void> setuser(final String user)
    {
        return add(SyscallRecords.setuser(open(SyscallReplies::none, null), pid, user));
    }

    public PipelinedCall<long[]> getplist()
    {
        return add(SyscallRecords.plain(open(SyscallReplies::pids, null), SyscallType.GETPLIST, pid));
    }

    public PipelinedCall<ProcessInfo> getpinfo(final long target)
    {
        return add(SyscallRecords.getpinfo(open(SyscallReplies::info, null), pid, target));
    }

    public PipelinedCall<Boolean> register(final String name)
    {
        return add(SyscallRecords.register(open(SyscallReplies::bool, null), pid, name));
    }

    public PipelinedCall<Long> lookup(final String name)
    {
        return add(SyscallRecords.lookup(open(SyscallReplies::lookup, null), pid, name));
    }

    /** As {@link Syscalls#queueEvent}; a table the client cannot encode fails this call only. */
    public PipelinedCall<Void> queueEvent(final String name, final Map<String, ?> params)
    {
        final PipelinedCall<Void> c = SyscallRecords.queueEvent(open(SyscallReplies::none, null), pid, name, null);
        return addEncoded(c, () -> SyscallRecords.table(params));
    }

    public PipelinedCall<ReceivedEvent> peekEvent()
    {
        return add(SyscallRecords.plain(open(SyscallReplies::event, null), SyscallType.PEEK_EVENT, pid));
    }

    /**
     * Take the first queued event named in {@code names} (any if none) without waiting: nil when
     * none is queued by the time the core reaches this call (see the class javadoc for why a
     * pipeline never waits).
     */
    public PipelinedCall<ReceivedEvent> pullEvent(final String... names)
    {
        return add(SyscallRecords.pullEvent(open(SyscallReplies::event, null), pid, names, 0));
    }

    /** As {@link Syscalls#sendEvent}; data the client cannot encode fails this call only. */
    public PipelinedCall<Boolean> sendEvent(final long target, final String name, final Object data)
    {
        final PipelinedCall<Boolean> c = SyscallRecords.sendEvent(open(SyscallReplies::bool, null), pid, target, name, null);
        return addEncoded(c, () -> SyscallRecords.data(data));
    }

    public PipelinedCall<Void> kill(final long target, final long signal)
    {
        return add(SyscallRecords.kill(open(SyscallReplies::none, null), pid, target, signal));
    }

    /**
     * As {@link Syscalls#signal}: the handler is this client's from now on (a handler call may
     * come as soon as the call is answered); a refused call restores what the client had.
     */
    public PipelinedCall<Void> signal(final long signal, final SignalHandler handler)
    {
        final Runnable restore = client.installHandler(pid, signal, handler);
        return add(SyscallRecords.signal(open(SyscallReplies::none, restore), pid, signal, handler != null));
    }

    public PipelinedCall<Long> timer(final double seconds)
    {
        return add(SyscallRecords.timer(open(SyscallReplies::number, null), pid, seconds));
    }

    public PipelinedCall<Long> alarm(final double hour)
    {
        return add(SyscallRecords.alarm(open(SyscallReplies::number, null), pid, hour));
    }

    public PipelinedCall<Void> cancel(final long id)
    {
        return add(SyscallRecords.cancel(open(SyscallReplies::none, null), pid, id));
    }

    /**
     * Send every held call to the transport, back to back, without waiting for answers (beyond
     * the transport's capacity of calls in flight, the oldest answers are awaited first).
     *
     * @return how many calls were sent.
     */
    public int flush()
    {
        final int n = held.size();
        for (int i = 0; i < n; i++)
        {
            final PipelinedCall<?> c = held.get(i);
            if (inFlight.size() >= link.capacity())
            {
                awaitOldest();
            }
            try
            {
                link.issue(c);
                inFlight.addLast(c);
            }
            catch (final EmberException ex)
            {
                c.fail(ex.getMessage());
            }
        }
        held.clear();
        return n;
    }

    /** Flush, then wait for every call's answer (each handle then holds its answer or error), then run handlers. */
    public void sync()
    {
        flush();
        while (!inFlight.isEmpty())
        {
            awaitOldest();
        }
        client.runHandlers();
    }

    /** Flush and wait until {@code call} (of this pipeline) completed, and every call before it. */
    void syncThrough(final PipelinedCall<?> call)
    {
        if (!held.isEmpty() && held.get(0).sequence <= call.sequence)
        {
            flush();
        }
        while (!call.isDone() && !inFlight.isEmpty())
        {
            awaitOldest();
        }
        client.runHandlers();
    }

    /** Sync, then release the transport's side. The handles keep their answers. */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        try
        {
            sync();
        }
        finally
        {
            closed = true;
            link.close();
        }
    }

    private void awaitOldest()
    {
        final PipelinedCall<?> c = inFlight.pollFirst();
        try
        {
            link.await(c);
            c.complete();
        }
        catch (final EmberException ex)
        {
            c.fail(ex.getMessage());
        }
    }

    /** @return a new call of this pipeline, its record for {@link SyscallRecords} to fill. */
    private <T> PipelinedCall<T> open(final Function<CallResult, T> answer, final Runnable onError)
    {
        if (closed)
        {
            throw new EmberException("pipeline closed");
        }
        return new PipelinedCall<>(this, issued++, answer, onError);
    }

    private <T> PipelinedCall<T> add(final PipelinedCall<T> c)
    {
        held.add(c);
        if (held.size() >= MAX_HELD)
        {
            flush();
        }
        return c;
    }

    /**
     * Add {@code c} with the payload {@code encode} makes; when the client cannot encode it, {@code c}
     * fails at once with the encoder's message and is never sent.
     */
    private <T> PipelinedCall<T> addEncoded(final PipelinedCall<T> c, final Supplier<byte[]> encode)
    {
        try
        {
            c.record.payload = encode.get();
        }
        catch (final EmberException ex)
        {
            c.fail(ex.getMessage());
            return c;
        }
        return add(c);
    }
}
