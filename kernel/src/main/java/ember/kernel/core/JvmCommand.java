package ember.kernel.core;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The command line of another JVM like this one: this JVM's {@code java}, the flags of its own
 * command line that the caller keeps (the module flags Chronicle needs, for instance), this class
 * path, a main class and its arguments. Used to start the snapshot follower and the benchmarks'
 * client JVMs.
 */
public final class JvmCommand
{
    private JvmCommand()
    {
    }

    /**
     * @param keep     which of this JVM's flags to pass on; a two-word {@code --add-opens X} or
     *                 {@code --add-exports X} is judged by its joined form {@code --add-opens=X}.
     * @param extra    flags to add after the kept ones.
     * @param main     the main class (on this class path).
     * @param args     its arguments.
     * @return the command, to run as it is or after a prefix (nice, setpriv).
     */
    public static List<String> of(final Predicate<String> keep, final List<String> extra, final Class<?> main,
        final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        final List<String> flags = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (int i = 0; i < flags.size(); i++)
        {
            final String flag = flags.get(i);
            if ((flag.equals("--add-opens") || flag.equals("--add-exports")) && i + 1 < flags.size())
            {
                final String value = flags.get(++i);
                if (keep.test(flag + "=" + value))
                {
                    command.add(flag + "=" + value);
                }
            }
            else if (keep.test(flag))
            {
                command.add(flag);
            }
        }
        command.addAll(extra);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        return command;
    }
}
