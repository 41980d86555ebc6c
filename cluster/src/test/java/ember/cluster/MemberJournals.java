package ember.cluster;

import ember.journal.JournalMetadataException;
import ember.journal.JournalReader;
import ember.journal.SyscallRecord;
import ember.kernel.state.JournalReplay;
import ember.kernel.state.KernelState;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Test support: the members' journals agree (records, digests, hash chains). */
final class MemberJournals
{
    private MemberJournals()
    {
    }

    /**
     * Wait (up to {@code polls} × 100 ms) until every member's journal holds as many records, then
     * assert equal record counts, digests and chain heads.
     *
     * @return member 0's replayed state.
     */
    static KernelState awaitEqual(final Path[] dirs, final int polls) throws InterruptedException
    {
        KernelState[] states = new KernelState[dirs.length];
        for (int i = 0; i < polls; i++)
        {
            states = new KernelState[dirs.length];
            try
            {
                for (int n = 0; n < dirs.length; n++)
                {
                    states[n] = JournalReplay.replay(dirs[n], Long.MAX_VALUE);
                }
            }
            catch (final JournalMetadataException ex)
            {
                Thread.sleep(100); // a (re)starting member has not made its journal yet
                continue;
            }
            if (sameLength(states))
            {
                break;
            }
            Thread.sleep(100);
        }
        for (int n = 1; n < dirs.length; n++)
        {
            assertEquals(states[0].lastIndex(), states[n].lastIndex(), "records of member " + n);
            assertEquals(states[0].digest(), states[n].digest(), "digest of member " + n);
        }
        // Byte-identical journals: the same hash chain, so one member's signed head vouches for all.
        final long last = states[0].lastIndex();
        final String head = chainHead(dirs[0], 0, last);
        for (int n = 1; n < dirs.length; n++)
        {
            assertEquals(head, chainHead(dirs[n], n, last), "chain head h(" + last + ") of member " + n);
        }
        return states[0];
    }

    private static boolean sameLength(final KernelState[] states)
    {
        for (final KernelState state : states)
        {
            if (state.lastIndex() != states[0].lastIndex())
            {
                return false;
            }
        }
        return true;
    }

    /** @return {@code h(index)} of member n's journal in {@code dir}, as its reader chains it from genesis. */
    static String chainHead(final Path dir, final int n, final long index)
    {
        try (JournalReader reader = new JournalReader(dir, true))
        {
            final SyscallRecord r = new SyscallRecord();
            while (reader.lastIndex() < index && reader.next(r))
            {
                // chained by the reader
            }
            assertEquals(index, reader.lastIndex(), "member " + n + " holds record " + index);
            assertTrue(reader.chain().isKnown(), "member " + n + "'s chain is known from genesis");
            return reader.chain().hex();
        }
    }
}
