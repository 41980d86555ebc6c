package ember.replay.cli;

import ember.journal.Journal;
import ember.replay.bench.DebugBench;
import ember.replay.bench.ReplayBench;
import ember.replay.engine.TempDir;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code replay-tool bench}: how fast the kernel's replay runs on a journal the kernel wrote. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    header = "Replay benchmark: records/s of the kernel's replay.",
    description = {
        "Write N records with the real kernel (embedded) into DIR, then replay the",
        "journal several times into fresh states and print records/s (goal: at least",
        "5 M records/s on 10 M records). Without --dir a temporary directory is used",
        "and deleted afterwards; with --dir DIR holding a journal already, only the",
        "replay is measured. --debug adds the debugger's cases: 'when' over the whole",
        "journal (goal: at least 10 M records/s) and 'back' from the end to the start",
        "in K steps, each replaying at most one checkpoint interval.",
        ""
    })
final class BenchCommand implements Callable<Integer>
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", description = "kernel directory to write (or reuse); default a temporary one")
    Path dir;

    @Option(names = "--records", paramLabel = "N", defaultValue = "10000000",
        description = "records to write (default: ${DEFAULT-VALUE})")
    long records;

    @Option(names = "--runs", paramLabel = "R", defaultValue = "5", description = "replay runs (default: ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--block-size", paramLabel = "BYTES", defaultValue = "67108864",
        description = "Chronicle block size when writing (default: ${DEFAULT-VALUE})")
    long blockSize;

    @Option(names = "--debug", description = "also measure the debugger: 'when' over the journal (records/s) and " +
        "'back' from its end to its start in --back-steps steps (records replayed per step)")
    boolean debug;

    @Option(names = "--back-steps", paramLabel = "K", defaultValue = "100",
        description = "steps of the debug back case (default: ${DEFAULT-VALUE})")
    int backSteps;

    @Option(names = "--no-replay", description = "skip the replay runs (with --debug: only the debugger)")
    boolean noReplay;

    @Override
    public Integer call() throws Exception
    {
        final PrintWriter out = spec.commandLine().getOut();
        final boolean temporary = dir == null;
        final Path kernelDir = temporary ? Files.createTempDirectory("ember-bench") : dir;
        try
        {
            final ReplayBench bench = new ReplayBench(out);
            if (Files.isDirectory(Journal.queueDir(kernelDir)))
            {
                out.println("reusing the journal in " + kernelDir);
            }
            else
            {
                bench.write(kernelDir, records, blockSize);
            }
            if (!noReplay)
            {
                bench.replay(kernelDir, Math.max(1, runs));
            }
            if (debug)
            {
                new DebugBench(out).run(kernelDir, Math.max(1, runs), Math.max(1, backSteps));
            }
        }
        finally
        {
            if (temporary)
            {
                TempDir.delete(kernelDir);
            }
        }
        return 0;
    }
}
