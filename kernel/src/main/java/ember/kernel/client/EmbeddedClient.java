package ember.kernel.client;

import ember.journal.PayloadCodec;
import ember.kernel.core.ClientSession;
import ember.kernel.core.Command;
import ember.kernel.core.Kernel;
import ember.kernel.core.KernelClosedException;
import ember.kernel.core.ProcessQuery;
import ember.kernel.state.KernelState;

/**
 * A client of a kernel running in this JVM: commands go to the core through its lock-free inbox
 * and answers come back through the command.
 * <p>
 * Thread-safe: any number of threads may issue syscalls at once, each waiting for its own answer.
 * Handler calls come through the session's mailbox, a single-consumer queue; {@link ClientBase}
 * polls it only under its dispatch lock, so one thread at a time drains it and runs the handlers.
 * <p>
 * Each call frame of a thread reuses one {@link Command} (its waiter is that thread), so a call
 * allocates no command. The core's answer is read into the frame's {@link CallResult} through
 * {@link Command#answerError()} and its siblings: this client never sees the core's result type.
 */
public final class EmbeddedClient extends ClientBase
{
    private static final ThreadLocal<PayloadCodec> CODECS = ThreadLocal.withInitial(PayloadCodec::new);

    /** Calls one pipeline keeps in flight on the core's inbox (a power of two). */
    private static final int PIPELINE_CAPACITY = 1024;

    private final Kernel kernel;
    private final ClientSession session;
    /** Filled by the session's mailbox: pid, signal. Used under ClientBase's dispatch lock only. */
    private final long[] polled = new long[2];
    private volatile boolean closed;

    /** Attach a new client to {@code kernel} (journaled), with the kernel owner's authority (root). */
    public EmbeddedClient(final Kernel kernel)
    {
        this(kernel, KernelState.ROOT);
    }

    /**
     * Attach a new client acting as kernel user {@code user}: it may act only for that user's
     * processes (root: any). For applications that embed the kernel and serve several users.
     */
    public EmbeddedClient(final Kernel kernel, final String user)
    {
        this.kernel = kernel;
        this.session = kernel.attach(user);
    }

    /** @return the client id the journal knows this client by. */
    public int clientId()
    {
        return session.id();
    }

    @Override
    protected void invoke(final CallFrame frame, final boolean mayWait)
    {
        final Command command = command(frame);
        command.record.copyFrom(frame.record);
        submit(command, frame, mayWait);
    }

    @Override
    protected void query(final CallFrame frame, final ProcessQuery query, final long pid)
    {
        final Command command = command(frame);
        command.record.reset(null, pid);
        command.query = query;
        submit(command, frame, false);
    }

    /** @return the frame's own command, ready for a new call (made on the frame's first call). */
    private static Command command(final CallFrame frame)
    {
        if (frame.transport instanceof Command command)
        {
            command.recycle();
            return command;
        }
        final Command command = new Command(Thread.currentThread());
        frame.transport = command;
        return command;
    }

    /** Hand {@code command} to the core, wait for its answer and read it into the frame's result. */
    private void submit(final Command command, final CallFrame frame, final boolean mayWait)
    {
        if (closed)
        {
            throw new EmberException("client closed");
        }
        command.session = session;
        try
        {
            kernel.submit(command);
            if (mayWait)
            {
                while (!command.await(100_000_000L)) // a blocking pull: wake up to see the kernel still runs
                {
                    if (kernel.isClosed())
                    {
                        throw new EmberException("kernel closed");
                    }
                }
            }
            else
            {
                Kernel.awaitAnswer(command);
            }
        }
        catch (final KernelClosedException ex)
        {
            frame.transport = null; // may still be in the core: never reused
            throw new EmberException(ex.getMessage());
        }
        catch (final EmberException ex)
        {
            frame.transport = null;
            throw ex;
        }
        answer(command, frame.result);
    }

    /** Read a completed command's answer into {@code result}. @throws EmberException on a refusal. */
    private static void answer(final Command command, final CallResult result)
    {
        if (command.refusal != null)
        {
            throw new EmberException(command.refusal);
        }
        result.error = command.answerError();
        if (result.error == null)
        {
            result.present = command.answerPresent();
            result.number = command.answerNumber();
            result.value = command.answerIsEvent() ?
                new ReceivedEvent(command.answerEventName(), command.answerEventParams(CODECS.get())) : command.answerValue();
        }
    }

    /**
     * Pipelined calls go to the core's inbox back to back, each in a command of its own (reused
     * once awaited); the core handles one client's commands in the order they were submitted.
     */
    @Override
    PipelineLink openPipelineLink()
    {
        return new PipelineLink()
        {
            private final Command[] slots = new Command[PIPELINE_CAPACITY];

            @Override
            public int capacity()
            {
                return PIPELINE_CAPACITY;
            }

            @Override
            public void issue(final PipelinedCall<?> call)
            {
                if (closed)
                {
                    throw new EmberException("client closed");
                }
                final int slot = (int)(call.sequence & (PIPELINE_CAPACITY - 1));
                Command command = slots[slot];
                if (command == null || !command.isDone())
                {
                    command = new Command(Thread.currentThread()); // first use, or abandoned after a failure
                    slots[slot] = command;
                }
                else
                {
                    command.recycle();
                }
                command.record.copyFrom(call.record);
                command.session = session;
                try
                {
                    kernel.submit(command);
                }
                catch (final KernelClosedException ex)
                {
                    slots[slot] = null;
                    throw new EmberException(ex.getMessage());
                }
            }

            @Override
            public void await(final PipelinedCall<?> call)
            {
                final Command command = slots[(int)(call.sequence & (PIPELINE_CAPACITY - 1))];
                try
                {
                    Kernel.awaitAnswer(command);
                }
                catch (final KernelClosedException ex)
                {
                    throw new EmberException(ex.getMessage());
                }
                answer(command, call.result.clear());
            }

            @Override
            public void close()
            {
                java.util.Arrays.fill(slots, null);
            }
        };
    }

    /** Under {@link ClientBase}'s dispatch lock: the session's mailbox allows one consumer at a time. */
    @Override
    protected SignalCall pollHandlerCall()
    {
        return session.pollHandlerCall(polled) ? new SignalCall(polled[0], polled[1]) : null;
    }

    @Override
    protected boolean hasHandlerCalls()
    {
        return session.hasHandlerCalls();
    }

    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            kernel.detach(session);
        }
    }
}
