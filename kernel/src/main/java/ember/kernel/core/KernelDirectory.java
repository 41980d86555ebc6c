package ember.kernel.core;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The trust rules of a kernel directory, checked before the kernel touches anything in it (as
 * ssh's {@code StrictModes} checks a home directory).
 * <p>
 * Another OS account may have prepared the directory, or any entry in it, before the kernel runs:
 * a directory it owns, a symlink to a file of the kernel's account, a world-writable folder. So
 * the kernel directory and every subdirectory and file the kernel uses must be owned by the
 * kernel's own account and not writable by group or others, and none of them may be a symbolic
 * link; otherwise {@link #secure} refuses with a {@link KernelOpenException} naming the entry and
 * the fix. Once the directory itself is trusted, no other account can add, rename or replace its
 * entries, so the checks of its entries cannot be raced.
 * <p>
 * Layout and modes (others may only traverse the kernel directory, to reach {@code ipc/}):
 * <pre>
 *   DIR            0711      journal/ snapshots/ 0700   ember.lock kernel.log 0600
 *   DIR/ipc        0711      (the service's socket and beacon: see the transport package)
 * </pre>
 * A kernel directory given as a symbolic link is accepted only when the link belongs to the
 * kernel's account or to root (an operator's link, not one planted in a shared folder).
 * Not thread-safe: called by the thread opening the kernel.
 */
public final class KernelDirectory
{
    public static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");
    public static final Set<PosixFilePermission> TRAVERSE_DIR = PosixFilePermissions.fromString("rwx--x--x");
    public static final Set<PosixFilePermission> PRIVATE_FILE = PosixFilePermissions.fromString("rw-------");

    private static final int OWN_UID = readOwnUid();

    private KernelDirectory()
    {
    }

    /** @return the uid of the account this JVM runs as (-1 when it cannot be told). */
    public static int ownUid()
    {
        return OWN_UID;
    }

    private static int readOwnUid()
    {
        try
        {
            // /proc/self links to /proc/PID, which belongs to the process's effective uid (the link itself to root).
            return (Integer)Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        }
        catch (final IOException | UnsupportedOperationException | IllegalArgumentException ex)
        {
            return -1;
        }
    }

    /**
     * Create the kernel directory when it does not exist (mode 0711), or check it when it does, then
     * create or check {@code journal/} and {@code snapshots/} (0700) and the files {@code ember.lock}
     * and {@code kernel.log} (0600).
     *
     * @param dir the kernel directory.
     * @throws KernelOpenException when an entry breaks the rules above, or cannot be created.
     */
    public static void secure(final Path dir)
    {
        try
        {
            final Path parent = dir.toAbsolutePath().getParent();
            if (parent != null && !Files.exists(parent))
            {
                Files.createDirectories(parent);
            }
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS))
            {
                try
                {
                    Files.createDirectory(dir);
                    Files.setPosixFilePermissions(dir, TRAVERSE_DIR); // the umask may have taken bits away
                }
                catch (final FileAlreadyExistsException raced)
                {
                    // someone made it meanwhile: checked below like any existing directory
                }
            }
            if (Files.isSymbolicLink(dir))
            {
                final int linkOwner = uidOf(dir);
                if (linkOwner != OWN_UID && linkOwner != 0)
                {
                    throw refuse(dir, "is a symbolic link owned by another account (uid " + linkOwner + ")",
                        "remove it, or give the real directory's path");
                }
                checkDirectory(dir.toRealPath(), "kernel directory");
            }
            else
            {
                checkDirectory(dir, "kernel directory");
            }
            ensurePrivateDirectory(dir.resolve(ember.journal.Journal.QUEUE_DIR));
            ensurePrivateDirectory(dir.resolve(SnapshotStore.DIR));
            checkEntries(dir.resolve(ember.journal.Journal.QUEUE_DIR));
            checkEntries(dir.resolve(SnapshotStore.DIR));
            final Path ipc = dir.resolve("ipc");
            if (Files.exists(ipc, LinkOption.NOFOLLOW_LINKS))
            {
                checkDirectory(ipc, "directory"); // the service's; checked here so that serve refuses before starting
            }
            checkPrivateFileIfPresent(dir.resolve(Kernel.LOCK_FILE));
            checkPrivateFileIfPresent(dir.resolve(KernelLog.FILE));
        }
        catch (final IOException ex)
        {
            throw new KernelOpenException("cannot open kernel directory " + dir + ": " + describe(ex));
        }
        catch (final UnsupportedOperationException ex)
        {
            throw new KernelOpenException("cannot open kernel directory " + dir + ": its file system has no POSIX owners " +
                "and modes, which Ember needs to keep other accounts out");
        }
    }

    /**
     * Make (or check) a directory that only the kernel's account may use: mode 0700, owned by it,
     * not a link.
     *
     * @throws KernelOpenException when it exists and belongs to another account or is a link.
     */
    public static void ensurePrivateDirectory(final Path path) throws IOException
    {
        ensureDirectory(path, PRIVATE_DIR);
    }

    /**
     * Make (or check) a directory of the kernel's account with the given mode.
     *
     * @throws KernelOpenException when it exists and belongs to another account, is writable by
     *     others, or is a link.
     */
    public static void ensureDirectory(final Path path, final Set<PosixFilePermission> mode) throws IOException
    {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS))
        {
            try
            {
                Files.createDirectory(path);
            }
            catch (final FileAlreadyExistsException raced)
            {
                // checked below
            }
        }
        checkDirectory(path, "directory");
        if (!Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS).equals(mode))
        {
            // Ours: tighten a folder an older Ember made looser. Only when needed: a folder that is
            // right already may sit on a read-only mount.
            Files.setPosixFilePermissions(path, mode);
        }
    }

    /**
     * Open (creating if needed) a file only the kernel's account may use, without following a link,
     * and check it is a regular file of the kernel's account; its mode is set to 0600.
     *
     * @param extra further open options (WRITE, APPEND, READ …).
     */
    public static FileChannel openPrivateFile(final Path path, final OpenOption... extra) throws IOException
    {
        final Set<OpenOption> options = new java.util.HashSet<>(Set.of(StandardOpenOption.CREATE, LinkOption.NOFOLLOW_LINKS));
        options.addAll(java.util.Arrays.asList(extra));
        final FileChannel channel;
        try
        {
            channel = FileChannel.open(path, options, PosixFilePermissions.asFileAttribute(PRIVATE_FILE));
        }
        catch (final IOException ex)
        {
            if (Files.isSymbolicLink(path))
            {
                throw refuse(path, "is a symbolic link", "remove it");
            }
            throw ex;
        }
        try
        {
            checkPrivateFileIfPresent(path);
        }
        catch (final RuntimeException | IOException ex)
        {
            channel.close();
            throw ex;
        }
        return channel;
    }

    private static void checkDirectory(final Path path, final String what) throws IOException
    {
        if (Files.isSymbolicLink(path))
        {
            throw refuse(path, "is a symbolic link", "remove it");
        }
        if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS))
        {
            throw refuse(path, "is not a directory", "move it away or choose another --dir");
        }
        final int owner = uidOf(path);
        if (owner != OWN_UID)
        {
            throw refuse(path, "is owned by another account (uid " + owner + ", Ember runs as uid " + OWN_UID + ")",
                "use a " + what + " of this account");
        }
        final Set<PosixFilePermission> mode = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
        if (mode.contains(PosixFilePermission.GROUP_WRITE) || mode.contains(PosixFilePermission.OTHERS_WRITE))
        {
            throw refuse(path, "is writable by group or others (" + PosixFilePermissions.toString(mode) + ")",
                "run chmod go-w " + path);
        }
    }

    /** Every entry of a private directory must be a regular file or directory of the kernel's account. */
    private static void checkEntries(final Path dir) throws IOException
    {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir))
        {
            for (final Path entry : entries)
            {
                if (Files.isSymbolicLink(entry))
                {
                    throw refuse(entry, "is a symbolic link", "remove it");
                }
                final int owner = uidOf(entry);
                if (owner != OWN_UID)
                {
                    throw refuse(entry, "is owned by another account (uid " + owner + ")", "remove it");
                }
            }
        }
    }

    private static void checkPrivateFileIfPresent(final Path path) throws IOException
    {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS))
        {
            return;
        }
        if (Files.isSymbolicLink(path))
        {
            throw refuse(path, "is a symbolic link", "remove it");
        }
        if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS))
        {
            throw refuse(path, "is not a regular file", "remove it");
        }
        final int owner = uidOf(path);
        if (owner != OWN_UID)
        {
            throw refuse(path, "is owned by another account (uid " + owner + ")", "remove it");
        }
        if (!Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS).equals(PRIVATE_FILE))
        {
            Files.setPosixFilePermissions(path, PRIVATE_FILE);
        }
    }

    /** @return the owner uid of {@code path} itself (a link's own owner for a link). */
    public static int uidOf(final Path path) throws IOException
    {
        return (Integer)Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    private static KernelOpenException refuse(final Path path, final String problem, final String fix)
    {
        return new KernelOpenException("refusing to use " + path + ": it " + problem + " (" + fix + ")");
    }

    /** @return a one-line reason for a file system error. */
    public static String describe(final IOException ex)
    {
        if (ex instanceof java.nio.file.AccessDeniedException)
        {
            return "permission denied (" + ex.getMessage() + ")";
        }
        if (ex instanceof NoSuchFileException)
        {
            return "no such file or directory (" + ex.getMessage() + ")";
        }
        if (ex instanceof java.nio.file.FileSystemException fs && fs.getReason() != null)
        {
            return fs.getReason() + " (" + fs.getFile() + ")";
        }
        return ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
    }
}
