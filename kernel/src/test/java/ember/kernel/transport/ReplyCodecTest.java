package ember.kernel.transport;

import ember.journal.PayloadCodec;
import ember.kernel.client.CallResult;
import ember.kernel.client.ReceivedEvent;
import ember.kernel.state.Event;
import ember.kernel.state.KernelError;
import ember.kernel.state.ProcessInfo;
import ember.kernel.state.SyscallResult;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replies are claimed in the ring at {@link ReplyCodec#encodedLength} and encoded in place: the
 * length must be exactly what {@link ReplyCodec#encode} writes, for every kind of answer, and the
 * client must read back what the core answered.
 */
final class ReplyCodecTest
{
    private final PayloadCodec payloads = new PayloadCodec();
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);

    private static SyscallResult result(final SyscallResult.Kind kind, final long number, final Object value)
    {
        final SyscallResult result = new SyscallResult();
        result.kind = kind;
        result.number = number;
        result.value = value;
        return result;
    }

    /** @return the client's reading of the reply, after checking the announced length. */
    private CallResult roundTrip(final SyscallResult result, final String refusal, final String[] refusedWith)
    {
        final int written = ReplyCodec.encode(buffer, 3, 77, result, refusal);
        assertEquals(written, ReplyCodec.encodedLength(result, refusal), "announced length of " + result);
        assertEquals(77, ReplyCodec.correlation(buffer, 3));
        final CallResult read = new CallResult();
        refusedWith[0] = ReplyCodec.decode(buffer, 3, read, payloads);
        return read;
    }

    @Test
    void everyKindOfAnswerIsEncodedInTheLengthItAnnouncesAndReadBack()
    {
        final String[] refusal = new String[1];
        final ProcessInfo info = new ProcessInfo(2, "wörker", "alice", 1, "running", 3, 1);
        final List<SyscallResult> answers = List.of(
            result(SyscallResult.Kind.NIL, 0, null),
            result(SyscallResult.Kind.NUMBER, -5, null),
            result(SyscallResult.Kind.BOOLEAN, 1, null),
            result(SyscallResult.Kind.STRING, 0, "ålice"),
            result(SyscallResult.Kind.PIDS, 0, new long[] {1, 2, 3}),
            result(SyscallResult.Kind.INFO, 0, info),
            result(SyscallResult.Kind.PROCESSES, 0, new ProcessInfo[] {info, info}),
            result(SyscallResult.Kind.EVENT, 0, Event.plain("tick", payloads.encode(Map.of("n", 1L)))),
            result(SyscallResult.Kind.EVENT, 0, Event.remote(4, "jöb", payloads.encode("data"))));
        for (final SyscallResult answer : answers)
        {
            final CallResult read = roundTrip(answer, null, refusal);
            assertNull(refusal[0]);
            assertNull(read.error);
            assertEquals(answer.kind != SyscallResult.Kind.NIL, read.present, answer.kind.name());
            assertEquals(answer.number, read.number);
            switch (answer.kind)
            {
                case STRING, INFO -> assertEquals(answer.value, read.value);
                case PIDS -> assertArrayEquals((long[])answer.value, (long[])read.value);
                case PROCESSES -> assertArrayEquals((ProcessInfo[])answer.value, (ProcessInfo[])read.value);
                case EVENT ->
                {
                    final Event event = (Event)answer.value;
                    assertEquals(new ReceivedEvent(event.name(), event.params(payloads)), read.value);
                }
                default -> assertNull(read.value);
            }
        }

        final SyscallResult failed = new SyscallResult();
        failed.error = KernelError.PERMISSION_DENIED;
        final CallResult error = roundTrip(failed, null, refusal);
        assertNull(refusal[0]);
        assertEquals("Permission denied", error.error);
        assertFalse(error.present);

        final CallResult refused = roundTrip(new SyscallResult(), "journal write failed: disk fülL", refusal);
        assertEquals("journal write failed: disk fülL", refusal[0]);
        assertTrue(refused.error == null && !refused.present);
    }
}
