package ember.kernel.cli;

import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.EmberException;
import ember.kernel.client.IpcClient;
import ember.kernel.transport.IpcLayout;
import ember.kernel.transport.IpcServer;
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
    subcommands = {EmberCli.ServeCommand.class, EmberCli.ShellCommand.class, EmberCli.StatusCommand.class,
        EmberCli.TopCommand.class, EmberCli.ErrorsCommand.class, EmberCli.PruneCommand.class,
        EmberCli.BenchCommand.class, CommandLine.HelpCommand.class})
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
            "Attaches to the service running on DIR, or opens DIR embedded when none runs.",
            "The shell starts acting as pid 1 (root). Type `help` in the shell for its commands.",
            "On a terminal: a banner, a prompt (ember PID USER> ), line editing, history in",
            "$HOME/.ember_history, tab completion; `quit`, `exit-shell` or Ctrl-D leave.",
            "On a pipe: only the results, one per command, on stdout.",
            "Exit 0 when every command succeeded, 1 when any printed `error: ...` (or DIR could not",
            "be opened), 2 for bad options, --existing without a kernel or --new with one."
        })
    static final class ShellCommand implements Callable<Integer>
    {
        @picocli.CommandLine.Mixin
        KernelOptions options;

        @Option(names = "--new", description = "refuse to start unless DIR holds no kernel yet")
        boolean requireNew;

        @Option(names = "--existing", description = "refuse to start unless DIR already holds a kernel")
        boolean requireExisting;

        @Override
        public Integer call() throws Exception
        {
            final Path dir = options.dir();
            if (requireNew && requireExisting)
            {
                return CliFailure.report("shell", "--new and --existing exclude each other", 2);
            }
            final boolean existed = java.nio.file.Files.exists(dir);
            boolean holdsKernel;
            try
            {
                holdsKernel = IpcLayout.serviceAlive(dir, System.currentTimeMillis()) ||
                    ember.kernel.core.OfflineState.hasJournal(dir);
            }
            catch (final KernelOpenException ex)
            {
                if (requireNew || requireExisting)
                {
                    return CliFailure.report("shell", ex.getMessage(), 1);
                }
                holdsKernel = true; // unreadable journal: opening it below says why, in its own words
            }
            if (requireExisting && !holdsKernel)
            {
                return CliFailure.report("shell", "no kernel in " + dir + " (--existing)", 2);
            }
            if (requireNew && holdsKernel)
            {
                return CliFailure.report("shell", dir + " already holds a kernel (--new)", 2);
            }
            if (!IpcLayout.serviceAlive(dir, System.currentTimeMillis()))
            {
                final KernelConfig config;
                try
                {
                    config = options.config();
                }
                catch (final IllegalArgumentException ex)
                {
                    return CliFailure.report("shell", ex.getMessage(), 2);
                }
                final Kernel kernel;
                try
                {
                    kernel = Kernel.open(config);
                }
                catch (final KernelOpenException ex)
                {
                    if (!IpcLayout.serviceAlive(dir, System.currentTimeMillis()))
                    {
                        return CliFailure.report("shell", ex.getMessage(), 1);
                    }
                    return attached(dir); // a service started meanwhile
                }
                if (!existed && !requireNew)
                {
                    // A mistyped --dir must not go unnoticed; stderr only, so that stdout stays the results.
                    System.err.println("ember shell: " + dir + " did not exist: created a new kernel");
                }
                final String banner = holdsKernel ?
                    "opened " + dir + " embedded: recovered " + kernel.recoveredRecords() + " records" :
                    "opened " + dir + " embedded (new kernel)";
                try (kernel; EmbeddedClient client = new EmbeddedClient(kernel))
                {
                    return run(client, banner, false);
                }
            }
            return attached(dir);
        }

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        /**
         * A shell attached to a running service uses the service's kernel as it was opened: the
         * kernel options given to this shell (sync, snapshots, limits …) do not apply. Say so on
         * stderr, one line, rather than ignore them silently.
         */
        private void warnIgnoredOptions(final Path dir)
        {
            final java.util.List<String> ignored = new java.util.ArrayList<>();
            for (final picocli.CommandLine.Model.OptionSpec option : spec.commandLine().getParseResult().matchedOptions())
            {
                final String name = option.longestName();
                if (!name.equals("--dir") && !name.equals("--new") && !name.equals("--existing"))
                {
                    ignored.add(name);
                }
            }
            if (!ignored.isEmpty())
            {
                System.err.println("ember shell: " + String.join(", ", ignored) + (ignored.size() == 1 ? " does" : " do") +
                    " not apply: attached to the service on " + dir + ", which runs with the options it was started with");
            }
        }

        private int attached(final Path dir) throws java.io.IOException
        {
            warnIgnoredOptions(dir);
            final IpcClient client;
            try
            {
                client = IpcClient.connect(dir, 5_000);
            }
            catch (final EmberException ex)
            {
                return CliFailure.report("shell", ex.getMessage(), 1);
            }
            try (client)
            {
                return run(client, "attached to the service on " + dir, true);
            }
        }

        /**
         * Run the shell on a terminal (banner, prompt, editing) when stdin and stdout are one,
         * otherwise on the pipes exactly as SPEC §7 says.
         *
         * @return the exit code: 1 when any command failed, else 0.
         */
        private static int run(final ember.kernel.client.EmberClient client, final String banner, final boolean pump)
            throws java.io.IOException
        {
            if (TerminalConsole.isInteractive())
            {
                try (TerminalConsole console = TerminalConsole.open(TerminalConsole.historyFile()))
                {
                    final Shell shell = new Shell(client, console::print);
                    console.banner(banner);
                    console.banner("type help for the commands; quit or Ctrl-D leaves");
                    if (pump)
                    {
                        shell.startHandlerPump();
                    }
                    try
                    {
                        console.run(shell);
                    }
                    finally
                    {
                        shell.stopHandlerPump(); // no handler line may be printed to a closed terminal
                    }
                    return shell.anyFailed() ? 1 : 0;
                }
            }
            final PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false,
                StandardCharsets.UTF_8);
            final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            final Shell shell = new Shell(client, out);
            if (pump)
            {
                shell.startHandlerPump();
            }
            shell.run(in);
            out.flush();
            return shell.anyFailed() ? 1 : 0;
        }
    }

    @Command(name = "serve", mixinStandardHelpOptions = true,
        description = {
            "Run the kernel as a local service on DIR: clients connect to DIR/ipc/ember.sock.",
            "SIGTERM or Ctrl-C shuts it down cleanly (journal closed)."
        })
    static final class ServeCommand implements Callable<Integer>
    {
        @picocli.CommandLine.Mixin
        KernelOptions options;

        @Option(names = "--idle", paramLabel = "STRATEGY", defaultValue = "busy-spin",
            description = "core idle strategy: busy-spin (lowest latency, one core), yield, backoff (parks when idle, "
                + "new work wakes it) or sleep (default: ${DEFAULT-VALUE})")
        String idle;

        @Option(names = "--max-clients-per-account", paramLabel = "N", defaultValue = "64",
            description = "clients one OS account may have attached at once (default: ${DEFAULT-VALUE})")
        int maxClientsPerAccount;

        @Option(names = "--max-clients", paramLabel = "N", defaultValue = "1024",
            description = "clients attached at once in all (default: ${DEFAULT-VALUE})")
        int maxClients;

        @Option(names = "--snapshot-follower", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = {"periodic snapshots by a follower JVM of their own, so that however large the state their",
                "garbage collection never pauses the core (default: on; --no-snapshot-follower: a thread of this JVM)"})
        boolean snapshotFollower;

        @Override
        public Integer call() throws InterruptedException
        {
            final KernelConfig config;
            final Path dir = options.dir();
            try
            {
                config = options.config().withIdle(KernelConfig.idleStrategy(idle)).withSnapshotInFollower(snapshotFollower);
            }
            catch (final IllegalArgumentException ex)
            {
                return CliFailure.report("serve", ex.getMessage(), 2);
            }
            final Kernel kernel;
            try
            {
                kernel = Kernel.open(config, k -> new IpcServer(k, dir, maxClientsPerAccount, maxClients));
            }
            catch (final KernelOpenException ex)
            {
                return CliFailure.report("serve", ex.getMessage(), 1);
            }
            final java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() ->
            {
                kernel.close();
                if (kernel.failure() == null)
                {
                    System.out.println("ember serve: stopped, journal closed");
                    System.out.flush();
                }
                stopped.countDown();
            }, "ember-shutdown"));
            final String state;
            try
            {
                state = kernel.digest();
            }
            catch (final RuntimeException ex)
            {
                final String failure = kernel.failure();
                return CliFailure.report("serve", "the kernel failed to start: " + (failure != null ? failure : ex.getMessage()), failure != null ? 2 : 1);
            }
            System.out.println("ember serve: listening on " + IpcLayout.socketFile(dir).toAbsolutePath() +
                " (journal " + dir.toAbsolutePath().resolve("journal") + ")");
            System.out.println("ember serve: " + recoveredLine(kernel, state));
            System.out.println("ember serve: idle " + idle + ", sync " + options.sync + ", pid " + ProcessHandle.current().pid());
            System.out.flush();
            // Until SIGTERM, or until the core stops itself (fail-stop): then one line and exit 2.
            // The core has answered every caller, closed the journal and released the lock.
            while (!stopped.await(50, java.util.concurrent.TimeUnit.MILLISECONDS))
            {
                final String failure = kernel.failure();
                if (failure != null)
                {
                    System.err.println("ember serve: the kernel stopped: " + failure);
                    System.err.flush();
                    return 2;
                }
            }
            return 0;
        }
    }

    /**
     * @param state the core's {@code INDEX:DIGEST} after opening (its kernelOpen record included).
     * @return e.g. {@code recovered: snapshot at 107 + 1 journal record(s) replayed, index=109 digest=…}:
     *     what recovery started from, what it replayed, and where the kernel stands now.
     */
    static String recoveredLine(final Kernel kernel, final String state)
    {
        final int colon = state.indexOf(':');
        final String where = "index=" + state.substring(0, colon) + " digest=" + state.substring(colon + 1);
        final long snapshot = kernel.recoveredSnapshotIndex();
        final long replayed = kernel.recoveredRecords();
        if (snapshot == 0 && replayed == 0)
        {
            return "recovered: a new kernel, " + where;
        }
        return "recovered: " + (snapshot > 0 ? "snapshot at " + snapshot + " + " : "no snapshot, ") + replayed +
            " journal record(s) replayed, " + where;
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
        description = {
            "Print one line of key=value pairs about the kernel on DIR, running or not (SPEC §8).",
            "mode=embedded|service|stopped records=N digest=HEX, and for a running kernel clients=N pid=N;",
            "then processes=N; from the live counters of a running kernel uptime=S syscalls_per_s=X",
            "syscalls_ok=N syscalls_error=N journal_appended_bytes=N parked_pulls=N event_queue_max=N",
            "inbox_max=N duty_cycle_max_us=X duty_cycle_recent_max_us=X syscalls_by_type=NAME:N,...|none;",
            "then journal_bytes=N (files on disk)",
            "and last_snapshot=INDEX@TIME or none; errors=N (distinct unexpected errors recorded by the",
            "kernel's last run, see ember errors).",
            "Reads the journal and snapshots read-only: never changes the kernel, never waits on its core.",
            "Exit 0; 2 when DIR holds no kernel; 1 when it cannot be read."
        })
    static final class StatusCommand implements Callable<Integer>
    {
        /** Between the two counter reads the syscall rate comes from. */
        private static final long RATE_SAMPLE_MS = 200;

        @picocli.CommandLine.Mixin
        KernelDirOption directory;

        @Override
        public Integer call() throws InterruptedException
        {
            final Path dir = directory.dir;
            if (!directory.holdsKernel())
            {
                return directory.noKernel("status");
            }
            final KernelStatus status;
            try
            {
                status = KernelStatus.read(dir, RATE_SAMPLE_MS);
            }
            catch (final KernelOpenException ex)
            {
                return CliFailure.report("status", ex.getMessage(), 1);
            }
            System.out.println(status.line());
            return 0;
        }
    }

    @Command(name = "top", mixinStandardHelpOptions = true,
        description = {
            "A refreshing view of the kernel on DIR, as top does.",
            "Header: mode, uptime, records, syscalls/s, journal size, last snapshot; the attached clients (account, user, pid, transport, since) from the live",
            "counters; the processes with their queue depths, deepest first, from the journal (read-only).",
            "Never changes the kernel and never waits on its core. q or Ctrl-C quits.",
            "On a pipe, or with --once, prints one frame and exits.",
            "Exit 0; 2 when DIR holds no kernel; 1 when it cannot be read."
        })
    static final class TopCommand implements Callable<Integer>
    {
        @picocli.CommandLine.Mixin
        KernelDirOption directory;

        @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "1",
            description = "seconds between frames (default: ${DEFAULT-VALUE})")
        double interval;

        @Option(names = "--once", description = "print one frame and exit (as on a pipe)")
        boolean once;

        @Override
        public Integer call() throws Exception
        {
            final Path dir = directory.dir;
            if (!(interval >= 0.1) || interval > 3600)
            {
                return CliFailure.report("top", "--interval must be between 0.1 and 3600 seconds", 2);
            }
            if (!directory.holdsKernel())
            {
                return directory.noKernel("top");
            }
            final long sampleMs = Math.min(200, (long)(interval * 1000));
            try
            {
                if (once || !TerminalConsole.isInteractive())
                {
                    for (final String line : TopView.frame(dir, KernelStatus.read(dir, sampleMs), Integer.MAX_VALUE))
                    {
                        System.out.println(line);
                    }
                    return 0;
                }
                return TopScreen.run(dir, (long)(interval * 1000), sampleMs);
            }
            catch (final KernelOpenException ex)
            {
                return CliFailure.report("top", ex.getMessage(), 1);
            }
        }
    }

    @Command(name = "errors", mixinStandardHelpOptions = true,
        description = {
            "Print the unexpected errors the kernel on DIR recorded in DIR/errors.dat: each distinct error",
            "once, with how often it happened, when first and last (UTC), and its stack trace.",
            "Works while the kernel runs and after it stopped; reads the file only, never asks the kernel.",
            "--previous: the run before the last one (DIR/errors.prev.dat, kept when it held errors).",
            "Exit 0; 2 when DIR holds no kernel."
        })
    static final class ErrorsCommand implements Callable<Integer>
    {
        @picocli.CommandLine.Mixin
        KernelDirOption directory;

        @Option(names = "--previous", description = "the previous run's errors")
        boolean previous;

        @Override
        public Integer call()
        {
            final Path dir = directory.dir;
            if (!directory.holdsKernel())
            {
                return directory.noKernel("errors");
            }
            final Path file = previous ? dir.resolve(ember.kernel.core.ErrorsLayout.PREVIOUS_FILE) :
                ember.kernel.core.ErrorsLayout.file(dir);
            try (ember.kernel.core.KernelErrorsReader errors = ember.kernel.core.KernelErrorsReader.open(file))
            {
                if (errors == null)
                {
                    System.out.println(previous ? "no errors of a previous run in " + dir :
                        "no errors recorded: " + file + " is absent or not readable by this account");
                    return 0;
                }
                final int[] n = {0};
                final int distinct = errors.read((count, firstMs, lastMs, trace) ->
                {
                    n[0]++;
                    System.out.println("error " + n[0] + ": count=" + count + " first=" + java.time.Instant.ofEpochMilli(firstMs) +
                        " last=" + java.time.Instant.ofEpochMilli(lastMs));
                    System.out.print(trace.endsWith("\n") ? trace : trace + "\n");
                });
                System.out.println(distinct + " distinct error(s) recorded by the kernel of pid " + errors.osPid() +
                    " opened " + java.time.Instant.ofEpochMilli(errors.startMs()).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
            }
            if (!previous && java.nio.file.Files.isRegularFile(dir.resolve(ember.kernel.core.ErrorsLayout.PREVIOUS_FILE),
                java.nio.file.LinkOption.NOFOLLOW_LINKS))
            {
                System.out.println("the previous run's errors: ember errors --dir " + dir + " --previous");
            }
            return 0;
        }
    }

    @Command(name = "prune", mixinStandardHelpOptions = true,
        description = {
            "Archive or delete the journal files that lie wholly before the newest valid snapshot.",
            "The kernel must be stopped. Afterwards the journal is read from that snapshot on."
        })
    static final class PruneCommand implements Callable<Integer>
    {
        @picocli.CommandLine.Mixin
        KernelDirOption directory;

        @Option(names = "--archive", paramLabel = "ARCHIVE",
            description = "move the pruned files here instead of deleting them")
        Path archive;

        @Override
        public Integer call()
        {
            final Path dir = directory.dir;
            try
            {
                final ember.kernel.core.JournalPruner.Result result = ember.kernel.core.JournalPruner.prune(dir, archive);
                System.out.println("ember prune: newest valid snapshot at index " + result.snapshotIndex() + "; " +
                    (archive != null ? "archived " : "deleted ") + result.moved().size() + " journal file(s)" +
                    (archive != null ? " to " + archive : ""));
                for (final Path file : result.moved())
                {
                    System.out.println("  " + file.getFileName());
                }
                return 0;
            }
            catch (final KernelOpenException ex)
            {
                return CliFailure.report("prune", ex.getMessage(), 1);
            }
        }
    }

    /**
     * {@code ember bench} is module {@code bench/}: the kernel must not depend on the benchmarks'
     * libraries, so this entry only lists it and hands its words on, by class name, to
     * {@code ember.kernel.bench.BenchCli} when that is on the class path ({@code bin/ember bench}
     * runs that class directly on the bench module's class path).
     */
    @Command(name = "bench",
        description = {
            "Measure Ember and print one name=value line per figure (module bench/).",
            "Bounded: each phase runs --seconds after an equal warm-up. Options: ember bench --help."
        })
    static final class BenchCommand implements Callable<Integer>
    {
        /** The bench module's command line, found by name: no compile-time dependency on it. */
        static final String BENCH_CLI = "ember.kernel.bench.BenchCli";

        @picocli.CommandLine.Unmatched
        java.util.List<String> words = new java.util.ArrayList<>();

        @Override
        public Integer call() throws Exception
        {
            final Class<?> cli;
            try
            {
                cli = Class.forName(BENCH_CLI);
            }
            catch (final ClassNotFoundException ex)
            {
                return CliFailure.report("bench", "the benchmarks (module bench/) are not on this class path: run bin/ember bench", 2);
            }
            try
            {
                return (Integer)cli.getMethod("run", String[].class).invoke(null, (Object)words.toArray(new String[0]));
            }
            catch (final java.lang.reflect.InvocationTargetException ex)
            {
                throw ex.getCause() instanceof Exception cause ? cause : ex;
            }
        }
    }
}
