package ember.kernel.client;

import ember.kernel.state.ProcessInfo;

/**
 * A client attached to a kernel. It acts for processes through {@link #as(long)} views and runs
 * the signal handlers it registered.
 * <p>
 * Handler calls run after a syscall's answer, before that syscall returns (so a handler caused
 * by a syscall has run before its result is seen), or in {@link #runHandlers()}. Implementations
 * are thread-safe: when several threads use one client, a handler call runs exactly once, on
 * whichever of them dispatches first, one handler at a time and in the order the kernel sent them.
 */
public interface EmberClient extends AutoCloseable
{
    /** @return the syscalls of process {@code pid}, issued by this client. */
    Syscalls as(long pid);

    /**
     * @return the syscalls of process {@code pid}, pipelined: issued without waiting for each
     *     answer, answered in order, each call's error on its own handle (see {@link Pipeline}).
     *     One thread uses a pipeline; close it (or {@link Pipeline#sync()}) to wait for the rest.
     */
    Pipeline pipeline(long pid);

    /**
     * Read-only and <em>not journaled</em>: the {@code getpinfo} table of live process {@code pid},
     * asked as {@code pid} itself. For a caller's own bookkeeping (is the process it acts as still
     * alive, and whose is it), which must not fill the audit trail; a program that wants the
     * question audited calls {@link Syscalls#getpinfo} instead. Only a refusal with {@code Permission
     * denied} is journaled (as a {@code getpid} of {@code pid}), so attempts on other users'
     * processes stay in the audit trail.
     *
     * @return the process's table; never null.
     * @throws EmberException {@code No such process} when {@code pid} is not alive, {@code Permission
     *     denied} when this client may not act for it (exactly as any syscall of {@code as(pid)}
     *     would fail), or when the kernel cannot be reached.
     */
    ProcessInfo processInfo(long pid);

    /**
     * Read-only and <em>not journaled</em>: the {@code getpinfo} table of every live process, in
     * pid order, taken at one moment (one answer, however many processes), asked as
     * {@code actingPid}: what its {@code getplist} and a {@code getpinfo} per pid would reveal.
     *
     * @throws EmberException as {@link #processInfo} does for {@code actingPid} (a {@code Permission
     *     denied} is journaled as a {@code getplist}).
     */
    ProcessInfo[] processTable(long actingPid);

    /**
     * Run the handler calls that arrived since the last syscall, on the calling thread (waiting
     * while another thread of this client runs handlers). @return how many ran here.
     */
    int runHandlers();

    /** Detach: the client's handlers fall back to queued {@code signal} events. */
    @Override
    void close();
}
