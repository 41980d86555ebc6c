package ember.kernel.core;

import ember.journal.Checkpoint;
import ember.journal.CheckpointKey;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * The kernel's Ed25519 checkpoint key, {@code DIR/checkpoint.key} (0600, the kernel's account
 * only, never through a link): made at the first open, or installed from a key file the operator
 * supplies. The file is two lines, {@code ember-ed25519-key BASE64(PKCS#8)} and the public line of
 * {@link CheckpointKey}. One key for the kernel's life, no key evolution (see the README's
 * "Tamper-evident history"). Not thread-safe: once opened it is used by one thread at a time, the
 * {@link CheckpointSigner}'s thread while it runs, the thread that stopped it after that.
 */
public final class CheckpointKeyFile
{
    public static final String FILE = "checkpoint.key";
    private static final String PRIVATE_TAG = "ember-ed25519-key";

    /** Test hook: told the thread of every signature made (null in production: one volatile read per signature). */
    static volatile java.util.function.Consumer<Thread> signHook;

    private final PublicKey publicKey;
    private final long keyId;
    private final Signature signature;

    private CheckpointKeyFile(final PrivateKey privateKey, final PublicKey publicKey)
    {
        this.publicKey = publicKey;
        this.keyId = CheckpointKey.keyId(publicKey);
        try
        {
            signature = Signature.getInstance("Ed25519");
            signature.initSign(privateKey);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new KernelOpenException("this JDK cannot sign with Ed25519: " + ex.getMessage());
        }
    }

    /**
     * The kernel's key: {@code DIR/checkpoint.key}, created when missing (from {@code supplied}
     * when given, else a new key pair).
     *
     * @param dir      the kernel directory (already secured).
     * @param supplied an operator's key file to install, or null.
     * @throws KernelOpenException with a one-line reason: unreadable or unsafe key file, or a
     *     supplied key that differs from the one DIR already holds.
     */
    public static CheckpointKeyFile open(final Path dir, final Path supplied)
    {
        final Path file = dir.resolve(FILE);
        try
        {
            final String suppliedText = supplied == null ? null : Files.readString(supplied, StandardCharsets.UTF_8);
            if (suppliedText != null)
            {
                parse(suppliedText, supplied); // refuse a bad one before anything is written
            }
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS))
            {
                install(file, suppliedText != null ? suppliedText : generate());
            }
            final String text;
            try (FileChannel channel = KernelDirectory.openPrivateFile(file, StandardOpenOption.READ))
            {
                final ByteBuffer bytes = ByteBuffer.allocate((int)Math.min(channel.size(), 64 * 1024));
                while (bytes.hasRemaining() && channel.read(bytes) > 0)
                {
                    // read it all
                }
                text = new String(bytes.array(), 0, bytes.position(), StandardCharsets.UTF_8);
            }
            final CheckpointKeyFile signer = parse(text, file);
            if (suppliedText != null && !Arrays.equals(parse(suppliedText, supplied).publicKey.getEncoded(),
                signer.publicKey.getEncoded()))
            {
                throw new KernelOpenException(file + " holds another checkpoint key than " + supplied +
                    " (remove it to switch keys; earlier checkpoints then verify with the old public key only)");
            }
            return signer;
        }
        catch (final IOException ex)
        {
            throw new KernelOpenException("cannot open the checkpoint key " + (supplied != null ? supplied : file) + ": " +
                KernelDirectory.describe(ex));
        }
    }

    /** @return a new key file's text. */
    public static String generate()
    {
        try
        {
            final KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            return PRIVATE_TAG + " " + Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()) + "\n" +
                CheckpointKey.format(pair.getPublic()) + "\n";
        }
        catch (final GeneralSecurityException ex)
        {
            throw new KernelOpenException("this JDK cannot make Ed25519 keys: " + ex.getMessage());
        }
    }

    /** Write the key file atomically: a private temporary file (new, not through a link), synced, renamed. */
    private static void install(final Path file, final String text) throws IOException
    {
        final Path temp = file.resolveSibling("." + FILE + ".tmp");
        Files.deleteIfExists(temp);
        try (FileChannel channel = FileChannel.open(temp, java.util.Set.of(StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
            java.nio.file.attribute.PosixFilePermissions.asFileAttribute(KernelDirectory.PRIVATE_FILE)))
        {
            final ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining())
            {
                channel.write(bytes);
            }
            channel.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
    }

    private static CheckpointKeyFile parse(final String text, final Path from)
    {
        PrivateKey privateKey = null;
        PublicKey publicKey = null;
        try
        {
            for (final String line : text.split("\n"))
            {
                final String[] words = line.trim().split("\\s+");
                if (words.length >= 2 && words[0].equals(PRIVATE_TAG))
                {
                    privateKey = KeyFactory.getInstance("Ed25519").generatePrivate(
                        new PKCS8EncodedKeySpec(Base64.getDecoder().decode(words[1])));
                }
                else if (words[0].equals(CheckpointKey.PUBLIC_TAG))
                {
                    publicKey = CheckpointKey.parse(line);
                }
            }
        }
        catch (final GeneralSecurityException | IllegalArgumentException ex)
        {
            throw new KernelOpenException("checkpoint key " + from + " is damaged: " + ex.getMessage());
        }
        if (privateKey == null || publicKey == null)
        {
            throw new KernelOpenException("checkpoint key " + from + " is not an Ember key file (needs a '" + PRIVATE_TAG +
                "' and a '" + CheckpointKey.PUBLIC_TAG + "' line)");
        }
        final CheckpointKeyFile signer = new CheckpointKeyFile(privateKey, publicKey);
        final Checkpoint probe = signer.sign(0, new byte[32], 0);
        if (!probe.verifies(publicKey))
        {
            throw new KernelOpenException("checkpoint key " + from + ": its public key does not match its private key");
        }
        return signer;
    }

    /**
     * Sign the chain head.
     *
     * @param covered the index whose chain value is signed.
     * @param hash    {@code h(covered)}.
     * @param timeNs  the kernel clock now.
     * @return the checkpoint to journal.
     */
    public Checkpoint sign(final long covered, final byte[] hash, final long timeNs)
    {
        final java.util.function.Consumer<Thread> hook = signHook;
        if (hook != null)
        {
            hook.accept(Thread.currentThread());
        }
        try
        {
            signature.update(Checkpoint.signedBytes(covered, hash, timeNs, keyId));
            return new Checkpoint(covered, hash, timeNs, keyId, signature.sign());
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("cannot sign a checkpoint: " + ex.getMessage(), ex);
        }
    }

    /** @return the public key (what {@code replay-tool pubkey} exports). */
    public PublicKey publicKey()
    {
        return publicKey;
    }

    /** @return the key id. */
    public long keyId()
    {
        return keyId;
    }
}
