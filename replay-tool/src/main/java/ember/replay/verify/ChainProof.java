package ember.replay.verify;

import ember.journal.Checkpoint;
import ember.journal.CorruptRecordException;
import ember.journal.HashChain;
import ember.journal.JournalReader;
import ember.journal.RecordCodec;
import ember.journal.SyscallRecord;
import ember.journal.SyscallType;
import ember.kernel.state.KernelState;
import ember.kernel.state.SyscallResult;
import ember.replay.ToolException;
import ember.replay.audit.Args;
import ember.replay.audit.Outcome;
import ember.replay.engine.JournalDir;
import ember.replay.engine.Origin;
import ember.replay.engine.Replays;
import ember.replay.render.CallText;

import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * A self-contained proof that one record is in the signed history: {@code h(INDEX-1)}, then the
 * frames of records INDEX up to {@code C}, the index the first checkpoint covering INDEX or later
 * signs, then that checkpoint's frame (record {@code J}, {@code C < J <= C + MAX_LAG}: signed off
 * the core thread, a checkpoint may land a few records after what it covers; the frames between C
 * and J are not needed and not included). Checking it needs the kernel's public key only: chain
 * the frames from {@code h(INDEX-1)}; the last frame must be a checkpoint that signs the value the
 * frames give. Size: one frame per record of the segment INDEX..C plus one (about 100–200 bytes
 * each, as base64) — at most the checkpoint interval (100,000 records by default) plus one, as
 * before checkpoints lagged; cost: one SHA-256 per record and one Ed25519 verification.
 * <p>
 * Text, one field a line: {@code ember-proof-v1}, {@code index=I}, {@code chain-before=HEX},
 * {@code frame=BASE64} (records I..C in order, then the checkpoint J; proofs whose checkpoint
 * follows C directly, J = C + 1, are the same as before), and informative {@code syscall=} and {@code outcome=}
 * lines: the outcome is what replay gives, which follows from the whole history, not from the
 * signature. Thread-safe (static).
 */
public final class ChainProof
{
    public static final String TAG = "ember-proof-v1";

    private ChainProof()
    {
    }

    /**
     * @return the proof of record {@code index} of {@code dir}.
     * @throws ToolException when the record does not exist, no checkpoint follows it yet, or the
     *     chain cannot be computed there.
     */
    public static String prove(final JournalDir dir, final long index)
    {
        final Origin origin = Origin.atOrBefore(dir, index - 1);
        final KernelState state = origin.newState();
        final List<String> frames = new ArrayList<>();
        final String[] before = {null};
        final String[] call = {null};
        final boolean[] done = {false};
        try (JournalReader reader = origin.openReader())
        {
            if (!reader.chain().isKnown())
            {
                throw new ToolException("cannot prove record " + index + ": the snapshot at record " + origin.index() +
                    " carries no chain value");
            }
            if (index == origin.index() + 1)
            {
                before[0] = reader.chain().hex();
            }
            Replays.observe(reader, state, Long.MAX_VALUE, new ember.kernel.state.JournalReplay.Observer()
            {
                @Override
                public void applied(final SyscallRecord record, final SyscallResult result, final KernelState s)
                {
                    if (done[0])
                    {
                        return;
                    }
                    if (record.index == index - 1)
                    {
                        before[0] = reader.chain().hex();
                    }
                    if (record.index >= index)
                    {
                        frames.add(Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(reader.frame(), reader.frameLength())));
                    }
                    if (record.index == index)
                    {
                        call[0] = "syscall=" + record.type.syscallName() + "(" + CallText.args(Args.of(record)) + ") pid=" + record.pid +
                            " client=" + record.client + " timestamp_ns=" + record.timestamp + "\noutcome=" +
                            CallText.outcome(Outcome.value(result), Outcome.error(result));
                    }
                    if (record.index > index && record.type == SyscallType.CHECKPOINT && record.arg0 >= index)
                    {
                        // The first checkpoint covering INDEX (arg0: the index it covers): the segment
                        // ends at what it covers, then its own frame.
                        final String checkpoint = frames.remove(frames.size() - 1);
                        frames.subList((int)(record.arg0 - index + 1), frames.size()).clear();
                        frames.add(checkpoint);
                        done[0] = true;
                    }
                }
            });
        }
        if (call[0] == null)
        {
            throw new ToolException("record " + index + " is not in the journal (it ends at record " + state.lastIndex() + ")");
        }
        if (!done[0])
        {
            throw new ToolException("no signed checkpoint covers record " + index + " yet (the journal ends at record " +
                state.lastIndex() + "): prove it after the next checkpoint");
        }
        final StringBuilder sb = new StringBuilder(TAG).append('\n').append("index=").append(index).append('\n')
            .append("chain-before=").append(before[0]).append('\n');
        for (final String frame : frames)
        {
            sb.append("frame=").append(frame).append('\n');
        }
        return sb.append(call[0]).append('\n').toString();
    }

    /**
     * Check a proof without the journal.
     *
     * @return the record's decoded call line and what signs it, for the report.
     * @throws ToolException naming the first thing that is wrong.
     */
    public static String check(final String proof, final PublicKey key)
    {
        final String[] lines = proof.split("\n");
        if (lines.length < 4 || !lines[0].equals(TAG))
        {
            throw new ToolException("not an Ember proof (no '" + TAG + "' first line)");
        }
        final long index;
        final byte[] before;
        try
        {
            index = Long.parseLong(value(lines[1], "index"));
            before = HexFormat.of().parseHex(value(lines[2], "chain-before"));
        }
        catch (final RuntimeException ex)
        {
            throw new ToolException("malformed proof header: " + ex.getMessage());
        }
        final HashChain chain = new HashChain();
        chain.resume(index - 1, before);
        final RecordCodec codec = new RecordCodec();
        final SyscallRecord record = new SyscallRecord();
        SyscallRecord proved = null;
        for (int i = 3; i < lines.length && lines[i].startsWith("frame="); i++)
        {
            final byte[] frame = Base64.getDecoder().decode(value(lines[i], "frame"));
            try
            {
                codec.decode(frame, frame.length, record);
            }
            catch (final CorruptRecordException ex)
            {
                throw new ToolException("proof frame " + (i - 2) + " is damaged: " + ex.getMessage());
            }
            final boolean last = record.type == SyscallType.CHECKPOINT && record.index > index && record.arg0 >= index;
            if (last ? record.index <= chain.index() || record.index - chain.index() > Checkpoint.MAX_LAG :
                record.index != chain.index() + 1)
            {
                throw new ToolException("proof frame " + (i - 2) + " holds record " + record.index + ", not " + (chain.index() + 1) +
                    (last ? " or a checkpoint at most " + Checkpoint.MAX_LAG + " records after " + chain.index() : ""));
            }
            if (last)
            {
                final Checkpoint checkpoint = Checkpoint.of(record);
                if (checkpoint.covered() != chain.index() || !chain.headEquals(checkpoint.hash(), 0))
                {
                    throw new ToolException("the checkpoint at record " + record.index + " does not sign the chain value " +
                        "the proof's records give (" + chain.hex() + "): record " + index + " or its segment was changed");
                }
                if (!checkpoint.verifies(key))
                {
                    throw new ToolException("the checkpoint at record " + record.index + " is not signed by the given key " +
                        "(it names key " + ember.journal.CheckpointKey.keyIdHex(checkpoint.keyId()) + ")");
                }
                return "record " + index + " " + proved.type.syscallName() + "(" + CallText.args(Args.of(proved)) + ") pid=" +
                    proved.pid + " is in the history signed by checkpoint " + record.index + " (covers record " +
                    checkpoint.covered() + ", h=" + checkpoint.hashHex() + ", key " +
                    ember.journal.CheckpointKey.keyIdHex(checkpoint.keyId()) + ")";
            }
            chain.update(frame, 0, frame.length);
            if (record.index == index)
            {
                proved = copy(record);
            }
        }
        throw new ToolException("the proof ends without a signed checkpoint after record " + index);
    }

    private static SyscallRecord copy(final SyscallRecord r)
    {
        final SyscallRecord c = new SyscallRecord();
        c.type = r.type;
        c.index = r.index;
        c.timestamp = r.timestamp;
        c.pid = r.pid;
        c.client = r.client;
        c.arg0 = r.arg0;
        c.arg1 = r.arg1;
        c.number = r.number;
        c.text = r.text;
        c.payload = r.payload;
        c.names = r.names;
        return c;
    }

    private static String value(final String line, final String field)
    {
        if (!line.startsWith(field + "="))
        {
            throw new ToolException("proof line '" + field + "=' expected, found '" +
                line.substring(0, Math.min(20, line.length())) + "'");
        }
        return line.substring(field.length() + 1);
    }
}
