package ember.kernel.core;

import ember.kernel.testing.EmberProcess;
import ember.kernel.testing.OsAccount;
import ember.kernel.testing.TempDirs;
import ember.kernel.transport.IpcLayout;
import ember.kernel.transport.IpcServer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kernel directories prepared in advance by another OS account (a real one, made with useradd; the
 * preparing done with setpriv as that account where it matters): the kernel refuses them with one
 * line naming the entry, and touches nothing it would have followed. Needs root; skipped otherwise.
 */
class KernelDirectoryTest
{
    private static KernelConfig config(final Path dir)
    {
        return KernelConfig.of(dir).withBlockSize(1 << 20);
    }

    private static String mode(final Path path) throws Exception
    {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aFreshDirectoryGetsTheDocumentedModes() throws Exception
    {
        final Path parent = TempDirs.create("ember-modes");
        final Path dir = parent.resolve("kernel");
        try (Kernel kernel = Kernel.open(config(dir), k -> new IpcServer(k, dir)))
        {
            assertEquals("rwx--x--x", mode(dir));
            assertEquals("rwx------", mode(dir.resolve("journal")));
            assertEquals("rwx------", mode(dir.resolve("snapshots")));
            assertEquals("rw-------", mode(dir.resolve(Kernel.LOCK_FILE)));
            assertEquals("rw-------", mode(dir.resolve(KernelLog.FILE)));
            assertEquals("rwx--x--x", mode(IpcLayout.ipcDir(dir)));
            assertEquals("rwx------", mode(IpcLayout.channelsDir(dir)));
            assertEquals("rw-rw-rw-", mode(IpcLayout.socketFile(dir)));
            assertEquals("rw-r--r--", mode(IpcLayout.serviceFile(dir)));
        }
        finally
        {
            TempDirs.delete(parent);
        }
    }

    @Test
    void directoriesPreparedByAnotherAccountAreRefused() throws Exception
    {
        try (OsAccount attacker = OsAccount.create("ember-p"))
        {
            final Path shared = TempDirs.create("ember-shared");
            try
            {
                OsAccount.run("chmod", "1777", shared.toString()); // like /tmp
                // 1. The whole kernel directory, made by the attacker (open to all, as a trap would be).
                final Path trap = shared.resolve("kernel");
                assertEquals(0, attacker.sh("mkdir " + trap + " && chmod 777 " + trap + " && mkdir " + trap + "/journal").exit());
                final KernelOpenException owned = assertThrows(KernelOpenException.class, () -> Kernel.open(config(trap)));
                assertTrue(owned.getMessage().contains("is owned by another account"), owned.getMessage());
                assertFalse(Files.exists(trap.resolve(Kernel.LOCK_FILE)), "nothing written into it");

                // 2. A link in the shared folder, planted by the attacker, to a directory of ours.
                final Path ours = Files.createDirectory(shared.resolve("ours"));
                final Path link = shared.resolve("link");
                assertEquals(0, attacker.sh("ln -s " + ours + " " + link).exit());
                final KernelOpenException planted = assertThrows(KernelOpenException.class, () -> Kernel.open(config(link)));
                assertTrue(planted.getMessage().contains("symbolic link owned by another account"), planted.getMessage());

                // 3. Subdirectories of ours that belong to the attacker.
                for (final String sub : new String[] {"journal", "snapshots", "ipc"})
                {
                    final Path dir = Files.createDirectory(shared.resolve("k-" + sub));
                    final Path inner = Files.createDirectory(dir.resolve(sub));
                    OsAccount.run("chown", attacker.name, inner.toString());
                    final KernelOpenException refused = assertThrows(KernelOpenException.class, () -> Kernel.open(config(dir)));
                    assertTrue(refused.getMessage().contains(inner.toString()) &&
                        refused.getMessage().contains("owned by another account"), refused.getMessage());
                }
            }
            finally
            {
                TempDirs.delete(shared);
            }
        }
    }

    @Test
    void linksAndOpenModesUnderTheDirectoryAreRefusedWithoutFollowingThem() throws Exception
    {
        final Path base = TempDirs.create("ember-links");
        try
        {
            final Path victimFile = Files.writeString(base.resolve("victim.txt"), "precious\n");
            Files.setPosixFilePermissions(victimFile, PosixFilePermissions.fromString("rw-r--r--"));
            final Path victimDir = Files.createDirectory(base.resolve("victim-dir"));
            Files.writeString(victimDir.resolve("keep"), "keep");
            Files.setPosixFilePermissions(victimDir, PosixFilePermissions.fromString("rwxr-xr-x"));

            for (final String entry : new String[] {KernelLog.FILE, Kernel.LOCK_FILE})
            {
                final Path dir = Files.createDirectory(base.resolve("k-" + entry));
                Files.createSymbolicLink(dir.resolve(entry), victimFile);
                final KernelOpenException refused = assertThrows(KernelOpenException.class, () -> Kernel.open(config(dir)));
                assertTrue(refused.getMessage().contains("symbolic link"), refused.getMessage());
            }
            final Path ipcLink = Files.createDirectory(base.resolve("k-ipc"));
            Files.createSymbolicLink(ipcLink.resolve("ipc"), victimDir);
            final KernelOpenException ipc = assertThrows(KernelOpenException.class,
                () -> Kernel.open(config(ipcLink), k -> new IpcServer(k, ipcLink)));
            assertTrue(ipc.getMessage().contains("symbolic link"), ipc.getMessage());

            final Path journalLink = Files.createDirectory(base.resolve("k-journal"));
            Files.createSymbolicLink(journalLink.resolve("journal"), victimDir);
            assertThrows(KernelOpenException.class, () -> Kernel.open(config(journalLink)));

            final Path open = Files.createDirectory(base.resolve("k-open"));
            Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
            final KernelOpenException writable = assertThrows(KernelOpenException.class, () -> Kernel.open(config(open)));
            assertTrue(writable.getMessage().contains("writable by group or others") &&
                writable.getMessage().contains("chmod go-w"), writable.getMessage());

            assertEquals("precious\n", Files.readString(victimFile), "the linked file is untouched");
            assertEquals("rw-r--r--", mode(victimFile));
            assertEquals("rwxr-xr-x", mode(victimDir), "the linked directory keeps its mode");
            assertTrue(Files.exists(victimDir.resolve("keep")), "and its files");
        }
        finally
        {
            TempDirs.delete(base);
        }
    }

    @Test
    void serveAndShellSayWhyInOneLine() throws Exception
    {
        final Path base = TempDirs.create("ember-oneline");
        try
        {
            final Path open = Files.createDirectory(base.resolve("open"));
            Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
            for (final String command : new String[] {"serve", "shell"})
            {
                final Process process = EmberProcess.ember(command, "--dir", open.toString()).start();
                process.getOutputStream().close();
                final String err = new String(process.getErrorStream().readAllBytes()).trim();
                assertTrue(process.waitFor(60, TimeUnit.SECONDS));
                assertEquals(1, process.exitValue(), err);
                assertEquals(1, err.lines().count(), "one line, no stack trace: " + err);
                assertTrue(err.startsWith("ember " + command + ": refusing to use " + open), err);
            }
        }
        finally
        {
            TempDirs.delete(base);
        }
    }
}
