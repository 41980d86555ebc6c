package ember.kernel.cli;

import ember.kernel.client.EmbeddedClient;
import ember.kernel.core.Kernel;
import ember.kernel.core.KernelConfig;
import ember.kernel.core.KernelOpenException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code ember}: the kernel's command line (picocli).
 */
@Command(name = "ember", mixinStandardHelpOptions = true, version = "ember 0.1.0",
    description = "A persistent, event-sourced kernel for the Phoenix event system.",
    subcommands = {EmberCli.ShellCommand.class, EmberCli.BenchCommand.class})
public final class EmberCli implements Callable<Integer>
{
    @Override
    public Integer call()
    {
        CommandLine.usage(this, System.out);
        return 0;
    }

    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new EmberCli()).execute(args));
    }

    @Command(name = "shell", mixinStandardHelpOptions = true,
        description = {
            "Read kernel commands, one per line, and print one result per command (SPEC §7).",
            "Opens DIR embedded. The shell starts acting as pid 1 (root)."
        })
    static final class ShellCommand implements Callable<Integer>
    {
        @Option(names = "--dir", paramLabel = "DIR", defaultValue = "ember-data",
            description = "kernel directory (default: ${DEFAULT-VALUE})")
        Path dir;

        @Override
        public Integer call() throws Exception
        {
            final PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false,
                StandardCharsets.UTF_8);
            final Kernel kernel;
            try
            {
                kernel = Kernel.open(KernelConfig.of(dir));
            }
            catch (final KernelOpenException ex)
            {
                System.err.println("ember shell: " + ex.getMessage());
                return 1;
            }
            try (kernel; EmbeddedClient client = new EmbeddedClient(kernel))
            {
                final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                new Shell(client, out).run(in);
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "bench", mixinStandardHelpOptions = true,
        description = {
            "Measure Ember and print one name=value line per figure.",
            "Bounded: each phase runs --seconds after an equal warm-up."
        })
    static final class BenchCommand implements Callable<Integer>
    {
        @Option(names = "--seconds", defaultValue = "3", description = "measured seconds per phase (default: ${DEFAULT-VALUE})")
        double seconds;

        @Override
        public Integer call()
        {
            ember.kernel.bench.EmbeddedBench.run(seconds, (name, value) ->
            {
                System.out.println(name + "=" + value);
                System.out.flush();
            });
            return 0;
        }
    }
}
