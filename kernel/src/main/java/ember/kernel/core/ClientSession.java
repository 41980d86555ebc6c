package ember.kernel.core;

import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;

/**
 * The kernel's side of one attached client: its id in the kernel state and the mailbox of
 * handler calls the core hands it. The core offers to the mailbox; the client drains it.
 */
public final class ClientSession
{
    private final int id;
    private final String user;
    /** Unbounded: a handler call the state decided on must reach the client, never be dropped. */
    private final ManyToOneConcurrentLinkedQueue<HandlerCall> handlerCalls = new ManyToOneConcurrentLinkedQueue<>();
    private volatile boolean detached;
    /** Core thread only. */
    private Runnable onOffer;
    /** Core thread: this client's counter in the counters file ({@link KernelCounters}), or none. */
    int counterId = org.agrona.concurrent.status.CountersReader.NULL_COUNTER_ID;

    ClientSession(final int id, final String user)
    {
        this.id = id;
        this.user = user;
    }

    /** @return the kernel user this client acts as (its OS account, or root for the kernel's own account). */
    public String user()
    {
        return user;
    }

    /** @return the client id recorded in the journal. */
    public int id()
    {
        return id;
    }

    /** @return the next handler call to run, or null. Client thread. */
    public HandlerCall pollHandlerCall()
    {
        return handlerCalls.poll();
    }

    /**
     * The next handler call, as {@link #pollHandlerCall()}, without the core's type (for the
     * embedded client). One consumer at a time, as there.
     *
     * @param pidAndSignal receives the process and the signal.
     * @return false when none is waiting.
     */
    public boolean pollHandlerCall(final long[] pidAndSignal)
    {
        final HandlerCall call = handlerCalls.poll();
        if (call == null)
        {
            return false;
        }
        pidAndSignal[0] = call.pid();
        pidAndSignal[1] = call.signal();
        return true;
    }

    /** @return true when a handler call may be waiting (any thread). */
    public boolean hasHandlerCalls()
    {
        return !handlerCalls.isEmpty();
    }

    void offer(final HandlerCall call)
    {
        handlerCalls.offer(call);
        final Runnable listener = onOffer;
        if (listener != null)
        {
            listener.run();
        }
    }

    /**
     * Core thread: run {@code listener} on the core thread each time a handler call is offered
     * (a transport that does not look at every client on every duty cycle learns this way that
     * this one has something to forward).
     */
    public void whenHandlerCallOffered(final Runnable listener)
    {
        this.onOffer = listener;
    }

    /** @return true once the kernel has detached this client. */
    public boolean isDetached()
    {
        return detached;
    }

    void markDetached()
    {
        detached = true;
    }
}
