package ember.sim;

import ember.journal.Journal;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.MappedBytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;

/**
 * What a crash in the middle of an append leaves: a document begun in the journal and never
 * completed (Chronicle's header marked not-complete), with a few bytes of it written. A dead
 * process also leaves Chronicle's write lock to be broken by the next writer; in one JVM the
 * lock would be "held by me", so the document is begun through Chronicle (header and position as
 * Chronicle writes them), rolled back to release the lock, and its raw bytes then written back.
 */
final class TornRecord
{
    private TornRecord()
    {
    }

    static void write(final Path kernelDir)
    {
        final byte[] raw;
        final long at;
        final java.io.File file;
        try (ChronicleQueue queue = Journal.openQueue(kernelDir, false, 1 << 20))
        {
            try (DocumentContext dc = queue.createAppender().writingDocument())
            {
                final Bytes<?> bytes = dc.wire().bytes();
                at = bytes.writePosition() - 4;
                bytes.write(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
                raw = new byte[16];
                for (int i = 0; i < raw.length; i++)
                {
                    raw[i] = bytes.readByte(at + i);
                }
                file = ((MappedBytes)bytes).mappedFile().file();
                dc.rollbackOnClose();
            }
        }
        try (FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.wrap(raw), at);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
