package ember.replay.cli;

import ember.journal.Journal;
import ember.replay.engine.JournalDir;
import ember.replay.render.Times;
import ember.replay.verify.Verification;
import ember.replay.verify.Verifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code replay-tool verify}: integrity of every record and determinism of replay. */
@Command(name = "verify", mixinStandardHelpOptions = true,
    header = "Check every record and that replay is deterministic.",
    description = {
        "Check every record's integrity (CRC32C, structure, gap-free index sequence)",
        "and that reading reaches the journal's last record; replay the whole journal",
        "twice and compare the digests at checkpoints; compare with the digests the",
        "live kernel wrote to DIR/kernel.log. Prints the replay speed.",
        "On a fault, names the first bad record and exits with 1.",
        ""
    })
final class VerifyCommand implements Callable<Integer>
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    DirOption dir;

    @Option(names = "--every", paramLabel = "N", defaultValue = "1000000",
        description = "digest checkpoint every N records (default: ${DEFAULT-VALUE})")
    long every;

    @Option(names = "--no-kernel-log", negatable = false,
        description = "do not compare with the live digests in DIR/kernel.log")
    boolean noKernelLog;

    @Override
    public Integer call()
    {
        final JournalDir journal = dir.journal();
        final Verification v = new Verifier(journal, every, !noKernelLog).run();
        final PrintWriter out = spec.commandLine().getOut();
        out.println("journal  " + Journal.queueDir(journal.path()));
        out.println("records  " + v.records() + (v.records() == 0 ? "" :
            " (" + Times.iso(v.firstTimeNs()) + " .. " + Times.iso(v.lastTimeNs()) + ")"));
        for (final String note : v.notes())
        {
            out.println("checked  " + note);
        }
        out.println(String.format(Locale.ROOT, "replay   %d records in %.3f s: %,.0f records/s", v.records(), v.seconds(),
            v.recordsPerSecond()));
        out.println("digest   " + v.digest() + " (after record " + v.lastIndex() + ")");
        if (v.ok())
        {
            out.println("OK");
            return 0;
        }
        out.println("FAILED: " + v.fault());
        out.flush();
        spec.commandLine().getErr().println("replay-tool: verify failed: " + v.fault());
        return 1;
    }
}
