package ember.replay.verify;

import ember.journal.CorruptRecordException;
import ember.journal.JournalReader;
import ember.journal.SyscallRecord;
import ember.kernel.state.KernelState;
import ember.replay.engine.JournalDir;
import ember.replay.engine.Origin;
import ember.replay.engine.Progress;
import ember.replay.engine.Replays;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code replay-tool verify}: every record's integrity (the reader checks each record's CRC32C,
 * structure and index sequence), that the readable records reach the journal's last record, that
 * replay is deterministic (a second full replay gives the same digests at every checkpoint), and
 * that replay gives the digests the live kernel logged.
 * <p>
 * A journal whose first records were pruned is checked for what remains: every record it holds
 * is read and checked, and replay (both passes) starts from the {@link Origin#earliest} snapshot;
 * only the live digests logged at or after that snapshot can be compared.
 */
public final class Verifier
{
    private final JournalDir dir;
    private final long every;
    private final boolean checkLog;
    private final java.security.PublicKey key;
    private final SignedHead expect;

    /**
     * @param dir      the journal.
     * @param every    take a digest checkpoint every this many records (and at the end).
     * @param checkLog compare with the digests in {@code kernel.log}.
     */
    public Verifier(final JournalDir dir, final long every, final boolean checkLog)
    {
        this(dir, every, checkLog, null, null);
    }

    /**
     * @param key    the kernel's public checkpoint key: every checkpoint's signature is checked
     *               and at least one must cover the journal; null to check chain values only.
     * @param expect a chain value the auditor holds ({@code --expect}, {@code --expect-file}): the
     *               journal must reach its index and give its hash there; null for none.
     */
    public Verifier(final JournalDir dir, final long every, final boolean checkLog, final java.security.PublicKey key,
        final SignedHead expect)
    {
        this.dir = dir;
        this.every = Math.max(1, every);
        this.checkLog = checkLog;
        this.key = key;
        this.expect = expect;
    }

    /** @return the outcome; a fault is reported in it, never thrown. */
    public Verification run()
    {
        final List<String> notes = new ArrayList<>();
        final long lastBefore = dir.lastIndex(); // records that exist before reading starts
        final Origin origin = Origin.earliest(dir);
        final long first = Math.max(1, origin.firstIndex());
        if (origin.pruned())
        {
            notes.add("pruned: " + origin.note() + " (" + origin.snapshot().getFileName() + ")");
            final String fault = checkKept(first, origin.index());
            if (fault != null)
            {
                return new Verification(origin.index(), 0, 0, 0, 0, origin.newState().digest(), notes, fault);
            }
        }
        final Map<Long, LiveDigests.Entry> logged = checkLog ?
            new TreeMap<>(LiveDigests.read(dir.path())).tailMap(origin.index(), true) : Map.of();
        final LiveDigests.Entry genesis = logged.get(0L);
        final boolean otherEncoding = genesis != null && !genesis.digest().equals(new KernelState().digest());
        // The empty state cannot replay differently: if its logged digest differs, the log was
        // written by a kernel whose digest encoding differs from this one's, and nothing compares.
        final Map<Long, LiveDigests.Entry> live = otherEncoding ? Map.of() : logged;
        final TreeMap<Long, String> checkpoints = new TreeMap<>();
        final List<String> liveFaults = new ArrayList<>();
        final int[] liveChecked = {0};
        final long[] firstTime = {0};
        final KernelState state = origin.newState();
        checkLive(live, state, liveFaults, liveChecked);

        String fault = null;
        final long start = System.nanoTime();
        final String[] expectFault = {null};
        final long[] signed = {0, 0}; // checkpoints checked: count, the last one's covered index
        boolean chainKnown = false;
        try (JournalReader reader = origin.openReader(); Progress progress = Progress.onTerminal("verify", lastBefore))
        {
            reader.checkSignatures(key);
            chainKnown = reader.chain().isKnown();
            Replays.observe(reader, state, Long.MAX_VALUE, (record, result, s) ->
            {
                if (record.type == ember.journal.SyscallType.CHECKPOINT && reader.lastCheckpoint() == record.index)
                {
                    signed[0]++;
                    signed[1] = reader.lastCovered(); // a checkpoint may sign a value a few records before it
                }
                if (expect != null && record.index == expect.covered() && expectFault[0] == null &&
                    !reader.chain().headEquals(expect.hash(), 0))
                {
                    expectFault[0] = "first bad record is index " + record.index + " or earlier: the chain value there is " +
                        reader.chain().hex() + ", the expected head says " + expect.hashHex() +
                        " (history up to it was changed, or this is another journal)";
                }
                progress.at(record.index);
                if (record.index == origin.index() + 1)
                {
                    firstTime[0] = record.timestamp;
                }
                if (record.index % every == 0)
                {
                    checkpoints.put(record.index, s.digest());
                }
                checkLive(live, s, liveFaults, liveChecked);
            });
        }
        catch (final CorruptRecordException ex)
        {
            // Exact when the reader can name the record (chain tags, index sequence, CRC); a
            // range when records were rewritten with their chain recomputed (see ChainTag).
            final long intactTo = ex.rewrittenFrom() > 0 ? ex.rewrittenFrom() - 1 : state.lastIndex();
            fault = (ex.rewrittenFrom() > 0 ? "" : "first bad record is index " + (state.lastIndex() + 1) + ": ") +
                ex.getMessage() + (intactTo >= first ? " (records " + first + ".." + intactTo + " are intact)" : "");
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        final long last = state.lastIndex();
        final long records = last - origin.index(); // replayed
        final String digest = state.digest();
        checkpoints.put(last, digest);

        if (fault == null && lastBefore > last)
        {
            fault = "first bad record is index " + (last + 1) + ": reading stops after record " + last +
                " but the journal holds records up to " + lastBefore + " (a record in between is incomplete or unreadable)";
        }
        if (fault == null && lastBefore < 0)
        {
            fault = "the journal's last record cannot be decoded (read " + records + " intact records before it)";
        }
        if (fault == null)
        {
            notes.add("integrity: " + (last - first + 1) + " records, checksums and index sequence " + first + ".." + last +
                " intact");
        }
        if (fault == null)
        {
            fault = checkChain(origin, chainKnown, last, signed[0], signed[1], expectFault[0], notes);
        }

        if (fault == null)
        {
            fault = secondPass(origin, last, checkpoints, notes);
        }
        if (fault == null && !liveFaults.isEmpty())
        {
            fault = liveFaults.get(0);
        }
        if (otherEncoding)
        {
            notes.add("live digests: not compared, kernel.log was written by a kernel with another digest encoding " +
                "(its digest of the empty state differs)");
        }
        else if (checkLog)
        {
            notes.add(live.isEmpty() ? "live digests: no kernel.log digests to compare" :
                "live digests: " + liveChecked[0] + " of " + live.size() + " kernel.log digests compared" +
                    (liveFaults.isEmpty() ? ", all equal" : ", " + liveFaults.size() + " differ"));
        }
        return new Verification(last, records, firstTime[0], state.lastTimestamp(), seconds, digest, notes, fault);
    }

    /** The hash chain's verdict after a clean read; null when it holds, else the fault. */
    private String checkChain(final Origin origin, final boolean chainKnown, final long last, final long count,
        final long lastCheckpoint, final String expectFault, final List<String> notes)
    {
        if (!chainKnown)
        {
            notes.add("hash chain: not checked (the snapshot replay starts from carries no chain value)");
            return key != null || expect != null ? "cannot verify the hash chain: the snapshot at record " + origin.index() +
                " carries no chain value (written before the chain existed)" : null;
        }
        if (expectFault != null)
        {
            return expectFault;
        }
        if (expect != null && expect.covered() > last)
        {
            return "first bad record is index " + (last + 1) + ": the journal ends at record " + last +
                " but the expected head covers record " + expect.covered() + " (truncated: records " + (last + 1) + ".." +
                expect.covered() + " are missing)";
        }
        if (key != null && count == 0 && last > origin.index())
        {
            return "no signed checkpoint covers records " + (origin.index() + 1) + ".." + last + " (not an Ember journal " +
                "with checkpoints, or its checkpoints were removed)";
        }
        final String from = origin.index() > 0 ? "from the snapshot's chain value at record " + origin.index() : "from genesis";
        notes.add("hash chain: " + count + " checkpoint" + (count == 1 ? "" : "s") + " give the chain value they sign, " +
            from + (key == null ? " (signatures not checked: no --key)" : ", all signed by key " +
            ember.journal.CheckpointKey.keyIdHex(ember.journal.CheckpointKey.keyId(key))) +
            (Math.max(lastCheckpoint, origin.index()) < last ? "; records " + (Math.max(lastCheckpoint, origin.index()) + 1) + ".." + last + " follow the last signed chain value (not yet signed)" : ""));
        if (expect != null)
        {
            notes.add("expected head: record " + expect.covered() + " has chain value " + expect.hashHex());
        }
        return null;
    }

    private String secondPass(final Origin origin, final long records, final TreeMap<Long, String> checkpoints,
        final List<String> notes)
    {
        final KernelState again = origin.newState();
        final String[] mismatch = {null};
        try (JournalReader reader = origin.openReader(); Progress progress = Progress.onTerminal("replay 2", records))
        {
            Replays.observe(reader, again, records, (record, result, s) ->
            {
                progress.at(record.index);
                final String expected = checkpoints.get(record.index);
                if (expected != null && mismatch[0] == null && !expected.equals(s.digest()))
                {
                    mismatch[0] = "replay is not deterministic: the second replay's digest after record " +
                        record.index + " differs from the first's";
                }
            });
        }
        catch (final CorruptRecordException ex)
        {
            return "the journal changed between two reads: " + ex.getMessage();
        }
        if (mismatch[0] != null)
        {
            return mismatch[0];
        }
        if (again.lastIndex() != records)
        {
            return "the second replay stopped after record " + again.lastIndex() + ", the first after " + records;
        }
        notes.add("determinism: a second replay gives the same digest at " + checkpoints.size() + " checkpoint" +
            (checkpoints.size() == 1 ? "" : "s") + " (every " + every + " records and the last)");
        return null;
    }

    /**
     * Read the kept records a pruned journal holds before its snapshot: they are not replayed,
     * but their checksums and index sequence are checked like every other record's.
     *
     * @return the fault, or null when records {@code first..upTo} are intact.
     */
    private String checkKept(final long first, final long upTo)
    {
        final SyscallRecord record = new SyscallRecord();
        try (JournalReader reader = dir.openReaderFromFirst())
        {
            while (reader.lastIndex() < upTo)
            {
                if (!reader.next(record))
                {
                    return "first bad record is index " + (reader.lastIndex() + 1) + ": reading stops after record " +
                        reader.lastIndex() + " before the snapshot at record " + upTo;
                }
            }
        }
        catch (final CorruptRecordException ex)
        {
            return "first bad record before the snapshot: " + ex.getMessage();
        }
        catch (final InternalError ex)
        {
            return "first bad record before the snapshot: unreadable journal document (" + ex.getMessage() + ")";
        }
        return null;
    }

    private static void checkLive(final Map<Long, LiveDigests.Entry> live, final KernelState state,
        final List<String> faults, final int[] checked)
    {
        final LiveDigests.Entry entry = live.get(state.lastIndex());
        if (entry == null)
        {
            return;
        }
        checked[0]++;
        if (!entry.digest().equals(state.digest()))
        {
            faults.add("replayed state after record " + entry.index() + " differs from the live kernel's " +
                "(kernel.log line " + entry.line() + ": digest " + entry.digest() + ")");
        }
    }
}
