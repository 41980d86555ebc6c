package ember.replay.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;

/** Finds a record in a journal's queue file and damages it: a flipped byte, a cut. */
public final class Damage
{
    private Damage()
    {
    }

    /** @return the journal's (only) cycle file. */
    public static Path cycleFile(final Path kernelDir)
    {
        try (Stream<Path> files = Files.list(kernelDir.resolve("journal")))
        {
            return files.filter(p -> p.toString().endsWith(".cq4")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no .cq4 file in " + kernelDir));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Where a record's frame sits in the cycle file.
     *
     * @param start offset of the frame (its length field); Chronicle's 4-byte header is just before.
     * @param end   offset just after the frame.
     */
    public record Frame(int start, int end)
    {
    }

    /**
     * @param file   a cycle file.
     * @param marker bytes the record holds (Kryo marks a string's last character, so leave it off).
     * @param index  the record's index.
     * @return the frame of the record holding {@code marker}.
     */
    public static Frame find(final Path file, final String marker, final long index)
    {
        final byte[] bytes = read(file);
        final int at = indexOf(bytes, marker.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        final byte[] indexBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(index).array();
        for (int i = at; i > at - 512 && i > 0; i--)
        {
            if (matches(bytes, i, indexBytes))
            {
                final int start = i - 12; // bodyLength, crc32c, version, bits, type precede the index
                final int bodyLength = ByteBuffer.wrap(bytes, start, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
                return new Frame(start, start + 8 + bodyLength);
            }
        }
        throw new IllegalStateException("record " + index + " holding " + marker + " not found in " + file);
    }

    /** XOR the byte at {@code offset} with {@code mask}. */
    public static void flip(final Path file, final int offset, final int mask)
    {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, offset);
            b.put(0, (byte)(b.get(0) ^ mask));
            b.position(0);
            ch.write(b, offset);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** Cut the file at {@code length} bytes. */
    public static void cut(final Path file, final long length)
    {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            ch.truncate(length);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static byte[] read(final Path file)
    {
        try
        {
            return Files.readAllBytes(file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static int indexOf(final byte[] hay, final byte[] needle)
    {
        for (int i = 0; i + needle.length <= hay.length; i++)
        {
            if (matches(hay, i, needle))
            {
                return i;
            }
        }
        throw new IllegalStateException("marker not found");
    }

    private static boolean matches(final byte[] hay, final int at, final byte[] needle)
    {
        for (int j = 0; j < needle.length; j++)
        {
            if (hay[at + j] != needle[j])
            {
                return false;
            }
        }
        return true;
    }
}
