package ember.replay.cli;

import ember.journal.Checkpoint;
import ember.journal.JournalReader;
import ember.journal.SyscallRecord;
import ember.journal.SyscallType;
import ember.replay.ToolException;
import ember.replay.engine.Origin;
import ember.replay.verify.SignedHead;
import picocli.CommandLine.Command;


/** {@code replay-tool head}: the journal's last signed checkpoint, to anchor outside the machine. */
@Command(name = "head", mixinStandardHelpOptions = true,
    header = "Print the last signed head (index, chain hash, signature).",
    description = {
        "Reads the journal (checking the hash chain on the way) and prints its last",
        "signed checkpoint as one line, 'ember-head covered=N hash=HEX time_ns=T key=ID",
        "signature=BASE64 checkpoint=C'. Keep it elsewhere: 'verify --expect-file FILE'",
        "later proves the journal still reaches it and was not rewritten before it.",
        ""
    })
final class HeadCommand extends DirCommand
{
    @Override
    public Integer call()
    {
        final Origin origin = Origin.earliest(dir.journal());
        final SyscallRecord record = new SyscallRecord();
        Checkpoint last = null;
        long at = 0;
        try (JournalReader reader = origin.openReader())
        {
            while (reader.next(record))
            {
                if (record.type == SyscallType.CHECKPOINT)
                {
                    last = Checkpoint.of(record);
                    at = record.index;
                }
            }
        }
        if (last == null)
        {
            throw new ToolException("no signed checkpoint in the journal of " + dir.dir);
        }
        out().println(SignedHead.of(last).format(at));
        return 0;
    }
}
