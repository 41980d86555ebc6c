package ember.kernel.cli;

/** How an {@code ember} command fails: one line on stderr, no stack trace, an exit code. */
final class CliFailure
{
    private CliFailure()
    {
    }

    /**
     * Print {@code ember COMMAND: MESSAGE} on stderr.
     *
     * @return {@code exitCode}, for the command to return.
     */
    static int report(final String command, final String message, final int exitCode)
    {
        System.err.println("ember " + command + ": " + message);
        return exitCode;
    }
}
