package ember.kernel.durability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The stdout of a load process, redirected to a file: every {@code write(2)} the process
 * completed before it was killed is in the file. Only lines ended by a newline count: a line the
 * process was killed in the middle of writing is dropped, so a torn {@code ACK} can never be
 * mistaken for an acknowledgement.
 */
final class LoadOutput
{
    private final Path file;
    private int partialBytes;

    LoadOutput(final Path file)
    {
        this.file = file;
    }

    Path file()
    {
        return file;
    }

    /** @return the complete lines written so far. */
    List<String> lines()
    {
        final byte[] bytes;
        try
        {
            bytes = Files.exists(file) ? Files.readAllBytes(file) : new byte[0];
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++)
        {
            if (bytes[i] == '\n')
            {
                lines.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        partialBytes = bytes.length - start;
        return lines;
    }

    /** @return true once the process wrote a line starting with {@code prefix} (first lines only). */
    boolean seen(final String prefix)
    {
        try
        {
            if (!Files.exists(file))
            {
                return false;
            }
            final byte[] head;
            try (var in = Files.newInputStream(file))
            {
                head = in.readNBytes(4096);
            }
            final String text = new String(head, StandardCharsets.UTF_8);
            return text.startsWith(prefix) || text.contains("\n" + prefix);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** @return bytes of a torn last line that {@link #lines()} dropped. */
    int partialBytes()
    {
        return partialBytes;
    }
}
