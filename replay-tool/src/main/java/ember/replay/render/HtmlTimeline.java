package ember.replay.render;

import ember.kernel.json.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes {@code timeline --html}: one self-contained HTML file (inline CSS, script and data; it
 * fetches nothing) that draws the timeline data as SVG, with zoom, pan and a filter box.
 */
public final class HtmlTimeline
{
    static final String TEMPLATE = "timeline.html";
    static final String PLACEHOLDER = "/*EMBER-TIMELINE-DATA*/";

    private HtmlTimeline()
    {
    }

    /**
     * @param data the timeline (see {@code ember.replay.audit.Timeline}).
     * @param file where to write the page.
     */
    public static void write(final Map<String, Object> data, final Path file)
    {
        final String page = template().replace(PLACEHOLDER, embeddable(Json.write(data)));
        try
        {
            final Path parent = file.toAbsolutePath().getParent();
            if (parent != null)
            {
                Files.createDirectories(parent);
            }
            Files.writeString(file, page, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write " + file, ex);
        }
    }

    /** @return JSON that cannot end its {@code <script>} element: every {@code <} escaped. */
    static String embeddable(final String json)
    {
        return json.replace("<", "\\u003c");
    }

    private static String template()
    {
        try (InputStream in = HtmlTimeline.class.getResourceAsStream(TEMPLATE))
        {
            if (in == null)
            {
                throw new IllegalStateException("missing resource " + TEMPLATE);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
