package ember.journal;

import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a kernel's journal lives and how its Chronicle Queue is opened. The queue files sit in
 * {@code DIR/journal}; everything else a kernel keeps (lock, log) sits beside it in {@code DIR}.
 */
public final class Journal
{
    /** Sub-directory of a kernel directory that holds the Chronicle Queue files. */
    public static final String QUEUE_DIR = "journal";
    /** Default size of the memory-mapped chunks of a queue file. */
    public static final long DEFAULT_BLOCK_SIZE = 16L << 20;

    static
    {
        ChronicleWarnings.install(); // before any queue opens: no benign warning on every open
    }

    private Journal()
    {
    }

    /**
     * @param kernelDir the kernel directory.
     * @return the directory of its Chronicle Queue files.
     */
    public static Path queueDir(final Path kernelDir)
    {
        return kernelDir.resolve(QUEUE_DIR);
    }

    /**
     * Whether the journal's very first open never finished: {@code DIR/journal} exists but holds
     * no cycle file ({@code *.cq4}). A kernel's first open makes Chronicle's metadata
     * ({@code metadata.cq4t}) and then, for its first record, the first cycle file, which no later
     * step removes (pruning keeps the newest); so without one the metadata may be missing or half
     * made, and nothing was journaled. Reads the folder only; no Chronicle call.
     *
     * @param kernelDir the kernel directory.
     * @return true in that state; false when there is no journal folder, it holds a cycle file, or
     *     it cannot be listed (opening the queue then says why).
     */
    public static boolean firstOpenUnfinished(final Path kernelDir)
    {
        final Path queue = queueDir(kernelDir);
        if (!Files.isDirectory(queue))
        {
            return false;
        }
        try (DirectoryStream<Path> cycles = Files.newDirectoryStream(queue, "*" + SingleChronicleQueue.SUFFIX))
        {
            return !cycles.iterator().hasNext();
        }
        catch (final IOException | DirectoryIteratorException ex)
        {
            return false;
        }
    }

    /**
     * Open the journal queue of a kernel directory.
     *
     * @param kernelDir the kernel directory.
     * @param readOnly  true for readers that must never modify the files (replay tool, audit).
     * @param blockSize of the memory-mapped chunks (small for tests, large for throughput).
     * @return the open queue; the caller closes it.
     */
    public static ChronicleQueue openQueue(final Path kernelDir, final boolean readOnly, final long blockSize)
    {
        return openQueue(kernelDir, readOnly, blockSize, RollCycles.FAST_DAILY);
    }

    /**
     * Open the journal queue with a roll cycle for new queues (an existing queue keeps the cycle
     * it was written with: Chronicle reads it from the queue's metadata).
     */
    public static ChronicleQueue openQueue(
        final Path kernelDir, final boolean readOnly, final long blockSize, final net.openhft.chronicle.queue.RollCycle rollCycle)
    {
        return builder(kernelDir, readOnly, blockSize, rollCycle).build();
    }

    /** The builder behind {@link #openQueue}, for a writer that adds its own settings. */
    static SingleChronicleQueueBuilder builder(
        final Path kernelDir, final boolean readOnly, final long blockSize, final net.openhft.chronicle.queue.RollCycle rollCycle)
    {
        return SingleChronicleQueueBuilder.binary(queueDir(kernelDir))
            .rollCycle(rollCycle)
            .blockSize(blockSize)
            .readOnly(readOnly);
    }

    /**
     * @param name {@code minutely}, {@code hourly}, {@code daily}, or
     *             {@code test-secondly} (a new file every second, for tests).
     * @return the Chronicle roll cycle of that name: one journal file per cycle.
     * @throws IllegalArgumentException for any other name.
     */
    public static net.openhft.chronicle.queue.RollCycle rollCycle(final String name)
    {
        switch (name)
        {
            case "minutely":
                return RollCycles.MINUTELY;
            case "hourly":
                return RollCycles.FAST_HOURLY;
            case "daily":
                return RollCycles.FAST_DAILY;
            case "weekly":
                // Chronicle Queue 5.25 cannot parse its own weekly file names back: a weekly journal
                // would show no records when reopened. Refused rather than offered broken.
                throw new IllegalArgumentException("roll cycle 'weekly' is not offered: this Chronicle Queue version " +
                    "cannot read weekly journals back (use minutely, hourly or daily)");
            case "test-secondly":
                return RollCycles.TEST_SECONDLY;
            default:
                throw new IllegalArgumentException("unknown roll cycle '" + name + "' (minutely, hourly or daily)");
        }
    }
}
