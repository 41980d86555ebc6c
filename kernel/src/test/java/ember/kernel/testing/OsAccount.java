package ember.kernel.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real second OS account for attack tests: made with {@code useradd}, commands run as it with
 * {@code setpriv}, removed with {@code userdel}. Needs root; {@link #create} skips the test
 * (visibly, through an assumption) otherwise.
 */
public final class OsAccount implements AutoCloseable
{
    public final String name;
    private Path classes;
    private List<String> classpath;

    private OsAccount(final String name)
    {
        this.name = name;
    }

    /** Make a fresh account, or skip the calling test when that is not possible here. */
    public static OsAccount create(final String prefix) throws Exception
    {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root (useradd, setpriv): skipped");
        final String name = prefix + ProcessHandle.current().pid() % 100_000;
        run("userdel", name); // a leftover of an earlier, killed run
        Assumptions.assumeTrue(run("useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name) == 0,
            "cannot create an OS account here: skipped");
        return new OsAccount(name);
    }

    /** The outcome of a command. */
    public record Result(int exit, String out, String err)
    {
    }

    /** Run a command as root. @return its exit code. */
    public static int run(final String... command) throws Exception
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        process.waitFor(60, TimeUnit.SECONDS);
        return process.exitValue();
    }

    /** Run {@code sh -c SCRIPT} as this account. */
    public Result sh(final String script) throws Exception
    {
        return runAs(List.of("sh", "-c", script), null);
    }

    /** @return the setpriv prefix that runs a command as this account. */
    public List<String> asThisAccount()
    {
        return List.of("setpriv", "--reuid=" + name, "--regid=" + name, "--clear-groups", "--");
    }

    /** Run a command as this account, feeding it {@code input} (or nothing). */
    public Result runAs(final List<String> command, final String input) throws Exception
    {
        final List<String> full = new ArrayList<>(asThisAccount());
        full.addAll(command);
        final ProcessBuilder builder = new ProcessBuilder(full);
        if (classpath != null)
        {
            // bin/ember as this account runs the classes it can read instead of building.
            builder.environment().put("EMBER_CLASSPATH", String.join(File.pathSeparator, classpath));
            builder.environment().put("EMBER_JAVA_OPTS", "-XX:-UsePerfData");
        }
        final Process process = builder.start();
        if (input != null)
        {
            process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        }
        process.getOutputStream().close();
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        final String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new IllegalStateException("timed out: " + full);
        }
        return new Result(process.exitValue(), out, err);
    }

    /**
     * Run a Java main class of the test class path as this account (a copy of the class path it
     * can read: the repository may sit where it cannot, as in CI's private clone).
     */
    public Result java(final Class<?> main, final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JavaProcess.jvmFlags());
        command.add("-XX:-UsePerfData"); // leaves no /tmp/hsperfdata_<account>
        command.add("-cp");
        command.add(String.join(File.pathSeparator, readableClasspath()));
        command.add(main.getName());
        command.addAll(List.of(args));
        return runAs(command, null);
    }

    /** @return a copy of this JVM's class path that this account can read (made once). */
    public synchronized List<String> readableClasspath() throws Exception
    {
        if (classpath != null)
        {
            return classpath;
        }
        classes = TempDirs.create("ember-account-cp");
        final List<String> entries = new ArrayList<>();
        int n = 0;
        for (final String entry : System.getProperty("java.class.path").split(File.pathSeparator))
        {
            final Path source = Path.of(entry);
            final Path target = classes.resolve((n++) + "-" + source.getFileName());
            if (Files.isDirectory(source))
            {
                try (Stream<Path> walk = Files.walk(source))
                {
                    for (final Path path : walk.toList())
                    {
                        final Path copy = target.resolve(source.relativize(path).toString());
                        if (Files.isDirectory(path))
                        {
                            Files.createDirectories(copy);
                        }
                        else
                        {
                            Files.copy(path, copy, StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
            }
            else if (Files.isRegularFile(source))
            {
                Files.copy(source, target);
            }
            entries.add(target.toString());
        }
        final Path bin = Files.createDirectories(classes.resolve("bin"));
        for (final String script : new String[] {"ember", "ember-env.sh"})
        {
            Files.copy(EmberProcess.repoRoot().resolve("bin").resolve(script), bin.resolve(script));
        }
        run("chmod", "-R", "a+rX", classes.toString());
        run("chmod", "755", classes.toString());
        classpath = entries;
        return classpath;
    }

    /** @return the copy of {@code bin/ember} this account can run (see {@link #readableClasspath}). */
    public Path launcher() throws Exception
    {
        readableClasspath();
        return classes.resolve("bin").resolve("ember");
    }

    @Override
    public void close() throws Exception
    {
        run("pkill", "-KILL", "-u", name);
        run("userdel", name);
        if (classes != null)
        {
            TempDirs.delete(classes);
        }
    }
}
