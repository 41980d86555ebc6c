package ember.replay.cli;

import ember.replay.verify.ChainProof;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;


/** {@code replay-tool prove}: a self-contained proof that one record is in the signed history. */
@Command(name = "prove", mixinStandardHelpOptions = true,
    header = "Print a proof that record INDEX is in the signed history.",
    description = {
        "The proof holds the chain value before INDEX, the records from INDEX to the",
        "index C the first checkpoint covering INDEX signs, and that checkpoint (at",
        "most C + 4096: signed off the core thread, it may lag what it covers); at most",
        "the checkpoint interval, 100,000 records by default, about 100-200 bytes",
        "each, plus the decoded syscall and its outcome",
        "(informative: the outcome follows from the whole history). 'check-proof' checks",
        "it with the public key only: one SHA-256 per record, one signature.",
        ""
    })
final class ProveCommand extends DirCommand
{
    @Parameters(index = "0", paramLabel = "INDEX", description = "the record to prove")
    long index;

    @Override
    public Integer call()
    {
        out().print(ChainProof.prove(dir.journal(), index));
        return 0;
    }
}
