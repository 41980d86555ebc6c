package ember.replay.cli;

import ember.journal.CheckpointKey;
import ember.replay.ToolException;

import java.security.PublicKey;

/** Reads {@code --key PUBKEY} for the commands that check signatures. */
final class Keys
{
    private Keys()
    {
    }

    /** @throws ToolException (usage) with a one-line reason when it is not a public key. */
    static PublicKey publicKey(final String spec)
    {
        try
        {
            return CheckpointKey.read(spec);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ToolException("--key " + spec + ": " + ex.getMessage(), ToolException.USAGE);
        }
    }
}
