package ember.replay.cli;

import ember.replay.ToolException;
import ember.replay.verify.ChainProof;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code replay-tool check-proof}: checks a proof from {@code prove}, without the journal. */
@Command(name = "check-proof", mixinStandardHelpOptions = true,
    header = "Check a proof from 'prove' with the kernel's public key, without the journal.",
    description = {"Prints OK and the proved record, or the first thing that is wrong (exit 1).", ""})
final class CheckProofCommand implements Callable<Integer>
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PROOF", description = "the proof file")
    Path proof;

    @Option(names = "--key", paramLabel = "PUBKEY", required = true, description = "the kernel's public key")
    String key;

    @Override
    public Integer call()
    {
        final String text;
        try
        {
            text = Files.readString(proof, StandardCharsets.UTF_8);
        }
        catch (final java.io.IOException ex)
        {
            throw new ToolException("cannot read " + proof + ": " + ex.getMessage());
        }
        spec.commandLine().getOut().println("OK " + ChainProof.check(text, Keys.publicKey(key)));
        return 0;
    }
}
