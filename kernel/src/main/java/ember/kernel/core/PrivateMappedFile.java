package ember.kernel.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Makes the kernel's memory-mapped files (counters, errors): a new file of the kernel's account
 * only, by {@link KernelDirectory}'s rules (0600, no link followed, an entry left at its name —
 * a crashed kernel's file or a planted link — is removed, not opened), fully allocated with real
 * blocks so that no later write into the mapping can fault on a full disk.
 * Called by the opening thread with the directory lock held.
 */
final class PrivateMappedFile
{
    private PrivateMappedFile()
    {
    }

    /**
     * @param file   where to make it (its folder exists and is trusted).
     * @param length its size in bytes.
     * @return a read-write mapping of the whole file, zero-filled.
     * @throws IOException when it cannot be made (the caller runs on without it).
     */
    static MappedByteBuffer create(final Path file, final long length) throws IOException
    {
        Files.deleteIfExists(file); // does not follow a link: removes the link itself
        try (FileChannel channel = KernelDirectory.openPrivateFile(file, StandardOpenOption.READ,
            StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW))
        {
            final ByteBuffer zeros = ByteBuffer.allocate(64 * 1024);
            for (long position = 0; position < length; )
            {
                zeros.clear().limit((int)Math.min(zeros.capacity(), length - position));
                position += channel.write(zeros, position); // real blocks: a mapped write never faults
            }
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, length);
        }
    }
}
