package ember.kernel.cli;

import ember.kernel.core.OfflineState;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code --dir DIR} option of every {@code ember} command that works on a kernel directory
 * (picocli mixin, also inside {@link KernelOptions}). Filled by picocli and read by the command on
 * the CLI's main thread only.
 */
final class KernelDirOption
{
    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "ember-data",
        description = "kernel directory (default: ${DEFAULT-VALUE})")
    Path dir;

    /**
     * @return true when DIR is a directory holding a journal (a kernel ran there).
     * @throws ember.kernel.core.KernelOpenException when the journal folder cannot be listed.
     */
    boolean holdsKernel()
    {
        return Files.isDirectory(dir) && OfflineState.hasJournal(dir);
    }

    /** @return exit code 2, after {@code ember COMMAND: no kernel in DIR} on stderr. */
    int noKernel(final String command)
    {
        return CliFailure.report(command, "no kernel in " + dir, 2);
    }
}
