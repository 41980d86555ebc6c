package ember.kernel.shell;

import ember.journal.JournalReader;
import ember.journal.SyscallRecord;
import ember.kernel.testing.ServiceProcess;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The shell's own bookkeeping stays out of the audit trail: {@code as}, {@code sleep} and
 * {@code ps} add no journal record (they read the kernel through unjournaled queries), while the
 * syscalls typed in the shell are journaled exactly as before — through the real
 * {@code bin/ember shell}, embedded and attached to a real {@code bin/ember serve} in another JVM,
 * with the journal read back by {@link JournalReader}.
 */
final class ShellBookkeepingShellTest extends ShellTestSupport
{
    /** Exercises every bookkeeping path, errors included; SPEC §7 output unchanged. */
    private static final String SESSION = String.join("\n",
        "> spawn w",
        "2",
        "> as 2",
        "ok",
        "> sleep 0.01",
        "ok",
        "> ps",
        "PID PPID USER STATE QUEUED NAME",
        "1 0 root running 0 init",
        "2 1 root running 0 w",
        "> as 7",
        "error: No such process",
        "> getpid",
        "2",
        "> exit 0",
        "ok",
        "> sleep 0",
        "error: No such process",
        "> ps",
        "error: No such process",
        "> as 1",
        "ok",
        "> ps",
        "PID PPID USER STATE QUEUED NAME",
        "1 0 root running 1 init",
        "");

    /** What the journal holds of SESSION: only the syscalls typed (kernel actions aside). */
    private static final List<String> TYPED = List.of("spawn", "getpid", "exit");

    @Test
    void embeddedShellBookkeepingAddsNoRecords()
    {
        transcript(SESSION);
        assertEquals(TYPED, clientSyscalls(), "client records in the journal after the embedded session");
    }

    @Test
    void attachedShellBookkeepingAddsNoRecords() throws InterruptedException
    {
        try (ServiceProcess service = ServiceProcess.start(dir))
        {
            transcript(SESSION);
            service.stop(); // clean shutdown: the journal is closed before it is read
        }
        assertEquals(TYPED, clientSyscalls(), "client records in the journal after the attached session");
    }

    /** @return the syscall names of the journal's client records, in order. */
    private List<String> clientSyscalls()
    {
        final List<String> names = new ArrayList<>();
        try (JournalReader reader = new JournalReader(dir, true))
        {
            final SyscallRecord record = new SyscallRecord();
            while (reader.next(record))
            {
                if (record.type.isClientCall())
                {
                    names.add(record.type.syscallName());
                }
            }
        }
        return names;
    }
}
