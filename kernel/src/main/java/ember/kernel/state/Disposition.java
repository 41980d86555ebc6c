package ember.kernel.state;

/**
 * What the kernel does with a signal delivered to a process (SPEC §3).
 */
public enum Disposition
{
    TERMINATE,
    /** Terminate and write a diagnostic to the kernel log (QUIT, ABRT). */
    TERMINATE_WITH_DIAGNOSTIC,
    STOP,
    /** Queue {@code signal {signal}} to the process. */
    QUEUE,
    /** Run the handler of the client that registered it. */
    HANDLER;

    public static final long SIGHUP = 1;
    public static final long SIGINT = 2;
    public static final long SIGQUIT = 3;
    public static final long SIGABRT = 6;
    public static final long SIGKILL = 9;
    public static final long SIGPIPE = 13;
    public static final long SIGTERM = 15;
    public static final long SIGCONT = 18;
    public static final long SIGSTOP = 19;
    public static final long SIGTTIN = 21;
    public static final long SIGTTOU = 22;

    /**
     * @param signal any integer.
     * @return the disposition every process starts with for that signal.
     */
    public static Disposition defaultFor(final long signal)
    {
        if (signal == SIGHUP || signal == SIGINT || signal == SIGPIPE || signal == SIGTERM)
        {
            return TERMINATE;
        }
        if (signal == SIGQUIT || signal == SIGABRT)
        {
            return TERMINATE_WITH_DIAGNOSTIC;
        }
        if (signal == SIGSTOP || signal == SIGTTIN || signal == SIGTTOU)
        {
            return STOP;
        }
        return QUEUE;
    }
}
