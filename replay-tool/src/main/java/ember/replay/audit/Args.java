package ember.replay.audit;

import ember.journal.SyscallRecord;
import ember.replay.render.Payloads;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A record's arguments in the order the SPEC's syscall takes them, as JSON-able values (parameter
 * tables and event data decoded). This only lays out the record's fields; it decides nothing.
 */
public final class Args
{
    private Args()
    {
    }

    /** @return the arguments of {@code record}; the list may hold nulls (Lua nil). */
    public static List<Object> of(final SyscallRecord record)
    {
        switch (record.type)
        {
            case KERNEL_OPEN:
            case SPAWN:
            case SETUSER:
            case REGISTER:
            case LOOKUP:
                return Collections.singletonList(record.text);
            case CLIENT_ATTACH:
            {
                // The kernel user, then (journals written since the socket transport) the OS account and transport.
                final List<Object> args = new ArrayList<>();
                args.add(record.text);
                if (record.names != null)
                {
                    args.addAll(Arrays.asList(record.names));
                }
                return args;
            }
            case CLIENT_DETACH:
            case TIMER_FIRED:
            case ALARM_FIRED:
            case EXIT:
            case GETPINFO:
            case CANCEL:
                return List.of(record.arg0);
            case QUEUE_EVENT:
                return Arrays.asList(record.text, Payloads.decode(record.payload));
            case PULL_EVENT:
                return record.names == null ? List.of() : new ArrayList<>(Arrays.asList(record.names));
            case SEND_EVENT:
                return Arrays.asList(record.arg0, record.text, Payloads.decode(record.payload));
            case KILL:
                return List.of(record.arg0, record.arg1);
            case SIGNAL:
                return Arrays.asList(record.arg0, record.arg1 != 0 ? "handler" : null);
            case TIMER:
            case ALARM:
                return List.of(record.number);
            case CHECKPOINT:
            {
                // The signed chain head: checkpoint(COVERED, "HASH", "key=ID"); `verify --key` checks the signature.
                final ember.journal.Checkpoint checkpoint = ember.journal.Checkpoint.of(record);
                return List.of(checkpoint.covered(), checkpoint.hashHex(),
                    "key=" + ember.journal.CheckpointKey.keyIdHex(checkpoint.keyId()));
            }
            default:
                return List.of();
        }
    }
}
