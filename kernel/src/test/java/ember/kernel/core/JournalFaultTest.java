package ember.kernel.core;

import ember.journal.Journal;
import ember.journal.JournalReader;
import ember.journal.SyscallRecord;
import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.Syscalls;
import ember.kernel.state.JournalReplay;
import ember.kernel.state.KernelState;
import ember.kernel.testing.JavaProcess;
import ember.kernel.testing.TempDirs;
import ember.kernel.testing.TornWrite;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Journal faults: a torn last record is ignored; damage in the middle is named, and cut only on request. */
class JournalFaultTest
{
    private final Path dir = TempDirs.create("ember-faults");

    @AfterEach
    void cleanup()
    {
        TempDirs.delete(dir);
    }

    private KernelConfig config()
    {
        return KernelConfig.of(dir).withBlockSize(1 << 20).withSnapshots(0, 0, false);
    }

    private long write(final int events)
    {
        try (Kernel kernel = Kernel.open(config()); EmbeddedClient client = new EmbeddedClient(kernel))
        {
            final Syscalls init = client.as(1);
            for (int i = 1; i <= events; i++)
            {
                init.queueEvent("e", Map.of("n", (long)i, "pad", "xxxxxxxxxxxxxxxxxxxxxxxx"));
            }
            final String digest = kernel.digest();
            return Long.parseLong(digest.substring(0, digest.indexOf(':')));
        }
    }

    @Test
    void aTornLastRecordIsIgnored() throws Exception
    {
        write(20);
        final KernelState before = JournalReplay.replay(dir, Long.MAX_VALUE);
        final Process torn = JavaProcess.start(TornWrite.class, dir.toString());
        assertTrue(torn.waitFor(60, TimeUnit.SECONDS));
        assertEquals("TORN", new String(torn.getInputStream().readAllBytes()).trim());

        assertEquals(before.digest(), JournalReplay.replay(dir, Long.MAX_VALUE).digest(), "readers skip the torn record");
        try (Kernel kernel = Kernel.open(config()); EmbeddedClient client = new EmbeddedClient(kernel))
        {
            assertEquals(20, client.as(1).getpinfo(1).queued());
            client.as(1).queueEvent("after", Map.of());
        }
        final KernelState after = JournalReplay.replay(dir, Long.MAX_VALUE);
        assertEquals(21, after.process(1).queued(), "appending goes on after the torn record");
    }

    @Test
    void damageInTheMiddleIsNamedAndCutOnlyWhenTheOperatorAsks() throws Exception
    {
        final long last = write(100);
        long target = -1;
        String file = null;
        try (JournalReader reader = new JournalReader(dir, true))
        {
            final SyscallRecord record = new SyscallRecord();
            while (reader.next(record))
            {
                if (record.index == 50)
                {
                    target = reader.offset();
                    file = reader.position();
                }
            }
        }
        assertTrue(target > 0);
        final Path queueFile;
        try (var files = Files.list(Journal.queueDir(dir)))
        {
            queueFile = files.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        try (RandomAccessFile raf = new RandomAccessFile(queueFile.toFile(), "rw"))
        {
            raf.seek(target + 30);
            final int b = raf.read();
            raf.seek(target + 30);
            raf.write(b ^ 0x5a);
        }

        final KernelOpenException refused = assertThrows(KernelOpenException.class, () -> Kernel.open(config()));
        final String message = refused.getMessage();
        assertTrue(message.contains("corrupt record after index 49"), message);
        assertTrue(message.contains(queueFile.getFileName().toString()), message);
        assertTrue(message.contains("offset " + target), message + " / " + file);
        assertTrue(message.contains("--cut-damaged-journal"), message);
        assertTrue(Files.readString(dir.resolve(KernelLog.FILE)).contains("recovery stopped"));

        try (Kernel kernel = Kernel.open(config().withCutDamagedJournal(true)); EmbeddedClient client = new EmbeddedClient(kernel))
        {
            final String digest = kernel.digest();
            assertEquals(digest.substring(0, digest.indexOf(':')), Long.toString(51), "records 1..49 kept, then kernelOpen and the attach");
            client.as(1).queueEvent("after-cut", Map.of());
        }
        final String log = Files.readString(dir.resolve(KernelLog.FILE));
        assertTrue(log.contains("journal cut after index 49 by operator request"), log);
        try (var files = Files.list(dir))
        {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().startsWith("journal.damaged-")), "evidence kept");
        }
        final KernelState state = JournalReplay.replay(dir, Long.MAX_VALUE);
        assertTrue(state.lastIndex() > 50 && state.lastIndex() < last);
    }
}
