package ember.kernel.core;

import ember.journal.PayloadCodec;
import ember.kernel.state.Event;
import ember.kernel.state.JournalReplay;
import ember.kernel.state.KernelState;
import ember.kernel.testing.DiskFillLoad;
import ember.kernel.testing.JavaProcess;
import ember.kernel.testing.Tmpfs;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nothing acknowledged is lost to a full disk, whatever the moment it fills: a kernel in a
 * separate JVM ({@link DiskFillLoad}) journals onto a 64 MiB tmpfs while another process, as
 * another OS account ({@code dd} under {@code setpriv} as nobody), fills that tmpfs at random
 * moments (fixed seed, printed) and the test frees it again. Every syscall the load saw
 * acknowledged must be in the journal afterwards, intact; the kernel must either go on serving
 * once space is back or have stopped cleanly (the directory reopens). Needs root (mount, setpriv).
 */
class DiskFillRaceTest
{
    private static final long SEED = 20261201L;
    private static final int ROUNDS = 3;
    private static final int FILLS_PER_ROUND = 3;

    @Test
    void acknowledgedSyscallsSurviveADiskFilledAtRandomMoments() throws Exception
    {
        final Path probe = Tmpfs.mount("ember-tmpfs-probe", "size=1m");
        if (probe != null)
        {
            Tmpfs.unmount(probe);
        }
        Assumptions.assumeTrue(probe != null, "DiskFillRaceTest skipped: cannot mount a tmpfs here (needs root)");

        final Random random = new Random(SEED);
        System.out.println("disk fill race: seed " + SEED);
        long acknowledged = 0;
        long found = 0;
        long refusals = 0;
        int stopped = 0;
        for (int round = 1; round <= ROUNDS; round++)
        {
            final Path mount = Tmpfs.mount("ember-fill", "size=64m,mode=1777");
            assertTrue(mount != null, "cannot mount the round's tmpfs");
            try
            {
                final Path dir = mount.resolve("kernel");
                final Process load = JavaProcess.start(DiskFillLoad.class, dir.toString());
                final AtomicLong acked = new AtomicLong();
                final AtomicLong full = new AtomicLong();
                final StringBuilder stop = new StringBuilder();
                final java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);
                final Thread reader = new Thread(() -> read(load, ready, acked, full, stop), "load-output");
                reader.start();
                assertTrue(ready.await(60, TimeUnit.SECONDS), "round " + round + ": the load did not start");
                for (int fill = 0; fill < FILLS_PER_ROUND && load.isAlive(); fill++)
                {
                    Thread.sleep(100 + random.nextInt(600));
                    fillAsAnotherAccount(mount, fill);
                    Thread.sleep(random.nextInt(400)); // full: the kernel must refuse, not acknowledge
                    freeSpace(mount);
                }
                final long beforeResume = acked.get();
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (load.isAlive() && acked.get() < beforeResume + 1000 && System.nanoTime() < deadline)
                {
                    Thread.sleep(20);
                }
                final boolean serving = load.isAlive() && acked.get() >= beforeResume + 1000;
                load.destroyForcibly(); // a crash: the kernel's mapped pages stay in the tmpfs
                assertTrue(load.waitFor(30, TimeUnit.SECONDS));
                reader.join(10_000);
                if (!serving)
                {
                    assertTrue(stop.length() > 0, "round " + round + ": the kernel neither serves again nor stopped " +
                        "cleanly (acked " + acked.get() + ")");
                    stopped++;
                }

                try (Kernel reopened = Kernel.open(KernelConfig.of(dir).withBlockSize(1 << 20).withSnapshots(0, 0, false)))
                {
                    assertTrue(reopened.recoveredRecords() > 0, "round " + round + ": reopens and recovers");
                }
                final Set<Long> present = seqs(JournalReplay.replay(dir, Long.MAX_VALUE));
                long roundFound = 0;
                for (long n = 1; n <= acked.get(); n++)
                {
                    roundFound += present.contains(n) ? 1 : 0;
                }
                System.out.printf("disk fill race: round %d acknowledged=%d found=%d refusals=%d %s%n", round,
                    acked.get(), roundFound, full.get(), serving ? "served again" : "stopped: " + stop);
                acknowledged += acked.get();
                found += roundFound;
                refusals += full.get();
                assertEquals(acked.get(), roundFound, "round " + round + ": acknowledged syscalls missing from the journal");
            }
            finally
            {
                Tmpfs.unmount(mount);
            }
        }
        System.out.printf("disk fill race: seed=%d rounds=%d acknowledged=%d found=%d lost=%d refusals=%d stopped=%d%n",
            SEED, ROUNDS, acknowledged, found, acknowledged - found, refusals, stopped);
        assertTrue(refusals > 0, "the disk never filled under the load: the test tested nothing");
    }

    private static void read(
        final Process load, final java.util.concurrent.CountDownLatch ready, final AtomicLong acked, final AtomicLong full,
        final StringBuilder stop)
    {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(load.getInputStream(), StandardCharsets.UTF_8)))
        {
            for (String line = out.readLine(); line != null; line = out.readLine())
            {
                if (line.equals("READY"))
                {
                    ready.countDown();
                }
                else if (line.startsWith("ACK "))
                {
                    acked.set(Long.parseLong(line.substring(4)));
                }
                else if (line.equals("FULL"))
                {
                    full.incrementAndGet();
                }
                else if (line.startsWith("STOPPED "))
                {
                    synchronized (stop)
                    {
                        stop.append(line.substring(8));
                    }
                }
            }
        }
        catch (final java.io.IOException ignored)
        {
            // the load was killed
        }
    }

    /** {@code dd} as nobody until the tmpfs is full (dd then fails with ENOSPC: expected). */
    private static void fillAsAnotherAccount(final Path mount, final int fill) throws Exception
    {
        Tmpfs.run("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
            "dd", "if=/dev/zero", "of=" + mount.resolve("fill-" + fill), "bs=64k");
    }

    private static void freeSpace(final Path mount) throws Exception
    {
        try (DirectoryStream<Path> fills = Files.newDirectoryStream(mount, "fill-*"))
        {
            for (final Path file : fills)
            {
                Files.delete(file);
            }
        }
    }

    private static Set<Long> seqs(final KernelState state)
    {
        final PayloadCodec codec = new PayloadCodec();
        final Set<Long> seqs = new HashSet<>();
        for (final Event event : state.process(1).queue())
        {
            if (event.name().equals("seq"))
            {
                seqs.add((Long)event.params(codec).get("n"));
            }
        }
        return seqs;
    }
}
