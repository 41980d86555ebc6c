package ember.kernel.core;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a kernel's live counters ({@link CountersLayout}) from another JVM, as Agrona's
 * {@link CountersReader} does: a read-only mapping, plain volatile reads, no lock, nothing asked of
 * the core and never a wait. Only the kernel's account (and root) may open the file (0600).
 * <p>
 * Not thread-safe: one reader per thread. A value is as fresh as the core's last store; a client
 * that attaches or detaches while {@link #clients()} runs may be missed or shown once more.
 */
public final class KernelCountersReader implements AutoCloseable
{
    /** One attached client, as its counter says. */
    public record Client(int session, String account, String user, long osPid, String transport, long sinceMs,
        long syscalls)
    {
    }

    private final MappedByteBuffer mapped;
    private final UnsafeBuffer header;
    private final CountersReader reader;
    private final int[] kernelCounter = new int[CountersLayout.LAST_KERNEL_COUNTER - CountersLayout.RECORDS + 1];
    /** Counter ids of the syscalls-by-type counters, by syscall type code (NULL_COUNTER_ID: none). */
    private final int[] byTypeCounter = new int[64];

    private KernelCountersReader(final MappedByteBuffer mapped)
    {
        this.mapped = mapped;
        this.header = new UnsafeBuffer(mapped, 0, CountersLayout.HEADER_LENGTH);
        this.reader = new CountersReader(
            new UnsafeBuffer(mapped, CountersLayout.METADATA_OFFSET, CountersLayout.METADATA_LENGTH),
            new UnsafeBuffer(mapped, CountersLayout.VALUES_OFFSET, CountersLayout.VALUES_LENGTH),
            StandardCharsets.UTF_8);
        java.util.Arrays.fill(kernelCounter, CountersReader.NULL_COUNTER_ID);
        java.util.Arrays.fill(byTypeCounter, CountersReader.NULL_COUNTER_ID);
        reader.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (typeId >= CountersLayout.RECORDS && typeId <= CountersLayout.LAST_KERNEL_COUNTER)
            {
                kernelCounter[typeId - CountersLayout.RECORDS] = counterId;
            }
            else if (typeId == CountersLayout.SYSCALLS_BY_TYPE)
            {
                final int code = keyBuffer.getInt(CountersLayout.SYSCALL_KEY_CODE);
                if (code >= 0 && code < byTypeCounter.length)
                {
                    byTypeCounter[code] = counterId;
                }
            }
        });
    }

    /**
     * @param kernelDir a kernel directory.
     * @return a reader of its counters, or null when there is no complete counters file this
     *     account may read (no kernel running, an older Ember, another account's kernel).
     */
    public static KernelCountersReader open(final Path kernelDir)
    {
        final Path file = CountersLayout.file(kernelDir);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))
        {
            if (channel.size() < CountersLayout.FILE_LENGTH)
            {
                return null;
            }
            final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, CountersLayout.FILE_LENGTH);
            final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, CountersLayout.HEADER_LENGTH);
            if (header.getIntVolatile(CountersLayout.HEADER_MAGIC) != CountersLayout.MAGIC ||
                header.getInt(CountersLayout.HEADER_VERSION) != CountersLayout.VERSION ||
                header.getInt(CountersLayout.HEADER_METADATA_LENGTH) != CountersLayout.METADATA_LENGTH ||
                header.getInt(CountersLayout.HEADER_VALUES_LENGTH) != CountersLayout.VALUES_LENGTH)
            {
                IoUtil.unmap(mapped);
                return null;
            }
            return new KernelCountersReader(mapped);
        }
        catch (final IOException | RuntimeException ex)
        {
            return null;
        }
    }

    /** @return the OS pid of the JVM whose kernel made the file (compare with the lock's holder: a crash leaves the file). */
    public long osPid()
    {
        return header.getLong(CountersLayout.HEADER_OS_PID);
    }

    /** @return when the kernel opened, epoch ms. */
    public long startMs()
    {
        return header.getLong(CountersLayout.HEADER_START_MS);
    }

    /**
     * @param typeId one of the kernel's counters ({@link CountersLayout#RECORDS} … {@link CountersLayout#LAST_KERNEL_COUNTER}).
     * @return its value, 0 when the file has no such counter.
     */
    public long value(final int typeId)
    {
        final int id = kernelCounter[typeId - CountersLayout.RECORDS];
        return id == CountersReader.NULL_COUNTER_ID ? 0 : reader.getCounterValue(id);
    }

    /**
     * @param type a syscall type.
     * @return the client syscalls of that type answered since the kernel opened (0 for kernel
     *     actions, and when the file has no such counter).
     */
    public long syscalls(final ember.journal.SyscallType type)
    {
        final int code = type.code();
        final int id = code < byTypeCounter.length ? byTypeCounter[code] : CountersReader.NULL_COUNTER_ID;
        return id == CountersReader.NULL_COUNTER_ID ? 0 : reader.getCounterValue(id);
    }

    /** @return the client syscalls answered since open by type, in the types' declaration order, only those answered at least once. */
    public java.util.Map<ember.journal.SyscallType, Long> syscallsByType()
    {
        final java.util.Map<ember.journal.SyscallType, Long> byType = new java.util.EnumMap<>(ember.journal.SyscallType.class);
        for (final ember.journal.SyscallType type : ember.journal.SyscallType.values())
        {
            final long n = syscalls(type);
            if (n > 0)
            {
                byType.put(type, n);
            }
        }
        return byType;
    }

    /** @return the attached clients, by session id. */
    public List<Client> clients()
    {
        final List<Client> clients = new ArrayList<>();
        reader.forEach((counterId, typeId, key, label) ->
        {
            if (typeId == CountersLayout.CLIENT)
            {
                final Client client = parse(key.getInt(CountersLayout.CLIENT_KEY_SESSION),
                    key.getLong(CountersLayout.CLIENT_KEY_OS_PID), key.getLong(CountersLayout.CLIENT_KEY_SINCE_MS),
                    label, reader.getCounterValue(counterId));
                if (client != null && reader.getCounterState(counterId) == CountersReader.RECORD_ALLOCATED)
                {
                    clients.add(client);
                }
            }
        });
        clients.sort(java.util.Comparator.comparingInt(Client::session));
        return clients;
    }

    /** @return the client a label names, or null when the label is not one of a client (freed meanwhile). */
    private static Client parse(final int session, final long osPid, final long sinceMs, final String label,
        final long syscalls)
    {
        String account = null;
        String user = null;
        String transport = null;
        for (final String word : label.split(" "))
        {
            final int eq = word.indexOf('=');
            if (eq > 0)
            {
                final String value = word.substring(eq + 1);
                switch (word.substring(0, eq))
                {
                    case "account" -> account = value;
                    case "user" -> user = value;
                    case "transport" -> transport = value;
                    default -> { }
                }
            }
        }
        return account == null || user == null || transport == null ? null :
            new Client(session, account, user, osPid, transport, sinceMs, syscalls);
    }

    @Override
    public void close()
    {
        IoUtil.unmap(mapped);
    }
}
