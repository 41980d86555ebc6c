package ember.cluster;

import ember.kernel.core.KernelDirectory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The operator's access to a running member for admin requests ({@code ember snapshot --dir DIR} on
 * any member, leader or not): the member writes {@code DIR/cluster/admin.cred} (mode 0600, DIR's
 * account only), two lines: the cluster's {@code MEMBERS} and {@code #admin TOKEN}. The token is a
 * SHA-256 of the users file's entries, so every member (same users file) accepts the token any
 * member wrote, and it reveals no secret. {@code #admin} cannot be a kernel user (a users-file line
 * starting with {@code #} is a comment).
 * <p>
 * What the admin principal may do: Aeron admin requests (a snapshot), nothing else. The service
 * neither journals its session nor applies its messages; the consensus module's authorisation
 * ({@link #isAdmin}) allows admin requests from it only.
 */
final class AdminAccess
{
    /** The user name an admin client connects as. */
    static final String USER = "#admin";
    static final String FILE = "admin.cred";
    private static final byte[] PRINCIPAL = USER.getBytes(StandardCharsets.UTF_8);

    /** What {@code admin.cred} holds. */
    record Access(ClusterMembers members, Credentials.Entry credentials)
    {
    }

    private AdminAccess()
    {
    }

    /** @return the admin token for this users file: equal on every member given the same file. */
    static String token(final Map<String, String> users)
    {
        try
        {
            final MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update("ember cluster admin token v1\n".getBytes(StandardCharsets.UTF_8));
            for (final Map.Entry<String, String> user : new TreeMap<>(users).entrySet())
            {
                sha.update((user.getKey() + "\0" + user.getValue() + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest());
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("no SHA-256 in this JVM", ex); // every Java SE has it
        }
    }

    /** @return true when {@code principal} is the admin's (the authorisation of admin requests). */
    static boolean isAdmin(final byte[] principal)
    {
        return Arrays.equals(PRINCIPAL, principal);
    }

    /** Write {@code DIR/cluster/admin.cred} (0600, replaced). */
    static void write(final Path clusterDir, final ClusterMembers members, final String token) throws IOException
    {
        final Path file = clusterDir.resolve(FILE);
        try (FileChannel channel = KernelDirectory.openPrivateFile(file, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING))
        {
            final ByteBuffer text = ByteBuffer.wrap((members.text() + "\n" + USER + " " + token + "\n")
                .getBytes(StandardCharsets.UTF_8));
            while (text.hasRemaining())
            {
                channel.write(text);
            }
        }
    }

    /** @throws IllegalArgumentException with a one-line reason when DIR has no readable admin access. */
    static Access read(final Path dir)
    {
        final Path file = MemberStatus.clusterDir(dir).resolve(FILE);
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("cannot read " + file + " (has this member run, and is it yours?): " +
                ex.getMessage());
        }
        final String[] words = lines.size() == 2 ? lines.get(1).split(" ") : new String[0];
        if (words.length != 2 || !USER.equals(words[0]))
        {
            throw new IllegalArgumentException(file + " is not what a member writes (MEMBERS, then " + USER + " TOKEN)");
        }
        return new Access(ClusterMembers.parse(lines.get(0)), new Credentials.Entry(USER, words[1]));
    }
}
