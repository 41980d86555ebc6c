package ember.kernel.client;

import ember.journal.SyscallRecord;
import ember.kernel.core.ClientSession;
import ember.kernel.core.Command;
import ember.kernel.core.HandlerCall;
import ember.kernel.core.Kernel;
import ember.kernel.core.KernelClosedException;
import ember.kernel.core.ProcessQuery;
import ember.kernel.state.KernelState;
import ember.kernel.state.SyscallResult;

/**
 * A client of a kernel running in this JVM: commands go to the core through its lock-free inbox
 * and answers come back through the command.
 * <p>
 * Thread-safe: any number of threads may issue syscalls at once, each waiting for its own answer.
 * Handler calls come through the session's mailbox, a single-consumer queue; {@link ClientBase}
 * polls it only under its dispatch lock, so one thread at a time drains it and runs the handlers.
 */
public final class EmbeddedClient extends ClientBase
{
    private final Kernel kernel;
    private final ClientSession session;
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
    protected SyscallResult invoke(final SyscallRecord record, final boolean mayWait)
    {
        final Command command = new Command(Thread.currentThread());
        command.record.copyFrom(record);
        return submit(command, mayWait);
    }

    @Override
    protected SyscallResult query(final ProcessQuery query, final long pid)
    {
        final Command command = new Command(Thread.currentThread());
        command.record.pid = pid;
        command.query = query;
        return submit(command, false);
    }

    /** Hand {@code command} to the core and wait for its answer. */
    private SyscallResult submit(final Command command, final boolean mayWait)
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
            throw new EmberException(ex.getMessage());
        }
        if (command.refusal != null)
        {
            throw new EmberException(command.refusal);
        }
        return command.result;
    }

    /** Under {@link ClientBase}'s dispatch lock: the session's mailbox allows one consumer at a time. */
    @Override
    protected HandlerCall pollHandlerCall()
    {
        return session.pollHandlerCall();
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
