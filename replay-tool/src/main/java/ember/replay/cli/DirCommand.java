package ember.replay.cli;

import picocli.CommandLine;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * What every command that reads a kernel directory has: the picocli spec it prints through and the
 * {@code --dir DIR} option ({@link DirOption}). picocli injects both into the subclass's instance
 * before {@link #call()}; used by the command's thread only.
 */
abstract class DirCommand implements Callable<Integer>
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    DirOption dir;

    /** @return the command line's standard output. */
    final PrintWriter out()
    {
        return spec.commandLine().getOut();
    }
}
