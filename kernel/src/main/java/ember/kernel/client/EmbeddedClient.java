package ember.kernel.client;

import ember.journal.PayloadCodec;
import ember.journal.PayloadException;
import ember.journal.SyscallType;
import ember.kernel.core.ClientSession;
import ember.kernel.core.Command;
import ember.kernel.core.HandlerCall;
import ember.kernel.core.Kernel;
import ember.kernel.core.KernelClosedException;
import ember.kernel.state.Event;
import ember.kernel.state.ProcessInfo;
import ember.kernel.state.SyscallResult;
import ember.kernel.state.SyscallValidator;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A client of a kernel running in this JVM: commands go to the core through its lock-free inbox
 * and answers come back through the command. Thread-safe.
 */
public final class EmbeddedClient implements EmberClient
{
    private static final ThreadLocal<PayloadCodec> CODECS = ThreadLocal.withInitial(PayloadCodec::new);

    private final Kernel kernel;
    private final ClientSession session;
    private final ConcurrentHashMap<HandlerKey, SignalHandler> handlers = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private record HandlerKey(long pid, long signal)
    {
    }

    /** Attach a new client to {@code kernel} (journaled). */
    public EmbeddedClient(final Kernel kernel)
    {
        this.kernel = kernel;
        this.session = kernel.attach();
    }

    /** @return the client id the journal knows this client by. */
    public int clientId()
    {
        return session.id();
    }

    @Override
    public Syscalls as(final long pid)
    {
        return new ProcessSyscalls(pid);
    }

    @Override
    public int runHandlers()
    {
        int ran = 0;
        HandlerCall call;
        while ((call = session.pollHandlerCall()) != null)
        {
            final SignalHandler handler = handlers.get(new HandlerKey(call.pid(), call.signal()));
            if (handler != null)
            {
                handler.handle(call.signal());
                ran++;
            }
        }
        return ran;
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

    private SyscallResult call(final Command command, final boolean mayWait)
    {
        if (closed)
        {
            throw new EmberException("client closed");
        }
        try
        {
            kernel.submit(command);
            if (mayWait)
            {
                command.await(Long.MAX_VALUE);
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
        runHandlers();
        if (command.refusal != null)
        {
            throw new EmberException(command.refusal);
        }
        final SyscallResult result = command.result;
        if (result.error != null)
        {
            throw new EmberException(result.error.message());
        }
        return result;
    }

    private Command command(final SyscallType type, final long pid)
    {
        final Command command = new Command(Thread.currentThread());
        command.record.reset(type, pid);
        return command;
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

    private final class ProcessSyscalls implements Syscalls
    {
        private final long pid;

        ProcessSyscalls(final long pid)
        {
            this.pid = pid;
        }

        @Override
        public long pid()
        {
            return pid;
        }

        private Command command(final SyscallType type)
        {
            final Command command = EmbeddedClient.this.command(type, pid);
            command.session = session;
            return command;
        }

        private SyscallResult call(final Command command)
        {
            return EmbeddedClient.this.call(command, false);
        }

        @Override
        public long spawn(final String name)
        {
            final Command c = command(SyscallType.SPAWN);
            c.record.text = name;
            return call(c).number;
        }

        @Override
        public void exit(final long code)
        {
            final Command c = command(SyscallType.EXIT);
            c.record.arg0 = code;
            call(c);
        }

        @Override
        public long getpid()
        {
            return call(command(SyscallType.GETPID)).number;
        }

        @Override
        public long getppid()
        {
            return call(command(SyscallType.GETPPID)).number;
        }

        @Override
        public String getuser()
        {
            return (String)call(command(SyscallType.GETUSER)).value;
        }

        @Override
        public void setuser(final String user)
        {
            final Command c = command(SyscallType.SETUSER);
            c.record.text = user;
            call(c);
        }

        @Override
        public long[] getplist()
        {
            return (long[])call(command(SyscallType.GETPLIST)).value;
        }

        @Override
        public ProcessInfo getpinfo(final long target)
        {
            final Command c = command(SyscallType.GETPINFO);
            c.record.arg0 = target;
            final SyscallResult result = call(c);
            return result.kind == SyscallResult.Kind.INFO ? (ProcessInfo)result.value : null;
        }

        @Override
        public boolean register(final String name)
        {
            final Command c = command(SyscallType.REGISTER);
            c.record.text = name;
            return call(c).number != 0;
        }

        @Override
        public Long lookup(final String name)
        {
            final Command c = command(SyscallType.LOOKUP);
            c.record.text = name;
            final SyscallResult result = call(c);
            return result.kind == SyscallResult.Kind.NUMBER ? result.number : null;
        }

        @Override
        public void queueEvent(final String name, final Map<String, ?> params)
        {
            final Command c = command(SyscallType.QUEUE_EVENT);
            c.record.text = name;
            c.record.payload = encode(2, "queueEvent", params == null ? Map.of() : params, true);
            call(c);
        }

        @Override
        public ReceivedEvent peekEvent()
        {
            return toReceived(call(command(SyscallType.PEEK_EVENT)));
        }

        @Override
        public ReceivedEvent pullEvent(final double timeoutSeconds, final String... names)
        {
            final Command c = command(SyscallType.PULL_EVENT);
            c.record.names = names == null ? new String[0] : names.clone();
            if (timeoutSeconds < 0 || Double.isInfinite(timeoutSeconds))
            {
                c.waitNs = Command.WAIT_FOREVER;
            }
            else if (Double.isNaN(timeoutSeconds))
            {
                throw new EmberException(SyscallValidator.bad(names.length + 1, "pullEvent", "timeout must be a number"));
            }
            else
            {
                c.waitNs = (long)Math.min(timeoutSeconds * 1e9, (double)(Long.MAX_VALUE / 2));
            }
            return toReceived(EmbeddedClient.this.call(c, c.waitNs > 0));
        }

        @Override
        public boolean sendEvent(final long target, final String name, final Object data)
        {
            final Command c = command(SyscallType.SEND_EVENT);
            c.record.arg0 = target;
            c.record.text = name;
            c.record.payload = encode(3, "sendEvent", data, false);
            return call(c).number != 0;
        }

        @Override
        public void kill(final long target, final long signal)
        {
            final Command c = command(SyscallType.KILL);
            c.record.arg0 = target;
            c.record.arg1 = signal;
            call(c);
        }

        @Override
        public void signal(final long signal, final SignalHandler handler)
        {
            final HandlerKey key = new HandlerKey(pid, signal);
            final Command c = command(SyscallType.SIGNAL);
            c.record.arg0 = signal;
            c.record.arg1 = handler != null ? 1 : 0;
            final SignalHandler previous = handler != null ? handlers.put(key, handler) : handlers.remove(key);
            try
            {
                call(c);
            }
            catch (final EmberException ex)
            {
                // Rejected: restore what this client had.
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
            final Command c = command(SyscallType.TIMER);
            c.record.number = seconds;
            return call(c).number;
        }

        @Override
        public long alarm(final double hour)
        {
            final Command c = command(SyscallType.ALARM);
            c.record.number = hour;
            return call(c).number;
        }

        @Override
        public void cancel(final long id)
        {
            final Command c = command(SyscallType.CANCEL);
            c.record.arg0 = id;
            call(c);
        }
    }

    private static byte[] encode(final int arg, final String fn, final Object value, final boolean table)
    {
        if (table && !(value instanceof Map))
        {
            throw new EmberException(SyscallValidator.typeError(arg, fn, "table", PayloadCodec.luaType(value)));
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

}
