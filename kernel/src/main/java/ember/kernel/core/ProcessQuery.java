package ember.kernel.core;

import ember.journal.SyscallType;
import ember.kernel.state.KernelError;
import ember.kernel.state.KernelState;
import ember.kernel.state.ProcessEntry;
import ember.kernel.state.ProcessInfo;
import ember.kernel.state.SyscallResult;

/**
 * A read-only question about processes that a client asks the core <em>without</em> a journal
 * record: what the shell needs for its own bookkeeping ({@code as}, {@code sleep}, {@code ps}),
 * which would otherwise flood the audit trail with {@code getpid}/{@code getplist}/{@code getpinfo}.
 * <p>
 * Entitlement is exactly that of the syscalls it replaces, asked as the acting process: the
 * acting process must be alive ({@code No such process}) and the client entitled to act for it
 * ({@code Permission denied}), as {@code KernelState.apply} checks every syscall. Then
 * {@link #PROCESS} reveals what that process's own {@code getpinfo} reveals, and {@link #TABLE}
 * what its {@code getplist} followed by a {@code getpinfo} per pid reveals. A query changes
 * nothing and acts for no one. Only a refusal to act for another user's process ({@code Permission
 * denied}) is journaled, as {@link #audited()}, so that probing other users' processes still shows in
 * the audit trail; {@code No such process} and every answer are not.
 * <p>
 * Answered on the thread that owns the state, between two records (the core's; a cluster
 * member's service thread).
 */
public enum ProcessQuery
{
    /** The acting process's own {@code getpinfo} table: {@link SyscallResult.Kind#INFO}. */
    PROCESS(1, SyscallType.GETPID),
    /** Every live process's table, in pid order, in one answer: {@link SyscallResult.Kind#PROCESSES}. */
    TABLE(2, SyscallType.GETPLIST);

    private final byte code;
    private final SyscallType audited;

    ProcessQuery(final int code, final SyscallType audited)
    {
        this.code = (byte)code;
        this.audited = audited;
    }

    /**
     * @return the syscall a refused query is journaled as: an attempt to act for another user's
     *     process stays in the audit trail (threat model), as the {@code getpid} / {@code getplist}
     *     the shell sent before queries existed; apply refuses it alike, so replay is exact.
     */
    public SyscallType audited()
    {
        return audited;
    }

    /** @return the code carried by the IPC {@code MSG_QUERY} message. */
    public byte code()
    {
        return code;
    }

    /** @return the query of {@code code}, or null for a code no query has (the sender is broken or hostile). */
    public static ProcessQuery of(final byte code)
    {
        for (final ProcessQuery query : values())
        {
            if (query.code == code)
            {
                return query;
            }
        }
        return null;
    }

    /**
     * Core thread: answer the query from the state, changing nothing.
     *
     * @param state  the live state.
     * @param pid    the acting process.
     * @param client the asking client's id (its kernel user decides entitlement).
     * @param result filled with the answer, or with the error the replaced syscalls would raise.
     */
    public void answer(final KernelState state, final long pid, final int client, final SyscallResult result)
    {
        result.clear();
        final ProcessEntry caller = state.process(pid);
        if (caller == null)
        {
            result.error = KernelError.NO_SUCH_PROCESS;
            return;
        }
        if (!state.entitled(client, caller))
        {
            result.error = KernelError.PERMISSION_DENIED;
            return;
        }
        if (this == PROCESS)
        {
            result.kind = SyscallResult.Kind.INFO;
            result.value = caller.info();
            return;
        }
        final long[] pids = state.pids();
        final ProcessInfo[] infos = new ProcessInfo[pids.length];
        for (int i = 0; i < pids.length; i++)
        {
            infos[i] = state.process(pids[i]).info();
        }
        result.kind = SyscallResult.Kind.PROCESSES;
        result.value = infos;
    }
}
