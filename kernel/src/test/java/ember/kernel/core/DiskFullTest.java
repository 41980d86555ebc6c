package ember.kernel.core;

import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.EmberException;
import ember.kernel.client.Syscalls;
import ember.kernel.state.JournalReplay;
import ember.kernel.testing.Tmpfs;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A full disk: on a small tmpfs made for the test, the kernel refuses syscalls with a clear
 * error instead of acknowledging work it cannot journal, and serves again once space is back.
 * Needs root (mount); skipped otherwise.
 */
class DiskFullTest
{
    @Test
    void aFullDiskIsRefusedNotLiedAbout() throws Exception
    {
        final Path mount = Tmpfs.mount("ember-tmpfs", "size=12m");
        Assumptions.assumeTrue(mount != null, "cannot mount a tmpfs here (not root?)");
        try
        {
            final Path dir = mount.resolve("kernel");
            final Path filler = mount.resolve("filler");
            try (Kernel kernel = Kernel.open(KernelConfig.of(dir).withBlockSize(1 << 20).withSnapshots(0, 0, false));
                EmbeddedClient client = new EmbeddedClient(kernel))
            {
                final Syscalls init = client.as(1);
                init.queueEvent("before", Map.of("n", 1L));

                final long free = Files.getFileStore(mount).getUsableSpace();
                try (RandomAccessFile file = new RandomAccessFile(filler.toFile(), "rw"))
                {
                    final byte[] chunk = new byte[1 << 20];
                    for (long left = free - (1 << 20); left > 0; left -= chunk.length)
                    {
                        file.write(chunk, 0, (int)Math.min(chunk.length, left));
                    }
                }
                Thread.sleep(300); // the core checks free space every 100 ms
                final EmberException refused = assertThrows(EmberException.class,
                    () -> init.queueEvent("during", Map.of("n", 2L)));
                assertTrue(refused.getMessage().startsWith("journal write failed: disk full"), refused.getMessage());

                Files.delete(filler);
                Thread.sleep(300);
                init.queueEvent("after", Map.of("n", 3L));
                assertEquals("before", init.pullEvent(0).name());
                assertEquals("after", init.pullEvent(0).name(), "the refused event was never queued");
            }
            assertTrue(Files.readString(dir.resolve(KernelLog.FILE)).contains("refusing syscalls: journal write failed: disk full"));
            assertEquals(0, JournalReplay.replay(dir, Long.MAX_VALUE).process(1).queued());
        }
        finally
        {
            Tmpfs.unmount(mount);
        }
    }
}
