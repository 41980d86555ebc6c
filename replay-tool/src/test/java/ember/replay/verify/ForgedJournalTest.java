package ember.replay.verify;

import ember.journal.Checkpoint;
import ember.journal.JournalReader;
import ember.journal.JournalWriter;
import ember.journal.SyscallRecord;
import ember.journal.SyscallType;
import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.Syscalls;
import ember.kernel.core.CheckpointPolicy;
import ember.kernel.core.CheckpointKeyFile;
import ember.kernel.core.JournalPruner;
import ember.kernel.core.Kernel;
import ember.kernel.core.KernelConfig;
import ember.kernel.core.KernelOpenException;
import ember.journal.PayloadCodec;
import ember.replay.testing.TempDirs;
import ember.replay.testing.Tool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Journals forged for real, through the project's own writer and record codec (every forged
 * record gets a valid CRC): each forgery is caught by {@code verify --key}, naming the first bad
 * index when the records keep the chain tags their documents carried (an edit in place), the
 * rewritten range and the checkpoint when the forger recomputed the chain; the untouched journal verifies, also after recovery from a snapshot and after a prune.
 */
class ForgedJournalTest
{
    private static final int EVERY = 5;
    static Path dir;
    static Path other;
    static Path pub;
    static List<SyscallRecord> records;
    static final List<Path> made = new ArrayList<>();
    /** The chain tag each record's document carried, by record object (kept through copies, moves and splices). */
    static final Map<SyscallRecord, Long> tags = new java.util.IdentityHashMap<>();

    @BeforeAll
    static void write() throws Exception
    {
        dir = TempDirs.create("forge-original");
        other = TempDirs.create("forge-other");
        for (final Path d : List.of(dir, other))
        {
            final KernelConfig config = KernelConfig.of(d).withBlockSize(1 << 20)
                .withCheckpoints(new CheckpointPolicy(EVERY, 0, true, null));
            try (Kernel kernel = Kernel.open(config); EmbeddedClient client = new EmbeddedClient(kernel))
            {
                final Syscalls init = client.as(1);
                for (int i = 0; i < 12; i++)
                {
                    awaitCheckpointIfDue(d);
                    init.queueEvent("job", Map.of("n", (long)i));
                }
                init.spawn(d == dir ? "worker" : "intruder");
            }
        }
        pub = dir.resolve("pub.txt");
        final Tool.Run key = Tool.run("pubkey", "--dir", dir.toString());
        assertEquals(0, key.exitCode(), key.err());
        Files.writeString(pub, key.out());
        records = read(dir);
        assertTrue(records.stream().filter(r -> r.type == SyscallType.CHECKPOINT).count() >= 3, "checkpoints written");
    }

    @AfterAll
    static void delete()
    {
        TempDirs.delete(dir);
        TempDirs.delete(other);
        made.forEach(TempDirs::delete);
    }

    @Test
    void untouchedJournalVerifies()
    {
        final Tool.Run run = verify(dir);
        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().contains("all signed by key"), run.out());
    }

    @Test
    void rewrittenPayloadWithFixedCrcIsCaughtAtItsOwnIndex() throws Exception
    {
        final List<SyscallRecord> forged = copy(records);
        final int k = firstOf(forged, SyscallType.QUEUE_EVENT) + 2;
        forged.get(k).payload = new PayloadCodec().encodeTable(Map.of("n", 999L));
        assertBadAt(writeInPlace(forged), forged.get(k).index, "does not match its chain tag");
        // The same edit with the chain (tags) recomputed after it: only the checkpoint's signed value shows it.
        assertRewritten(write(forged), forged, k, "hash chain broken at checkpoint " + nextCheckpoint(forged, k));
    }

    @Test
    void rewrittenRecordsWithTheCheckpointsValueReplacedFailItsSignature() throws Exception
    {
        final List<SyscallRecord> forged = copy(records);
        final int k = firstOf(forged, SyscallType.QUEUE_EVENT) + 2;
        forged.get(k).payload = new PayloadCodec().encodeTable(Map.of("n", 999L));
        final long checkpoint = nextCheckpoint(forged, k);
        // A forger without the key: the chain recomputed and the checkpoint made to name its new
        // value, its signature (over the old value) kept.
        // Signed off the core thread, the checkpoint may cover a record a few before it: the forger
        // puts the new h(covered) in, whichever record that is.
        final Path d = TempDirs.create("forged");
        made.add(d);
        final Map<Long, byte[]> heads = new java.util.HashMap<>();
        try (JournalWriter writer = new JournalWriter(d, 1 << 20))
        {
            for (final SyscallRecord record : forged)
            {
                heads.put(writer.chain().index(), writer.chain().head());
                if (record.index == checkpoint)
                {
                    System.arraycopy(heads.get(record.arg0), 0, record.payload, 0, 32);
                }
                writer.append(record);
            }
        }
        assertRewritten(d, forged, k, "signature at checkpoint " + checkpoint + " does not match");
    }

    @Test
    void deletedRecordIsCaughtWhereItIsMissing() throws Exception
    {
        final List<SyscallRecord> forged = copy(records);
        final int k = firstOf(forged, SyscallType.QUEUE_EVENT) + 1;
        final long index = forged.remove(k).index;
        assertBadAt(writeInPlace(forged), index, "follows index " + (index - 1));
    }

    @Test
    void deletedAndRenumberedRecordIsCaughtAtItsIndex() throws Exception
    {
        final List<SyscallRecord> forged = copy(records);
        final int k = firstOf(forged, SyscallType.QUEUE_EVENT) + 1;
        forged.remove(k);
        renumber(forged);
        assertBadAt(writeInPlace(forged), forged.get(k).index, "does not match its chain tag");
        // The checkpoint that catches it, one index lower now: "covers index" (at or after itself) when it
        // covered the record right before it, else (it lagged) the chain value it signs is wrong.
        assertRewritten(write(forged), forged, k, "checkpoint " + nextCheckpoint(forged, k));
    }

    @Test
    void reorderedRecordsAreCaughtAtTheFirstMovedOne() throws Exception
    {
        final List<SyscallRecord> forged = copy(records);
        final int k = firstOf(forged, SyscallType.QUEUE_EVENT) + 1;
        final SyscallRecord a = forged.get(k);
        forged.set(k, forged.get(k + 1));
        forged.set(k + 1, a);
        renumber(forged);
        assertBadAt(writeInPlace(forged), forged.get(k).index, "does not match its chain tag");
        assertRewritten(write(forged), forged, k, "hash chain broken");
    }

    @Test
    void insertedRecordIsCaughtAtItsIndex() throws Exception
    {
        final List<SyscallRecord> forged = copy(records);
        final int k = firstOf(forged, SyscallType.QUEUE_EVENT) + 1;
        final SyscallRecord extra = copy(List.of(forged.get(k))).get(0); // a copy of record k, its tag too
        extra.payload = new PayloadCodec().encodeTable(Map.of("n", 42L));
        forged.add(k, extra);
        renumber(forged);
        assertBadAt(writeInPlace(forged), forged.get(k).index, "does not match its chain tag");
        // One index higher, the checkpoint that catches it still covers an index in its window (it may lag
        // by MAX_LAG): the chain value it signs is wrong there.
        assertRewritten(write(forged), forged, k, "hash chain broken at checkpoint " + nextCheckpoint(forged, k));
        // Inserted without a tag into a tagged journal: refused there too.
        tags.remove(extra);
        assertBadAt(writeInPlace(forged), forged.get(k).index, "carries no chain tag");
    }

    @Test
    void recordsSplicedFromASecondKernelAreCaughtAtTheirIndex() throws Exception
    {
        final List<SyscallRecord> forged = copy(records);
        final List<SyscallRecord> theirs = read(other);
        final int spawn = firstOf(theirs, SyscallType.SPAWN);
        final int k = firstOf(forged, SyscallType.SPAWN);
        final SyscallRecord spliced = theirs.get(spawn);
        spliced.index = forged.get(k).index;
        forged.set(k, spliced);
        assertBadAt(writeInPlace(forged), spliced.index, "does not match its chain tag");
        assertRewritten(write(forged), forged, k, "hash chain broken");
        // Its own checkpoints, spliced in whole, verify only with its own key.
        final Tool.Run mixed = verify(other);
        assertNotEquals(0, mixed.exitCode());
        assertTrue(mixed.out().contains("first bad record is index " + theirs.get(firstOf(theirs, SyscallType.CHECKPOINT)).index),
            mixed.out());
    }

    @Test
    void journalWrittenBeforeChainTagsStillVerifiesAndLocatesAtCheckpoints() throws Exception
    {
        final List<SyscallRecord> old = copy(records);
        old.forEach(tags::remove); // frames alone, as journals written before tags hold them
        final Tool.Run run = verify(writeInPlace(old));
        assertEquals(0, run.exitCode(), run.out() + run.err());
        final int k = firstOf(old, SyscallType.QUEUE_EVENT) + 2;
        old.get(k).payload = new PayloadCodec().encodeTable(Map.of("n", 999L));
        assertBadAt(writeInPlace(old), nextCheckpoint(old, k), "hash chain broken");
    }

    @Test
    void journalRebuiltWithAnotherKeyIsCaughtAtItsFirstCheckpoint() throws Exception
    {
        final Path keyDir = TempDirs.create("forge-key");
        made.add(keyDir);
        final CheckpointKeyFile signer = CheckpointKeyFile.open(keyDir, null);
        final Path rebuilt = TempDirs.create("forge-rebuilt");
        made.add(rebuilt);
        long first = 0;
        try (JournalWriter writer = new JournalWriter(rebuilt, 1 << 20))
        {
            for (final SyscallRecord record : copy(records))
            {
                if (record.type == SyscallType.CHECKPOINT)
                {
                    signer.sign(writer.chain().index(), writer.chain().head(), Checkpoint.of(record).timeNs()).fill(record);
                    record.index = writer.chain().index() + 1;
                    first = first == 0 ? record.index : first;
                }
                writer.append(record);
            }
        }
        final Tool.Run chainOnly = Tool.run("verify", "--dir", rebuilt.toString(), "--no-kernel-log");
        assertEquals(0, chainOnly.exitCode(), "a consistent chain alone proves nothing about who wrote it: " + chainOnly.out());
        assertBadAt(rebuilt, first, "not by the given key");
    }

    @Test
    void truncationAfterACheckpointIsCaughtWithTheHeadExportedEarlier() throws Exception
    {
        final Tool.Run head = Tool.run("head", "--dir", dir.toString());
        assertEquals(0, head.exitCode(), head.err());
        final Path headFile = Files.writeString(Files.createTempFile("ember-head", ".txt"), head.out());
        final List<SyscallRecord> forged = copy(records);
        final int cut = firstOf(forged, SyscallType.CHECKPOINT) + 1;
        final long lastKept = forged.get(cut - 1).index;
        final Path truncated = write(new ArrayList<>(forged.subList(0, cut)));
        final Tool.Run plain = verify(truncated);
        assertEquals(0, plain.exitCode(), "ends on a valid checkpoint: only the auditor's head shows the loss");
        final Tool.Run run = Tool.run("verify", "--dir", truncated.toString(), "--no-kernel-log", "--key", pub.toString(),
            "--expect-file", headFile.toString());
        assertEquals(1, run.exitCode(), run.out());
        assertTrue(run.out().contains("first bad record is index " + (lastKept + 1) + ": the journal ends at record " + lastKept),
            run.out());
        final long covered = Long.parseLong(head.out().replaceAll("(?s).*covered=(\\d+).*", "$1"));
        final String hash = head.out().replaceAll("(?s).*hash=([0-9a-f]+).*", "$1");
        final Tool.Run expect = Tool.run("verify", "--dir", truncated.toString(), "--no-kernel-log", "--expect",
            covered + ":" + hash);
        assertEquals(1, expect.exitCode(), expect.out());
        Files.delete(headFile);
    }

    @Test
    void proofOfOneRecordChecksWithTheKeyOnlyAndFailsWhenChanged() throws Exception
    {
        final long index = records.get(firstOf(records, SyscallType.SPAWN)).index;
        final Tool.Run prove = Tool.run("prove", "--dir", dir.toString(), Long.toString(index));
        assertEquals(0, prove.exitCode(), prove.err());
        assertTrue(prove.out().contains("syscall=spawn(\"worker\")"), prove.out());
        final Path proof = Files.writeString(Files.createTempFile("ember-proof", ".txt"), prove.out());
        final Tool.Run ok = Tool.run("check-proof", proof.toString(), "--key", pub.toString());
        assertEquals(0, ok.exitCode(), ok.err());
        assertTrue(ok.out().startsWith("OK record " + index + " spawn(\"worker\")"), ok.out());

        // The same record from the other kernel, with this kernel's checkpoint: refused.
        final List<SyscallRecord> theirs = read(other);
        final SyscallRecord spliced = theirs.get(firstOf(theirs, SyscallType.SPAWN));
        final String[] lines = prove.out().split("\n");
        lines[3] = "frame=" + java.util.Base64.getEncoder().encodeToString(encode(spliced, index));
        Files.writeString(proof, String.join("\n", lines) + "\n");
        final Tool.Run bad = Tool.run("check-proof", proof.toString(), "--key", pub.toString());
        assertEquals(1, bad.exitCode(), bad.out());
        assertTrue(bad.err().contains("does not sign the chain value"), bad.err());
        Files.delete(proof);
    }

    @Test
    void recoveryFromASnapshotChecksTheChainOfTheTailAndRefusesABrokenOne() throws Exception
    {
        final Path copy = TempDirs.copy(dir, "forge-recover");
        made.add(copy);
        final KernelConfig config = KernelConfig.of(copy).withBlockSize(1 << 20).withSnapshots(0, 0, false)
            .withCheckpoints(new CheckpointPolicy(EVERY, 0, true, null));
        final long snapshotAt;
        try (Kernel kernel = Kernel.open(config); EmbeddedClient client = new EmbeddedClient(kernel))
        {
            snapshotAt = kernel.recoveredSnapshotIndex();
            assertTrue(snapshotAt > 0, "recovered from the snapshot taken at close");
            for (int i = 0; i < 2 * EVERY; i++)
            {
                client.as(1).getpid();
            }
        } // no snapshot at this close: the next open replays the tail after snapshotAt
        try (Kernel kernel = Kernel.open(config))
        {
            assertTrue(kernel.recoveredRecords() > 2 * EVERY, "the tail was replayed and its chain checked");
        }
        final Tool.Run run = verify(copy);
        assertEquals(0, run.exitCode(), run.out() + run.err());

        // The same directory with one record after the snapshot rewritten (valid CRC): recovery refuses it.
        final List<SyscallRecord> forged = read(copy);
        forged.get((int)snapshotAt + 2).timestamp += 1;
        assertRecoveryRefuses(copy, write(forged), "hash chain broken at checkpoint");
        assertRecoveryRefuses(copy, writeInPlace(forged), "record " + forged.get((int)snapshotAt + 2).index +
            " does not match its chain tag");
    }

    private static void assertRecoveryRefuses(final Path copy, final Path broken, final String what) throws Exception
    {
        Files.copy(copy.resolve("checkpoint.key"), broken.resolve("checkpoint.key"));
        Files.createDirectories(broken.resolve("snapshots"));
        try (java.util.stream.Stream<Path> files = Files.list(copy.resolve("snapshots")))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                Files.copy(file, broken.resolve("snapshots").resolve(file.getFileName()));
            }
        }
        final KernelOpenException refused = assertThrows(KernelOpenException.class,
            () -> Kernel.open(KernelConfig.of(broken).withBlockSize(1 << 20)).close());
        assertTrue(refused.getMessage().contains(what), refused.getMessage());
    }

    @Test
    void prunedJournalVerifiesFromTheSnapshotsChainValue() throws Exception
    {
        final Path pruned = TempDirs.create("forge-pruned");
        made.add(pruned);
        final KernelConfig config = KernelConfig.of(pruned).withBlockSize(1 << 20).withRollCycle("test-secondly")
            .withCheckpoints(new CheckpointPolicy(EVERY, 0, true, null));
        for (int run = 0; run < 2; run++)
        {
            try (Kernel kernel = Kernel.open(config); EmbeddedClient client = new EmbeddedClient(kernel))
            {
                for (int i = 0; i < 7; i++)
                {
                    client.as(1).getpid();
                }
            }
            Thread.sleep(1_100); // the next cycle, the next file
        }
        final JournalPruner.Result result = JournalPruner.prune(pruned, null);
        assertTrue(!result.moved().isEmpty(), "files were pruned");
        final Tool.Run key = Tool.run("pubkey", "--dir", pruned.toString());
        final Tool.Run run = Tool.run("verify", "--dir", pruned.toString(), "--no-kernel-log", "--key", key.out().trim());
        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().contains("from the snapshot's chain value at record " + result.snapshotIndex()), run.out());
    }

    @Test
    void checkpointsLaggingWhatTheyCoverVerifyHeadAndProve() throws Exception
    {
        final List<SyscallRecord> lagged = lagged(30, 4);
        final Path d = write(lagged);
        final Tool.Run run = verify(d);
        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().contains("all signed by key"), run.out());
        final SyscallRecord first = lagged.get(firstOf(lagged, SyscallType.CHECKPOINT));
        assertEquals(first.index - 4, first.arg0, "checkpoint " + first.index + " signs a value 4 records before it");
        // head: the newest signed head, the closing checkpoint's.
        final SyscallRecord last = lagged.get(lagged.size() - 1);
        final Tool.Run head = Tool.run("head", "--dir", d.toString());
        assertEquals(0, head.exitCode(), head.err());
        assertTrue(head.out().contains("covered=" + last.arg0 + " ") && head.out().contains("checkpoint=" + last.index),
            head.out());
        // prove: the record a lagging checkpoint covers, and one between what it covers and itself.
        for (final long index : new long[] {first.arg0, first.arg0 + 1})
        {
            final Tool.Run prove = Tool.run("prove", "--dir", d.toString(), Long.toString(index));
            assertEquals(0, prove.exitCode(), prove.err());
            final Path proof = Files.writeString(Files.createTempFile("ember-proof", ".txt"), prove.out());
            final Tool.Run ok = Tool.run("check-proof", proof.toString(), "--key", pub.toString());
            Files.delete(proof);
            assertEquals(0, ok.exitCode(), ok.err());
            final SyscallRecord signing = lagged.get(catching(lagged, (int)index - 1));
            assertTrue(ok.out().startsWith("OK record " + index + " ") &&
                ok.out().contains("signed by checkpoint " + signing.index + " (covers record " + signing.arg0 + ","), ok.out());
            assertEquals(signing.arg0 - index + 2, prove.out().lines().filter(l -> l.startsWith("frame=")).count(),
                "frames " + index + ".." + signing.arg0 + " and the checkpoint's, none between: " + prove.out());
        }
    }

    @Test
    void aCheckpointJustWithinItsWindowVerifiesOneBeyondItIsRefusedAtItsIndex() throws Exception
    {
        final List<SyscallRecord> atBound = lagged(Checkpoint.MAX_LAG + 20, Checkpoint.MAX_LAG);
        final Tool.Run ok = verify(write(atBound));
        assertEquals(0, ok.exitCode(), ok.out() + ok.err());
        final List<SyscallRecord> beyond = lagged(Checkpoint.MAX_LAG + 20, Checkpoint.MAX_LAG + 1);
        final SyscallRecord late = beyond.get(firstOf(beyond, SyscallType.CHECKPOINT));
        final Tool.Run run = verify(write(beyond));
        assertEquals(1, run.exitCode(), run.out());
        assertTrue(run.out().contains("checkpoint " + late.index + " covers index " + late.arg0 + ", more than " +
            Checkpoint.MAX_LAG + " records before it"), run.out());
    }

    @Test
    void aCheckpointCoveringItselfOrGoingBackIsRefusedAtItsIndex() throws Exception
    {
        final List<SyscallRecord> lagged = lagged(30, 3);
        final CheckpointKeyFile key = CheckpointKeyFile.open(dir, null);
        final List<Integer> at = new ArrayList<>();
        for (int i = 0; i < lagged.size(); i++)
        {
            if (lagged.get(i).type == SyscallType.CHECKPOINT)
            {
                at.add(i);
            }
        }
        // The second checkpoint re-signed (with the key: a valid signature) over the value the first signs: it goes back.
        final List<SyscallRecord> back = copy(lagged);
        final SyscallRecord second = back.get(at.get(1));
        final Checkpoint firstSigned = Checkpoint.of(back.get(at.get(0)));
        resign(key, second, firstSigned.covered(), firstSigned.hash());
        final Tool.Run backRun = verify(write(back));
        assertEquals(1, backRun.exitCode(), backRun.out());
        assertTrue(backRun.out().contains("checkpoint " + second.index + " covers index " + firstSigned.covered() + ", not after index " +
            firstSigned.covered()), backRun.out());
        // A checkpoint naming its own index (or a later one).
        final List<SyscallRecord> self = copy(lagged);
        final SyscallRecord cp = self.get(at.get(1));
        resign(key, cp, cp.index, new byte[32]);
        final Tool.Run selfRun = verify(write(self));
        assertEquals(1, selfRun.exitCode(), selfRun.out());
        assertTrue(selfRun.out().contains("checkpoint " + cp.index + " covers index " + cp.index + ", at or after itself"),
            selfRun.out());
    }

    @Test
    void aRecordRewrittenBetweenWhatACheckpointCoversAndItIsStillCaught() throws Exception
    {
        final Path d = write(lagged(30, 4));
        final List<SyscallRecord> journal = read(d); // with the tags its documents carry
        final int cp = firstOf(journal, SyscallType.CHECKPOINT);
        final long between = journal.get(cp).arg0 + 2; // after what checkpoint cp covers, before cp
        assertTrue(between < journal.get(cp).index);
        final List<SyscallRecord> forged = copy(journal);
        final int k = (int)between - 1;
        forged.get(k).timestamp += 1;
        // Edited in place: its own chain tag names it.
        assertBadAt(writeInPlace(forged), between, "record " + between + " does not match its chain tag");
        // The chain recomputed: checkpoint cp (it covers an earlier index) still holds, the next one catches it.
        assertRewritten(write(forged), forged, k, "hash chain broken at checkpoint " + nextCheckpoint(forged, k));
    }

    // ---------------------------------------------------------------------------------------

    private static void assertBadAt(final Path forged, final long index, final String what)
    {
        final Tool.Run run = verify(forged);
        assertEquals(1, run.exitCode(), run.out());
        assertTrue(run.out().contains("FAILED: first bad record is index " + index + ":"), run.out());
        assertTrue(run.out().contains(what), run.out());
    }

    /**
     * Records rewritten with their chain recomputed from list position {@code k} on: caught at the
     * first checkpoint covering k's index or a later one, naming the range from after what the
     * checkpoint before it covers to what it covers (to the record before it, when it covers
     * itself or later).
     */
    private static void assertRewritten(final Path forged, final List<SyscallRecord> list, final int k, final String what)
    {
        final int at = catching(list, k);
        long from = 1;
        for (int i = 0; i < at; i++)
        {
            if (list.get(i).type == SyscallType.CHECKPOINT)
            {
                from = list.get(i).arg0 + 1;
            }
        }
        final long j = list.get(at).index;
        final long c = list.get(at).arg0;
        final Tool.Run run = verify(forged);
        assertEquals(1, run.exitCode(), run.out());
        assertTrue(run.out().contains("FAILED: records " + from + ".." + (c < j ? c : j - 1) + " rewritten: chain recomputed, "),
            run.out());
        assertTrue(run.out().contains(what), run.out());
    }

    /** @return the list position of the first checkpoint after position {@code k} covering k's index or a later one. */
    private static int catching(final List<SyscallRecord> list, final int k)
    {
        for (int i = k + 1; i < list.size(); i++)
        {
            if (list.get(i).type == SyscallType.CHECKPOINT && list.get(i).arg0 >= list.get(k).index)
            {
                return i;
            }
        }
        throw new AssertionError("no checkpoint covers position " + k);
    }

    private static Tool.Run verify(final Path d)
    {
        return Tool.run("verify", "--dir", d.toString(), "--no-kernel-log", "--key", pub.toString());
    }

    private static List<SyscallRecord> read(final Path d)
    {
        final List<SyscallRecord> list = new ArrayList<>();
        try (JournalReader reader = new JournalReader(d, true))
        {
            SyscallRecord record = new SyscallRecord();
            while (reader.next(record))
            {
                tags.put(record, reader.chain().tag()); // an untouched journal's tag is its chain value's
                list.add(record);
                record = new SyscallRecord();
            }
        }
        return list;
    }

    /**
     * Wait (60 s at most) until fewer than {@link #EVERY} records follow the journal's last
     * checkpoint. The signature is made off the core thread, so on a slow machine a whole run of
     * syscalls can go by before the first one is back (its first signature warms the JDK's EdDSA
     * code up): waiting here gives the journal a checkpoint every {@code EVERY} records whatever
     * the machine's speed, as the tests below expect.
     */
    private static void awaitCheckpointIfDue(final Path d) throws InterruptedException
    {
        final long deadline = System.nanoTime() + 60_000_000_000L;
        while (true)
        {
            int sinceCheckpoint = 0;
            try (JournalReader reader = new JournalReader(d, true))
            {
                final SyscallRecord record = new SyscallRecord();
                while (reader.next(record))
                {
                    sinceCheckpoint = record.type == SyscallType.CHECKPOINT ? 0 : sinceCheckpoint + 1;
                }
            }
            if (sinceCheckpoint < EVERY)
            {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "no checkpoint after " + sinceCheckpoint + " records in 60 s");
            Thread.sleep(5);
        }
    }

    /** A new kernel directory holding exactly {@code forged}, each record encoded by the project's codec (valid CRC). */
    private static Path write(final List<SyscallRecord> forged)
    {
        final Path d = TempDirs.create("forged");
        made.add(d);
        try (JournalWriter writer = new JournalWriter(d, 1 << 20))
        {
            for (final SyscallRecord record : forged)
            {
                writer.append(record);
            }
        }
        return d;
    }

    /**
     * A new kernel directory holding {@code forged} as someone editing the journal's documents in
     * place would leave it: each record re-encoded by the project's codec (valid CRC), followed by
     * the chain tag the document it came from carried (none when {@link #tags} has none).
     */
    private static Path writeInPlace(final List<SyscallRecord> forged)
    {
        final Path d = TempDirs.create("forged");
        made.add(d);
        final ember.journal.RecordCodec codec = new ember.journal.RecordCodec();
        try (net.openhft.chronicle.queue.ChronicleQueue queue = ember.journal.Journal.openQueue(d, false, 1 << 20);
             net.openhft.chronicle.queue.ExcerptAppender appender = queue.createAppender())
        {
            for (final SyscallRecord record : forged)
            {
                final int length = codec.encode(record);
                try (net.openhft.chronicle.wire.DocumentContext dc = appender.writingDocument())
                {
                    final net.openhft.chronicle.bytes.Bytes<?> bytes = dc.wire().bytes();
                    bytes.write(codec.frameArray(), 0, length);
                    final Long tag = tags.get(record);
                    if (tag != null)
                    {
                        bytes.writeLong(tag); // Chronicle's bytes are little endian, as the tag is
                    }
                }
            }
        }
        return d;
    }

    private static byte[] encode(final SyscallRecord record, final long index)
    {
        final ember.journal.RecordCodec codec = new ember.journal.RecordCodec();
        record.index = index;
        final int length = codec.encode(record);
        return java.util.Arrays.copyOf(codec.frameArray(), length);
    }

    private static List<SyscallRecord> copy(final List<SyscallRecord> list)
    {
        final ember.journal.RecordCodec codec = new ember.journal.RecordCodec();
        final List<SyscallRecord> copies = new ArrayList<>();
        for (final SyscallRecord record : list)
        {
            final int length = codec.encode(record);
            final SyscallRecord c = new SyscallRecord();
            codec.decode(java.util.Arrays.copyOf(codec.frameArray(), length), length, c);
            if (tags.containsKey(record))
            {
                tags.put(c, tags.get(record));
            }
            copies.add(c);
        }
        return copies;
    }

    private static void renumber(final List<SyscallRecord> list)
    {
        for (int i = 0; i < list.size(); i++)
        {
            list.get(i).index = i + 1;
        }
    }

    private static int firstOf(final List<SyscallRecord> list, final SyscallType type)
    {
        for (int i = 0; i < list.size(); i++)
        {
            if (list.get(i).type == type)
            {
                return i;
            }
        }
        throw new AssertionError("no " + type);
    }

    /** @return the index of the first checkpoint after list position {@code k} that covers k's index or a later one. */
    private static long nextCheckpoint(final List<SyscallRecord> list, final int k)
    {
        return list.get(catching(list, k)).index;
    }

    /**
     * The untouched journal's records without its checkpoints, then {@code getpids} getpid calls,
     * signed again with the kernel's key as a signer off the core thread would: a checkpoint asked
     * for every {@link #EVERY} records and journaled {@code lag} records after the head it covers;
     * the last one, at the end, covers the record before it.
     */
    private static List<SyscallRecord> lagged(final int getpids, final int lag) throws Exception
    {
        final CheckpointKeyFile key = CheckpointKeyFile.open(dir, null);
        final List<SyscallRecord> body = new ArrayList<>();
        SyscallRecord last = null;
        for (final SyscallRecord record : copy(records))
        {
            if (record.type != SyscallType.CHECKPOINT && record.type != SyscallType.CLIENT_DETACH)
            {
                body.add(record);
                last = record;
            }
        }
        for (int i = 0; i < getpids; i++)
        {
            final SyscallRecord getpid = new SyscallRecord();
            getpid.reset(SyscallType.GETPID, 1);
            getpid.client = last.client;
            getpid.timestamp = last.timestamp;
            body.add(getpid);
        }
        final ember.journal.RecordCodec codec = new ember.journal.RecordCodec();
        final ember.journal.HashChain chain = new ember.journal.HashChain();
        final Map<Long, byte[]> heads = new java.util.HashMap<>();
        final List<SyscallRecord> out = new ArrayList<>();
        long pending = -1;
        long since = 0;
        for (final SyscallRecord record : body)
        {
            chained(record, chain, codec, heads, out);
            since++;
            if (pending >= 0 && chain.index() + 1 - pending == lag)
            {
                chained(checkpoint(key, pending, heads.get(pending), record.timestamp), chain, codec, heads, out);
                pending = -1;
            }
            if (pending < 0 && since >= EVERY)
            {
                pending = chain.index();
                since = 0;
                if (lag == 1)
                {
                    chained(checkpoint(key, pending, heads.get(pending), record.timestamp), chain, codec, heads, out);
                    pending = -1;
                }
            }
        }
        final long ts = out.get(out.size() - 1).timestamp;
        if (pending >= 0)
        {
            chained(checkpoint(key, pending, heads.get(pending), ts), chain, codec, heads, out);
        }
        chained(checkpoint(key, chain.index(), chain.head(), ts), chain, codec, heads, out);
        return out;
    }

    private static void chained(final SyscallRecord record, final ember.journal.HashChain chain,
        final ember.journal.RecordCodec codec, final Map<Long, byte[]> heads, final List<SyscallRecord> out)
    {
        record.index = chain.index() + 1;
        final int length = codec.encode(record);
        chain.update(codec.frameArray(), 0, length);
        heads.put(chain.index(), chain.head());
        out.add(record);
    }

    private static SyscallRecord checkpoint(final CheckpointKeyFile key, final long covered, final byte[] hash, final long ts)
    {
        final SyscallRecord record = new SyscallRecord();
        key.sign(covered, hash, ts).fill(record);
        record.timestamp = ts;
        return record;
    }

    /** Sign {@code record} (a checkpoint) again, with the key, over {@code covered} and {@code hash}: a valid signature. */
    private static void resign(final CheckpointKeyFile key, final SyscallRecord record, final long covered, final byte[] hash)
    {
        final long index = record.index;
        final long ts = record.timestamp;
        key.sign(covered, hash, Checkpoint.of(record).timeNs()).fill(record);
        record.index = index;
        record.timestamp = ts;
    }
}
