package ember.journal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * The public half of a kernel's checkpoint key, as {@code replay-tool pubkey} prints it and an
 * auditor passes it to {@code --key}: one line {@code ember-ed25519-pub BASE64 keyid=HEX}, where
 * BASE64 is the key's X.509 encoding and the key id the first 8 bytes of its SHA-256 (the id is
 * informative; the key is what is checked). Thread-safe (static helpers).
 */
public final class CheckpointKey
{
    public static final String PUBLIC_TAG = "ember-ed25519-pub";

    private CheckpointKey()
    {
    }

    /** @return the first 8 bytes of SHA-256 of the key's X.509 encoding, as a long (little endian). */
    public static long keyId(final PublicKey key)
    {
        try
        {
            final byte[] sha = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return java.nio.ByteBuffer.wrap(sha, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** @return the key id in hex, as printed. */
    public static String keyIdHex(final long keyId)
    {
        return String.format("%016x", keyId);
    }

    /** @return the one-line text form of {@code key}. */
    public static String format(final PublicKey key)
    {
        return PUBLIC_TAG + " " + Base64.getEncoder().encodeToString(key.getEncoded()) + " keyid=" + keyIdHex(keyId(key));
    }

    /**
     * @param text the one-line form (further words after the base64 are ignored).
     * @return the public key.
     * @throws IllegalArgumentException with a one-line reason when it is not one.
     */
    public static PublicKey parse(final String text)
    {
        final String[] words = text.trim().split("\\s+");
        if (words.length < 2 || !words[0].equals(PUBLIC_TAG))
        {
            throw new IllegalArgumentException("not an Ember public key (expected '" + PUBLIC_TAG + " BASE64 …')");
        }
        try
        {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(words[1])));
        }
        catch (final GeneralSecurityException | IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("not a valid Ed25519 public key: " + ex.getMessage());
        }
    }

    /**
     * @param spec a file holding the one-line form, or the line itself.
     * @return the public key.
     * @throws IllegalArgumentException with a one-line reason.
     */
    public static PublicKey read(final String spec)
    {
        final Path file = Path.of(spec);
        if (!spec.startsWith(PUBLIC_TAG) && Files.isRegularFile(file))
        {
            try
            {
                for (final String line : Files.readAllLines(file, StandardCharsets.UTF_8))
                {
                    if (line.startsWith(PUBLIC_TAG))
                    {
                        return parse(line);
                    }
                }
                throw new IllegalArgumentException(spec + " holds no '" + PUBLIC_TAG + "' line");
            }
            catch (final java.io.IOException ex)
            {
                throw new IllegalArgumentException("cannot read " + spec + ": " + ex.getMessage());
            }
        }
        return parse(spec);
    }
}
