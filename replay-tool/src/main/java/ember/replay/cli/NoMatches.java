package ember.replay.cli;

import picocli.CommandLine;

/**
 * The convention of every command whose filters can keep nothing ({@code log}, {@code report},
 * {@code timeline}), as ausearch and aureport do: {@code <no matches>} on stderr and exit code 1,
 * so a script can tell "nothing happened" from "the filter was wrong" without parsing output.
 */
final class NoMatches
{
    /** What is printed on stderr. */
    static final String MESSAGE = "<no matches>";

    /** The exit code. */
    static final int EXIT_CODE = 1;

    private NoMatches()
    {
    }

    /**
     * Print {@link #MESSAGE} on the command's stderr.
     *
     * @param spec the command.
     * @return {@link #EXIT_CODE}, for the command to return.
     */
    static int report(final CommandLine.Model.CommandSpec spec)
    {
        spec.commandLine().getErr().println(MESSAGE);
        return EXIT_CODE;
    }
}
