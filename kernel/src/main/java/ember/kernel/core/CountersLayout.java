package ember.kernel.core;

import org.agrona.concurrent.status.CountersReader;

import java.nio.file.Path;

/**
 * The layout of a kernel's counters file, {@code DIR/ipc/counters.dat} (as Aeron's CnC file):
 * <pre>
 *   [0, 4096)             header: int magic (written last), int version, int metadata length,
 *                         int values length, long OS pid of the kernel's JVM, long start time (epoch ms)
 *   metadata              Agrona {@code CountersManager} metadata: state, type id, key, label per counter
 *   values                Agrona {@code CountersManager} values: one 128-byte slot per counter
 * </pre>
 * The kernel's own counters are told apart by their type id (one per counter, below); each
 * attached client has one counter of type {@link #CLIENT}, whose key holds
 * {@code int session id, long OS pid, long attached since (epoch ms)} and whose label reads
 * {@code client ID account=A user=U pid=P transport=T since=ISO-8601}; its value is the number of
 * syscalls the client was answered. Syscalls by type are counters of type {@link #SYSCALLS_BY_TYPE},
 * one per client syscall type, told apart by their key (the type's on-disk code).
 */
public final class CountersLayout
{
    /** The folder the service's IPC files live in (the same as {@code IpcLayout.IPC_DIR}). */
    public static final String IPC_DIR = "ipc";
    public static final String FILE = "counters.dat";

    public static final int MAGIC = 0x454D4243; // "EMBC"
    public static final int VERSION = 1;
    public static final int HEADER_LENGTH = 4096;
    public static final int HEADER_MAGIC = 0;
    public static final int HEADER_VERSION = 4;
    public static final int HEADER_METADATA_LENGTH = 8;
    public static final int HEADER_VALUES_LENGTH = 12;
    public static final int HEADER_OS_PID = 16;
    public static final int HEADER_START_MS = 24;

    /** Counters the file holds: the kernel's own plus one per client (the default client cap is 1024). */
    public static final int MAX_COUNTERS = 2048;
    public static final int METADATA_OFFSET = HEADER_LENGTH;
    public static final int METADATA_LENGTH = MAX_COUNTERS * CountersReader.METADATA_LENGTH;
    public static final int VALUES_OFFSET = METADATA_OFFSET + METADATA_LENGTH;
    public static final int VALUES_LENGTH = MAX_COUNTERS * CountersReader.COUNTER_LENGTH;
    public static final int FILE_LENGTH = VALUES_OFFSET + VALUES_LENGTH;

    /** The last journal index applied. */
    public static final int RECORDS = 1001;
    /** Client syscalls answered without an error. */
    public static final int SYSCALLS_OK = 1002;
    /** Client syscalls answered with an error or refused before the journal. */
    public static final int SYSCALLS_ERROR = 1003;
    /** Bytes of records appended to the journal since the kernel opened. */
    public static final int JOURNAL_BYTES = 1004;
    /** The journal index of the newest snapshot written (0: none). */
    public static final int SNAPSHOT_INDEX = 1005;
    /** When the newest snapshot was written, epoch ms (0: none). */
    public static final int SNAPSHOT_TIME_MS = 1006;
    /** When the kernel opened, epoch ms. */
    public static final int START_TIME_MS = 1007;
    /** Clients attached now. */
    public static final int CLIENTS = 1008;
    /** The deepest event queue any process had since the kernel opened (events queued, high-water). */
    public static final int EVENT_QUEUE_MAX = 1009;
    /**
     * The core's inbox backlog high-water: the most commands one duty cycle took from the inbox since
     * open (a cycle takes at most 1,024: a deeper backlog shows as 1,024).
     */
    public static final int INBOX_MAX = 1010;
    /** Pulls parked now: waiting {@code pullEvent} calls. */
    public static final int PARKED_PULLS = 1011;
    /** The longest duty cycle of the core since open, ns. */
    public static final int DUTY_CYCLE_MAX_NS = 1012;
    /** The longest duty cycle of the core over the last one to two seconds, ns ({@link #RECENT_WINDOW_NS}). */
    public static final int DUTY_CYCLE_RECENT_MAX_NS = 1013;
    /** The highest type id of the kernel's own single counters ({@link #RECORDS} … this one). */
    public static final int LAST_KERNEL_COUNTER = DUTY_CYCLE_RECENT_MAX_NS;
    /**
     * Client syscalls answered (ok, error or refused) of one type: one counter per syscall type a
     * client may issue, its key the type's on-disk code ({@link #SYSCALL_KEY_CODE}), its label
     * {@code syscalls NAME}.
     */
    public static final int SYSCALLS_BY_TYPE = 1200;
    /** One attached client (see the class). */
    public static final int CLIENT = 1100;

    /** Key of a {@link #CLIENT} counter. */
    public static final int CLIENT_KEY_SESSION = 0;
    public static final int CLIENT_KEY_OS_PID = 8;
    public static final int CLIENT_KEY_SINCE_MS = 16;
    public static final int CLIENT_KEY_LENGTH = 24;

    /** Key of a {@link #SYSCALLS_BY_TYPE} counter: int, the syscall type's on-disk code. */
    public static final int SYSCALL_KEY_CODE = 0;

    /**
     * The window of {@link #DUTY_CYCLE_RECENT_MAX_NS}: the counter holds the longest cycle of the
     * window in progress and of the one before it, so it covers between one and two windows.
     */
    public static final long RECENT_WINDOW_NS = 1_000_000_000L;

    private CountersLayout()
    {
    }

    /** @return {@code DIR/ipc/counters.dat}. */
    public static Path file(final Path kernelDir)
    {
        return kernelDir.resolve(IPC_DIR).resolve(FILE);
    }
}
