package ember.cluster;

import io.aeron.cluster.service.Cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * The operator's view of a running member, for {@code ember status}: the file
 * {@code DIR/cluster/member.status}, one line {@code member=N role=R clients=K pid=P}, replaced
 * atomically (written aside, then renamed) whenever the role or the attached clients change, and
 * deleted when the member stops. Readers never touch the member: they read the file, and the
 * journal for records and digest. Written on the service thread; read by any process.
 */
public final class MemberStatus
{
    static final String FILE = "member.status";

    private final Path file;
    private final int member;

    MemberStatus(final Path clusterDir, final int member)
    {
        this.file = clusterDir.resolve(FILE);
        this.member = member;
    }

    /** @return {@code DIR/cluster}, where a member keeps Aeron's cluster and archive directories and this file. */
    public static Path clusterDir(final Path dir)
    {
        return dir.resolve("cluster");
    }

    /** @return the member id this status is about. */
    int member()
    {
        return member;
    }

    void update(final Cluster.Role role, final int clients, final long records)
    {
        final String line = "member=" + member + " role=" + role.name().toLowerCase(Locale.ROOT) +
            " clients=" + clients + " pid=" + ProcessHandle.current().pid() + "\n";
        try
        {
            final Path aside = file.resolveSibling(FILE + ".tmp");
            Files.writeString(aside, line, StandardCharsets.UTF_8);
            Files.move(aside, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            System.err.println("ember member " + member + ": cannot write " + file + ": " + ex.getMessage());
        }
    }

    void stopped()
    {
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ignored)
        {
            // status then shows a stale file whose pid is gone: read as stopped
        }
    }

    /**
     * @param dir a member's kernel directory.
     * @return the status line's pairs without {@code pid=}, when a live member wrote it; null otherwise.
     */
    public static String readLive(final Path dir)
    {
        try
        {
            final String line = Files.readString(clusterDir(dir).resolve(FILE), StandardCharsets.UTF_8).strip();
            final int at = line.indexOf(" pid=");
            final long pid = Long.parseLong(line.substring(at + 5).trim());
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) ? line : null;
        }
        catch (final IOException | RuntimeException ex)
        {
            return null;
        }
    }
}
