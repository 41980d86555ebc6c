package ember.replay;

/**
 * A failure the user can act on: the message is printed as {@code replay-tool: MESSAGE} on
 * stderr and the tool exits with {@link #exitCode()} (no stack trace).
 */
public final class ToolException extends RuntimeException
{
    /** Exit code of a damaged journal, a failed verification or an unreadable directory. */
    public static final int FAILURE = 1;
    /** Exit code of a bad argument (picocli uses the same code for usage errors). */
    public static final int USAGE = 2;

    private final int exitCode;

    public ToolException(final String message)
    {
        this(message, FAILURE);
    }

    public ToolException(final String message, final int exitCode)
    {
        super(message);
        this.exitCode = exitCode;
    }

    /** @return the process exit code for this failure. */
    public int exitCode()
    {
        return exitCode;
    }
}
