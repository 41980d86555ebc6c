package ember.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code USER SECRET} files of SPEC §8: the members' users file (one line per kernel user) and
 * a client's credentials file (one line). What a client sends in its connect request is the same
 * line, {@code USER SECRET}, UTF-8 ({@link #encode}); the principal a member authenticates is the
 * user name alone, so no secret reaches the log, a journal or a process argument list.
 * <p>
 * Errors are {@link IllegalArgumentException}s with a one-line reason naming the file.
 */
public final class Credentials
{
    private Credentials()
    {
    }

    /** One user and secret. */
    public record Entry(String user, String secret)
    {
        @Override
        public String toString()
        {
            return "Entry[user=" + user + "]"; // never the secret
        }
    }

    /** @return the users file as user → secret; refused when group or others may read it. */
    public static Map<String, String> loadUsers(final Path file)
    {
        refuseIfShared(file);
        final Map<String, String> users = new HashMap<>();
        for (final Entry entry : read(file, "users file"))
        {
            users.put(entry.user(), entry.secret());
        }
        if (users.isEmpty())
        {
            throw new IllegalArgumentException("users file " + file + " holds no USER SECRET line");
        }
        return users;
    }

    /** @return the one {@code USER SECRET} line of a client's credentials file. */
    public static Entry loadClient(final Path file)
    {
        final List<Entry> entries = read(file, "credentials file");
        if (entries.size() != 1)
        {
            throw new IllegalArgumentException("credentials file " + file + " must hold exactly one line USER SECRET");
        }
        return entries.get(0);
    }

    /** @return the bytes a client sends in its connect request. */
    public static byte[] encode(final Entry entry)
    {
        return (entry.user() + " " + entry.secret()).getBytes(StandardCharsets.UTF_8);
    }

    /** @return the entry in connect-request bytes, or null when they are not {@code USER SECRET}. */
    public static Entry decode(final byte[] bytes)
    {
        if (bytes == null || bytes.length == 0 || bytes.length > 4096)
        {
            return null;
        }
        return parse(new String(bytes, StandardCharsets.UTF_8));
    }

    /** @return true when {@code entry} names a user of {@code users} with that secret (constant-time compare). */
    public static boolean matches(final Map<String, String> users, final Entry entry)
    {
        final String secret = entry == null ? null : users.get(entry.user());
        return secret != null && MessageDigest.isEqual(
            secret.getBytes(StandardCharsets.UTF_8), entry.secret().getBytes(StandardCharsets.UTF_8));
    }

    private static Entry parse(final String line)
    {
        final String trimmed = line.strip();
        final String[] words = trimmed.split("\\s+");
        if (words.length != 2 || words[0].isEmpty())
        {
            return null;
        }
        return new Entry(words[0], words[1]);
    }

    private static List<Entry> read(final Path file, final String what)
    {
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("cannot read " + what + " " + file + ": " + ex.getMessage());
        }
        final List<Entry> entries = new java.util.ArrayList<>();
        int number = 0;
        for (final String line : lines)
        {
            number++;
            if (line.isBlank() || line.startsWith("#"))
            {
                continue;
            }
            final Entry entry = parse(line);
            if (entry == null)
            {
                throw new IllegalArgumentException(what + " " + file + " line " + number + ": expected USER SECRET");
            }
            entries.add(entry);
        }
        return entries;
    }

    private static void refuseIfShared(final Path file)
    {
        final Set<PosixFilePermission> permissions;
        try
        {
            permissions = Files.getPosixFilePermissions(file);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("cannot read users file " + file + ": " + ex.getMessage());
        }
        catch (final UnsupportedOperationException ex)
        {
            return; // no POSIX permissions on this file system: nothing to check
        }
        if (permissions.contains(PosixFilePermission.GROUP_READ) || permissions.contains(PosixFilePermission.OTHERS_READ))
        {
            throw new IllegalArgumentException("users file " + file + " is readable by group or others: chmod 600 it");
        }
    }
}
