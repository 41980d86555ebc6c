package ember.replay.debug;

import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.Syscalls;
import ember.kernel.core.Kernel;
import ember.kernel.core.SnapshotStore;
import ember.replay.engine.JournalDir;
import ember.replay.engine.Origin;
import ember.replay.testing.Damage;
import ember.replay.testing.Scenario;
import ember.replay.testing.TempDirs;
import ember.replay.testing.Tool;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code when} in segments from the journal's snapshots gives exactly what one sequential replay
 * ({@code when --threads 1}) gives, on random journals written by the real embedded kernel with
 * snapshots taken along the way (the kernel keeps {@value SnapshotStore#KEEP}; the journal is
 * written in several kernel sessions and every snapshot each left is put back, so there are many).
 */
class ParallelWhenTest
{
    private static final long SNAPSHOT_EVERY = 1_500;
    private static final long MIN_SEGMENT = 400;
    /** Each session's close writes a snapshot, whatever the periodic ones did under load: at least this many. */
    private static final int SESSIONS = 6;
    private static final int OPS_PER_SESSION = 1_000;

    @Test
    void parallelEqualsSequentialOnRandomJournals()
    {
        Assumptions.assumeTrue(Runtime.getRuntime().availableProcessors() >= 2,
            "skipped: one processor, so every search is the sequential one");
        for (final long seed : new long[] {11, 2024, 777_777})
        {
            final Journal journal = Journal.write(seed);
            try
            {
                final List<Long> snapshots = snapshotIndexes(journal.dir);
                assertTrue(snapshots.size() >= 4, "seed " + seed + ": snapshots " + snapshots);
                final List<String> exprs = new ArrayList<>(journal.expressions());
                for (final long s : snapshots)
                {
                    exprs.add("index >= " + s);
                    exprs.add("index >= " + (s + 1));
                    exprs.add("index == " + s);
                    exprs.add("index == " + (s + 1) + " || index == " + (s - 1));
                }
                int segments = 0;
                for (final String expr : exprs)
                {
                    segments = Math.max(segments, checkSame(journal.dir, expr, "seed " + seed));
                }
                assertTrue(segments >= 4, "seed " + seed + ": searched in " + segments + " segments, snapshots " + snapshots);
                final long s = snapshots.get(1);
                assertEquals(List.of(s), parallel(journal.dir, "index >= " + s, true).found, "seed " + seed);
                assertEquals(List.of(s + 1), parallel(journal.dir, "index >= " + (s + 1), true).found, "seed " + seed);
                assertEquals(List.of(0L), parallel(journal.dir, "exists(1)", true).found, "seed " + seed);
            }
            finally
            {
                journal.delete();
            }
        }
    }

    @Test
    void anInvalidSnapshotIsSkippedAndTheAnswerIsTheSequentialOne() throws IOException
    {
        Assumptions.assumeTrue(Runtime.getRuntime().availableProcessors() >= 2,
            "skipped: one processor, so every search is the sequential one");
        final Journal journal = Journal.write(5);
        try
        {
            // min segment 1: every snapshot before the journal's last record starts a segment
            final String toggles = journal.expressions().get(0);
            final int before = checkSame(journal.dir, toggles, "seed 5 intact", 1);
            final List<Path> files = snapshotFiles(journal.dir);
            assertTrue(files.size() >= 5, files::toString); // 1 and 3 are not the last: each starts a segment

            // a flipped byte in the image: SnapshotCodec's checksum refuses it
            final Path damaged = files.get(1);
            Damage.flip(damaged, (int)(Files.size(damaged) / 2), 0x5a);
            final int afterDamage = checkSame(journal.dir, toggles, "seed 5, damaged " + damaged.getFileName(), 1);
            assertEquals(before - 1, afterDamage, "the damaged snapshot's segment merged into the one before");

            // a sound image whose record is not where its header says: Origin's check refuses it
            final Path moved = files.get(3);
            final byte[] bytes = Files.readAllBytes(moved);
            final long elsewhere = ByteBuffer.wrap(Files.readAllBytes(files.get(2))).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, elsewhere);
            Files.write(moved, bytes);
            final int afterMove = checkSame(journal.dir, toggles, "seed 5, misplaced " + moved.getFileName(), 1);
            assertEquals(before - 2, afterMove, "the misplaced snapshot's segment merged too");
        }
        finally
        {
            journal.delete();
        }
    }

    /**
     * {@code when --all} and first-only, in parallel and as {@code --threads 1}: the same indexes,
     * and first-only is the first of all.
     *
     * @return the segments of the parallel search.
     */
    private static int checkSame(final Path dir, final String expr, final String what)
    {
        return checkSame(dir, expr, what, MIN_SEGMENT);
    }

    private static int checkSame(final Path dir, final String expr, final String what, final long minSegment)
    {
        final Tool.Run sequentialAll = Tool.run("when", "--dir", dir.toString(), "--threads", "1", "--all", expr);
        final Tool.Run sequentialFirst = Tool.run("when", "--dir", dir.toString(), "--threads", "1", expr);
        final Searched all = parallel(dir, expr, true, minSegment);
        final Searched first = parallel(dir, expr, false, minSegment);
        final String label = what + ", '" + expr + "' in " + all.outcome;
        assertEquals(indexes(sequentialAll), all.found, label + ": --all");
        assertEquals(all.found.isEmpty() ? List.of() : List.of(all.found.get(0)), first.found, label + ": first");
        assertEquals(indexes(sequentialFirst), first.found, label + ": first vs --threads 1");
        assertEquals(all.found.isEmpty() ? 1 : 0, sequentialAll.exitCode(), label + ": " + sequentialAll);
        assertEquals(all.found.size(), all.outcome.found(), label);
        return all.outcome.segments();
    }

    private record Searched(List<Long> found, WhenSearch.Outcome outcome)
    {
    }

    private static Searched parallel(final Path dir, final String expr, final boolean all)
    {
        return parallel(dir, expr, all, MIN_SEGMENT);
    }

    private static Searched parallel(final Path dir, final String expr, final boolean all, final long minSegment)
    {
        final List<Long> found = new ArrayList<>();
        final WhenSearch.Outcome outcome = WhenSearch.search(Origin.earliest(JournalDir.of(dir)), ExprParser.parse(expr),
            all, Integer.MAX_VALUE, minSegment, found::add);
        return new Searched(found, outcome);
    }

    private static List<Long> indexes(final Tool.Run run)
    {
        final List<Long> list = new ArrayList<>();
        for (final String line : run.lines())
        {
            list.add(Long.parseLong(line));
        }
        return list;
    }

    private static List<Path> snapshotFiles(final Path dir)
    {
        final List<Path> files = new ArrayList<>(new SnapshotStore(dir).list());
        java.util.Collections.reverse(files); // oldest first
        return files;
    }

    private static List<Long> snapshotIndexes(final Path dir)
    {
        final List<Long> indexes = new ArrayList<>();
        for (final Path file : snapshotFiles(dir))
        {
            indexes.add(SnapshotStore.indexOf(file));
        }
        return indexes;
    }

    /**
     * A random journal from a seed: two workers queue events to themselves and pull them (their
     * queue lengths go up and down), init stops and continues a third process; written in
     * {@value #SESSIONS} kernel sessions with a snapshot every {@value #SNAPSHOT_EVERY} records and
     * at each close, every snapshot kept aside and put back at the end.
     */
    private static final class Journal
    {
        final Path dir;
        long a;
        long b;
        long c;

        private Journal(final Path dir)
        {
            this.dir = dir;
        }

        static Journal write(final long seed)
        {
            final Journal journal = new Journal(TempDirs.create("when-parallel"));
            final Path kept = TempDirs.create("when-snapshots");
            try
            {
                final Random random = new Random(seed);
                for (int session = 0; session < SESSIONS; session++)
                {
                    try (Kernel kernel = Kernel.open(Scenario.config(journal.dir).withSnapshots(SNAPSHOT_EVERY, 0, true));
                         EmbeddedClient client = new EmbeddedClient(kernel))
                    {
                        journal.play(client, random, session == 0);
                    }
                    copySnapshots(journal.dir.resolve(SnapshotStore.DIR), kept);
                }
                copySnapshots(kept, journal.dir.resolve(SnapshotStore.DIR));
                return journal;
            }
            finally
            {
                TempDirs.delete(kept);
            }
        }

        private void play(final EmbeddedClient client, final Random random, final boolean first)
        {
            final Syscalls init = client.as(1);
            if (first)
            {
                a = init.spawn("a");
                b = init.spawn("b");
                c = init.spawn("c");
            }
            final Syscalls pa = client.as(a);
            final Syscalls pb = client.as(b);
            final Map<String, Long> params = Map.of("n", 1L);
            boolean stopped = false;
            for (int i = 0; i < OPS_PER_SESSION; i++)
            {
                final int op = random.nextInt(10);
                switch (op)
                {
                    case 0, 1, 2 -> pa.queueEvent("e", params);
                    case 3, 4 -> pa.pullEvent(0);
                    case 5, 6 -> pb.queueEvent("e", params);
                    case 7 -> pb.pullEvent(0);
                    default ->
                    {
                        init.kill(c, stopped ? 18 : 19);
                        stopped = !stopped;
                    }
                }
                if (random.nextInt(50) == 0)
                {
                    while (pa.pullEvent(0) != null)
                    {
                        // a's queue drains now and then, so its length keeps crossing small bounds
                    }
                }
            }
            if (stopped)
            {
                init.kill(c, 18);
            }
        }

        /** Conditions that toggle many times, one that never holds, one true from the start. */
        List<String> expressions()
        {
            return List.of("queued(" + a + ") > 3", "stopped(" + c + ")", "queued(" + a + ") >= 1 && !stopped(" + c + ")",
                "queued(" + b + ") > 1000000", "exists(1)", "queued(" + b + ") > 20 || index <= 2");
        }

        void delete()
        {
            TempDirs.delete(dir);
        }

        private static void copySnapshots(final Path from, final Path to)
        {
            try (Stream<Path> files = Files.list(from))
            {
                Files.createDirectories(to);
                for (final Path file : (Iterable<Path>)files::iterator)
                {
                    if (SnapshotStore.indexOf(file) > 0)
                    {
                        Files.copy(file, to.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
    }
}
