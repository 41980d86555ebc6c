package ember.replay.cli;

import ember.journal.CheckpointKey;
import ember.replay.ToolException;
import picocli.CommandLine.Command;

import java.nio.file.Path;

/** {@code replay-tool pubkey}: the public half of the kernel's checkpoint key, for auditors. */
@Command(name = "pubkey", mixinStandardHelpOptions = true,
    header = "Print the public key that signs the journal's checkpoints.",
    description = {
        "Reads DIR/checkpoint.key (readable by the kernel's account only) and prints its",
        "public line, 'ember-ed25519-pub BASE64 keyid=ID': save it and give it to",
        "'verify --key' and 'check-proof --key' wherever the journal is audited.",
        ""
    })
final class PubkeyCommand extends DirCommand
{
    @Override
    public Integer call()
    {
        final Path file = dir.dir.resolve("checkpoint.key");
        try
        {
            out().println(CheckpointKey.format(CheckpointKey.read(file.toString())));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ToolException("no checkpoint key in " + dir.dir + ": " + ex.getMessage());
        }
        return 0;
    }
}
