package ember.replay.verify;

import ember.journal.Checkpoint;
import ember.journal.CheckpointKey;
import ember.journal.HashChain;
import ember.replay.ToolException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * A chain value an auditor anchors outside the machine: {@code replay-tool head} prints the last
 * signed checkpoint as one line, {@code ember-head covered=N hash=HEX time_ns=T key=ID
 * signature=BASE64 checkpoint=C}, and {@code verify --expect-file} reads it back; {@code --expect
 * INDEX:HASH} is the same without a signature. Immutable.
 *
 * @param covered   the record whose chain value it is.
 * @param hash      {@code h(covered)}.
 * @param checkpoint the signed checkpoint, null for a bare {@code INDEX:HASH}.
 */
public record SignedHead(long covered, byte[] hash, Checkpoint checkpoint)
{
    public static final String TAG = "ember-head";

    /** @return the head of a checkpoint. */
    public static SignedHead of(final Checkpoint checkpoint)
    {
        return new SignedHead(checkpoint.covered(), checkpoint.hash(), checkpoint);
    }

    /** @return the one-line form. */
    public String format(final long checkpointIndex)
    {
        return TAG + " covered=" + covered + " hash=" + hashHex() + " time_ns=" + checkpoint.timeNs() +
            " key=" + CheckpointKey.keyIdHex(checkpoint.keyId()) + " signature=" +
            Base64.getEncoder().encodeToString(checkpoint.signature()) + " checkpoint=" + checkpointIndex;
    }

    /** @return the hash in hex. */
    public String hashHex()
    {
        return HexFormat.of().formatHex(hash);
    }

    /**
     * @param spec {@code INDEX:HASH} (hex).
     * @throws ToolException (usage) with a one-line reason.
     */
    public static SignedHead parseExpect(final String spec)
    {
        final int colon = spec.indexOf(':');
        try
        {
            return new SignedHead(Long.parseLong(spec.substring(0, colon)), hash(spec.substring(colon + 1)), null);
        }
        catch (final RuntimeException ex)
        {
            throw new ToolException("--expect takes INDEX:HASH (64 hex digits), not '" + spec + "'", ToolException.USAGE);
        }
    }

    /**
     * @param file a file whose line {@code ember-head …} {@code replay-tool head} printed.
     * @param key  when given, the head's signature must verify with it.
     * @throws ToolException with a one-line reason.
     */
    public static SignedHead read(final Path file, final java.security.PublicKey key)
    {
        final String line;
        try
        {
            line = Files.readAllLines(file, StandardCharsets.UTF_8).stream().filter(l -> l.startsWith(TAG + " "))
                .findFirst().orElseThrow(() -> new ToolException(file + " holds no '" + TAG + " …' line (from replay-tool head)"));
        }
        catch (final java.io.IOException ex)
        {
            throw new ToolException("cannot read " + file + ": " + ex.getMessage());
        }
        final Map<String, String> fields = new HashMap<>();
        for (final String word : line.substring(TAG.length()).trim().split("\\s+"))
        {
            final int eq = word.indexOf('=');
            if (eq > 0)
            {
                fields.put(word.substring(0, eq), word.substring(eq + 1));
            }
        }
        final SignedHead head;
        try
        {
            final long covered = Long.parseLong(fields.get("covered"));
            final byte[] hash = hash(fields.get("hash"));
            final Checkpoint checkpoint = new Checkpoint(covered, hash, Long.parseLong(fields.get("time_ns")),
                Long.parseUnsignedLong(fields.get("key"), 16), Base64.getDecoder().decode(fields.get("signature")));
            head = new SignedHead(covered, hash, checkpoint);
        }
        catch (final RuntimeException ex)
        {
            throw new ToolException(file + ": not a well-formed head line (" + ex.getMessage() + ")");
        }
        if (key != null && !head.checkpoint.verifies(key))
        {
            throw new ToolException(file + ": the head's signature does not verify with the given key");
        }
        return head;
    }

    private static byte[] hash(final String hex)
    {
        final byte[] hash = HexFormat.of().parseHex(hex);
        if (hash.length != HashChain.HASH_BYTES)
        {
            throw new IllegalArgumentException("a chain value has 64 hex digits");
        }
        return hash;
    }
}
