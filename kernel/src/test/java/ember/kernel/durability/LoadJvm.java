package ember.kernel.durability;

import ember.kernel.testing.JavaProcess;
import ember.kernel.testing.TempDirs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Starts load JVMs like {@link JavaProcess} does (same Chronicle flags, this test run's
 * classpath), but from a private copy of the classpath's class directories: a load started
 * many times over a long crash loop must not fail because another build recompiles
 * {@code target/classes} meanwhile.
 */
final class LoadJvm implements AutoCloseable
{
    private final Path copy = TempDirs.create("ember-load-classes");
    private final String classpath;

    LoadJvm()
    {
        final List<String> entries = new ArrayList<>();
        int i = 0;
        for (final String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        {
            final Path path = Path.of(entry);
            if (Files.isDirectory(path))
            {
                final Path target = copy.resolve(Integer.toString(i++));
                copyTree(path, target);
                entries.add(target.toString());
            }
            else
            {
                entries.add(entry);
            }
        }
        classpath = String.join(java.io.File.pathSeparator, entries);
    }

    private static void copyTree(final Path from, final Path to)
    {
        try (Stream<Path> paths = Files.walk(from))
        {
            for (final Path p : (Iterable<Path>)paths::iterator)
            {
                final Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p))
                {
                    Files.createDirectories(target);
                }
                else
                {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Start {@code main} with {@code args}; its stdout goes to {@code stdout} (a file: what the
     * process wrote before it was killed is all there), its stderr to ours.
     */
    Process start(final Class<?> main, final Path stdout, final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle") || arg.startsWith("-Dorg.slf4j"))
            {
                command.add(arg);
            }
        }
        command.add("-cp");
        command.add(classpath);
        command.add(main.getName());
        command.addAll(List.of(args));
        try
        {
            return new ProcessBuilder(command)
                .redirectOutput(stdout.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public void close()
    {
        TempDirs.delete(copy);
    }
}
