package ember.replay.testing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Headless Chromium, when installed, to render a page and read back the DOM its scripts built. */
public final class HeadlessChromium
{
    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    private HeadlessChromium()
    {
    }

    /** Skip the calling test, with a visible reason, when Chromium is not installed. */
    public static void assumeInstalled()
    {
        assumeTrue(Files.isExecutable(CHROMIUM), "headless Chromium is not installed at " + CHROMIUM);
    }

    /** @return the DOM of {@code url} after its scripts ran (no network: the page is a file). */
    public static String dumpDom(final String url) throws Exception
    {
        final Path profile = TempDirs.create("replay-chromium");
        try
        {
            final List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile, "--window-size=1400,600",
                "--dump-dom", url));
            final Path err = profile.resolve("stderr.txt");
            final Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
            final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new AssertionError("chromium did not finish in 60 s");
            }
            assertEquals(0, process.exitValue(), () -> "chromium failed: " + out);
            return out;
        }
        finally
        {
            TempDirs.delete(profile);
        }
    }

    /** @return {@code html} with the five entities the DOM serializer writes in text turned back into characters. */
    public static String unescape(final String html)
    {
        return html.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
            .replace("&nbsp;", "\u00a0").replace("&amp;", "&");
    }
}
