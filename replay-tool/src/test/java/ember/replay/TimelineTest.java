package ember.replay;

import ember.kernel.json.Json;
import ember.replay.testing.HeadlessChromium;
import ember.replay.testing.Scenario;
import ember.replay.testing.TempDirs;
import ember.replay.testing.Tool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code timeline --html}: a self-contained page, rendered in headless Chromium when it is installed. */
class TimelineTest
{
    static Scenario scenario;
    static Path html;

    @BeforeAll
    static void write()
    {
        scenario = Scenario.write();
        html = scenario.dir.resolve("out/timeline.html");
        final Tool.Run run = Tool.run("timeline", "--dir", scenario.dir.toString(), "--html", html.toString());
        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.out().startsWith("wrote " + html + ": 4 processes, "), run::toString);
    }

    @AfterAll
    static void delete()
    {
        scenario.delete();
    }

    static Map<String, Object> data() throws Exception
    {
        return dataOf(html);
    }

    /** @return the data a timeline page embeds. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> dataOf(final Path html) throws Exception
    {
        final String page = Files.readString(html);
        final Matcher m = Pattern.compile("<script id=\"data\" type=\"application/json\">(.*?)</script>", Pattern.DOTALL)
            .matcher(page);
        assertTrue(m.find());
        return (Map<String, Object>)Json.parse(m.group(1));
    }

    @Test
    void pageIsSelfContained() throws Exception
    {
        final String page = Files.readString(html);
        assertFalse(page.contains("<script src"), "no external script");
        assertFalse(page.contains("<link"), "no external style sheet");
        assertFalse(page.contains("@import"));
        assertFalse(page.contains("fetch(") || page.contains("XMLHttpRequest"), "no network calls");
        final String withoutSvgNamespace = page.replace("http://www.w3.org/2000/svg", "");
        assertFalse(withoutSvgNamespace.contains("http://") || withoutSvgNamespace.contains("https://"), "no URLs");
        final Map<String, Object> data = data();
        final List<Object> lanes = (List<Object>)data.get("lanes");
        assertEquals(List.of(1L, 2L, 3L, 4L), lanes.stream().map(l -> ((Map<?, ?>)l).get("pid")).toList());
        final List<Object> marks = (List<Object>)data.get("marks");
        assertTrue(marks.stream().anyMatch(m -> "signal".equals(((Map<?, ?>)m).get("kind")) &&
            Long.valueOf(1).equals(((Map<?, ?>)m).get("from")) && Long.valueOf(2).equals(((Map<?, ?>)m).get("lane"))),
            "an arrow from 1 to 2 for the signals");
        assertTrue(marks.stream().anyMatch(m -> "error".equals(((Map<?, ?>)m).get("kind"))), "refused kills are marked");
    }

    @Test
    void scriptDataCannotCloseItsElement()
    {
        assertEquals("{\"a\":\"\\u003c/script>\"}",
            ember.replay.render.HtmlTimelineAccess.embeddable("{\"a\":\"</script>\"}"));
    }

    @Test
    void rendersInHeadlessChromium() throws Exception
    {
        HeadlessChromium.assumeInstalled();
        final Map<String, Object> data = data();
        final String dom = HeadlessChromium.dumpDom(html.toUri() + "#index");
        assertTrue(dom.contains("data-rendered=\"true\""), () -> "the script ran: " + dom);
        assertEquals(4, count(dom, "class=\"lane\""), "one lane per process");
        final int marks = ((List<?>)data.get("marks")).size();
        assertTrue(dom.contains("data-marks=\"" + marks + "\""), () -> "every mark drawn: " + dom);
        assertTrue(count(dom, "class=\"arrow\"") > 5, "arrows sender -> receiver");

        int signal15 = 0;
        for (final Object o : (List<?>)data.get("marks"))
        {
            final Map<?, ?> m = (Map<?, ?>)o;
            final String text = ((String)m.get("label")).toLowerCase() + " lane " + m.get("lane") + " from " + m.get("from");
            signal15 += text.contains("signal 15") ? 1 : 0;
        }
        assertTrue(signal15 > 0);
        final String filtered = HeadlessChromium.dumpDom(html.toUri() + "#filter=signal%2015");
        assertTrue(filtered.contains("data-marks=\"" + signal15 + "\""), () -> "the filter box: " + filtered);
    }

    private static int count(final String text, final String what)
    {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1))
        {
            n++;
        }
        return n;
    }
}
