package ember.journal;

/**
 * Every kind of record the journal holds: one per syscall of the SPEC and one per action the
 * kernel takes on its own. The {@link #code()} is the stable on-disk value; never renumber.
 */
public enum SyscallType
{
    // Kernel actions (not callable by clients).
    /** The kernel opened the journal (genesis or recovery); carries the configured limits. */
    KERNEL_OPEN(1, "kernelOpen", false),
    /** A client attached: arg0 = client id. */
    CLIENT_ATTACH(2, "clientAttach", false),
    /** A client went away: arg0 = client id. */
    CLIENT_DETACH(3, "clientDetach", false),
    /** A timer's deadline passed: arg0 = timer id. */
    TIMER_FIRED(4, "timerFired", false),
    /** An alarm's time of day was reached: arg0 = alarm id. */
    ALARM_FIRED(5, "alarmFired", false),
    /**
     * The kernel signed the chain head ({@link Checkpoint}): arg0 = the index covered, arg1 = key
     * id, payload = hash, time, signature. Changes no state.
     */
    CHECKPOINT(6, "checkpoint", false),

    // Syscalls, SPEC section 1.
    SPAWN(10, "spawn", true),
    EXIT(11, "exit", true),
    GETPID(12, "getpid", true),
    GETPPID(13, "getppid", true),
    GETUSER(14, "getuser", true),
    SETUSER(15, "setuser", true),
    GETPLIST(16, "getplist", true),
    GETPINFO(17, "getpinfo", true),
    REGISTER(18, "register", true),
    LOOKUP(19, "lookup", true),

    // SPEC section 2.
    QUEUE_EVENT(20, "queueEvent", true),
    PEEK_EVENT(21, "peekEvent", true),
    PULL_EVENT(22, "pullEvent", true),
    SEND_EVENT(23, "sendEvent", true),

    // SPEC section 3.
    KILL(30, "kill", true),
    SIGNAL(31, "signal", true),

    // SPEC section 4.
    TIMER(40, "timer", true),
    ALARM(41, "alarm", true),
    CANCEL(42, "cancel", true);

    private static final SyscallType[] BY_CODE = new SyscallType[64];

    static
    {
        for (final SyscallType type : values())
        {
            BY_CODE[type.code] = type;
        }
    }

    private final int code;
    private final String syscallName;
    private final boolean clientCall;

    SyscallType(final int code, final String syscallName, final boolean clientCall)
    {
        this.code = code;
        this.syscallName = syscallName;
        this.clientCall = clientCall;
    }

    /** @return the stable on-disk code. */
    public int code()
    {
        return code;
    }

    /** @return the SPEC's name of the syscall (or the kernel action's own name). */
    public String syscallName()
    {
        return syscallName;
    }

    /** @return true for syscalls a client may issue, false for kernel actions. */
    public boolean isClientCall()
    {
        return clientCall;
    }

    /**
     * @param code an on-disk code.
     * @return the type, or null when the code is unknown (a corrupt or foreign record).
     */
    public static SyscallType fromCode(final int code)
    {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /**
     * @param name a syscall name as the SPEC writes it (e.g. {@code "queueEvent"}).
     * @return the type, or null when no record type has that name.
     */
    public static SyscallType fromName(final String name)
    {
        for (final SyscallType type : values())
        {
            if (type.syscallName.equals(name))
            {
                return type;
            }
        }
        return null;
    }
}
