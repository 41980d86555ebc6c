package ember.replay.verify;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The digests the live kernel wrote to {@code DIR/kernel.log} when it opened and closed: the
 * tokens {@code index=N digest=HEX} of a line (the kernel's {@code KernelLog.digestTokens}; the
 * prose around them is not parsed): what the live state was, to hold replay against.
 */
public final class LiveDigests
{
    /** The kernel log's file name in a kernel directory. */
    public static final String FILE = "kernel.log";
    private static final Pattern DIGEST = Pattern.compile("(?<=^|\\s)index=(\\d+) digest=([0-9a-f]{64})(?=\\s|$)");

    /** A digest the live kernel logged. */
    public record Entry(long index, String digest, int line)
    {
    }

    private LiveDigests()
    {
    }

    /**
     * @param dir the kernel directory.
     * @return index → the first logged entry for it; empty when there is no log.
     */
    public static Map<Long, Entry> read(final Path dir)
    {
        final Path file = dir.resolve(FILE);
        final Map<Long, Entry> entries = new TreeMap<>();
        if (!Files.isRegularFile(file))
        {
            return entries;
        }
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + file, ex);
        }
        for (int i = 0; i < lines.size(); i++)
        {
            final Matcher m = DIGEST.matcher(lines.get(i));
            if (m.find())
            {
                final long index = Long.parseLong(m.group(1));
                entries.putIfAbsent(index, new Entry(index, m.group(2), i + 1));
            }
        }
        return entries;
    }
}
