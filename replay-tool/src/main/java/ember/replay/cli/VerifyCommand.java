package ember.replay.cli;

import ember.journal.Journal;
import ember.replay.engine.JournalDir;
import ember.replay.render.Times;
import ember.replay.verify.SignedHead;
import ember.replay.verify.Verification;
import ember.replay.verify.Verifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.Locale;

/** {@code replay-tool verify}: integrity of every record and determinism of replay. */
@Command(name = "verify", mixinStandardHelpOptions = true,
    header = "Check every record and that replay is deterministic.",
    description = {
        "Check every record's integrity (CRC32C, structure, gap-free index sequence)",
        "and that reading reaches the journal's last record; replay the whole journal",
        "twice and compare the digests at checkpoints; compare with the digests the",
        "live kernel wrote to DIR/kernel.log. Prints the replay speed.",
        "Hash chain: every signed checkpoint must sign the chain value the records",
        "give (from genesis, or from the snapshot's value for a pruned journal) at the",
        "index it covers, before it by at most 4096 records and after the index the",
        "checkpoint before it covers;",
        "with --key every signature must verify with the kernel's public key; with",
        "--expect/--expect-file the journal must reach that head and give its hash.",
        "On a fault, names the first bad record and exits with 1.",
        ""
    })
final class VerifyCommand extends DirCommand
{
    @Option(names = "--every", paramLabel = "N", defaultValue = "1000000",
        description = "digest checkpoint every N records (default: ${DEFAULT-VALUE})")
    long every;

    @Option(names = "--key", paramLabel = "PUBKEY",
        description = "the kernel's public key (a file from 'replay-tool pubkey', or its line): every checkpoint's " +
            "signature must verify with it")
    String key;

    @Option(names = "--expect", paramLabel = "INDEX:HASH",
        description = "a chain value held elsewhere: the journal must reach INDEX and give HASH there")
    String expect;

    @Option(names = "--expect-file", paramLabel = "FILE",
        description = "a signed head saved from 'replay-tool head' (its signature is checked with --key)")
    java.nio.file.Path expectFile;

    @Option(names = "--no-kernel-log", negatable = false,
        description = "do not compare with the live digests in DIR/kernel.log")
    boolean noKernelLog;

    @Override
    public Integer call()
    {
        final JournalDir journal = dir.journal();
        final java.security.PublicKey publicKey = key == null ? null : Keys.publicKey(key);
        if (expect != null && expectFile != null)
        {
            throw new ember.replay.ToolException("--expect and --expect-file exclude each other", ember.replay.ToolException.USAGE);
        }
        final SignedHead head = expect != null ? SignedHead.parseExpect(expect) :
            expectFile != null ? SignedHead.read(expectFile, publicKey) : null;
        final Verification v = new Verifier(journal, every, !noKernelLog, publicKey, head).run();
        final PrintWriter out = out();
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
