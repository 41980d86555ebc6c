package ember.replay;

import ember.kernel.json.Json;
import ember.kernel.client.EmbeddedClient;
import ember.kernel.client.EmberException;
import ember.kernel.client.Syscalls;
import ember.kernel.core.Kernel;
import ember.replay.testing.HeadlessChromium;
import ember.replay.testing.Scenario;
import ember.replay.testing.TempDirs;
import ember.replay.testing.Tool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What users reported about {@code timeline --html}, on a journal of the real kernel: two bursts
 * with an idle stretch between them, a user change, a process stopped and continued and one still
 * stopped at the end, and a call made as a pid before that pid was spawned. The page's data is
 * checked always; the SVG its script draws in headless Chromium when that is installed.
 */
class TimelinePageTest
{
    static Path dir;
    static Path html;
    static Map<String, Object> data;
    static long stopIndex;
    static long contIndex;
    static long stopAgainIndex;
    static long earlyCallIndex;

    @BeforeAll
    static void write() throws Exception
    {
        dir = TempDirs.create("replay-timeline-page");
        try (Kernel kernel = Kernel.open(Scenario.config(dir)); EmbeddedClient client = new EmbeddedClient(kernel))
        {
            final Syscalls init = client.as(1);
            final long worker = init.spawn("worker");                    // 2
            final long job = init.spawn("job");                          // 3
            client.as(job).setuser("alice");
            assertThrows(EmberException.class, () -> client.as(5).getpid()); // pid 5 does not exist yet
            earlyCallIndex = index(kernel);
            init.kill(worker, 19);
            stopIndex = index(kernel);
            init.sendEvent(worker, "job", Map.of("n", 1L));
            init.kill(worker, 18);
            contIndex = index(kernel);
            Thread.sleep(1_500); // an idle stretch: the axis must cut it out
            init.spawn("late");                                          // 4
            final long five = init.spawn("five");                        // 5
            client.as(five).queueEvent("hello", Map.of());
            init.kill(worker, 19);
            stopAgainIndex = index(kernel);                              // still stopped at the end
            init.timer(3600);
        }
        html = dir.resolve("out/t.html");
        final Tool.Run run = Tool.run("timeline", "--dir", dir.toString(), "--html", html.toString());
        assertEquals(0, run.exitCode(), run::toString);
        data = TimelineTest.dataOf(html);
    }

    private static long index(final Kernel kernel)
    {
        final String digest = kernel.digest();
        return Long.parseLong(digest.substring(0, digest.indexOf(':')));
    }

    @AfterAll
    static void delete()
    {
        TempDirs.delete(dir);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(final Map<String, Object> m, final String key)
    {
        return (List<Map<String, Object>>)m.get(key);
    }

    private static Map<String, Object> lane(final long pid)
    {
        return list(data, "lanes").stream().filter(l -> Long.valueOf(pid).equals(l.get("pid"))).findFirst()
            .orElseThrow(() -> new AssertionError("no lane " + pid + " in " + data.get("lanes")));
    }

    @Test
    void laneShowsTheUserAfterSetuserAndEveryChange()
    {
        final Map<String, Object> job = lane(3);
        assertEquals("alice", job.get("user"));
        assertEquals(List.of("root", "alice"), list(job, "users").stream().map(u -> u.get("user")).toList());
    }

    @Test
    void stoppedIntervalsAreInTheData()
    {
        final List<Map<String, Object>> stops = list(lane(2), "stops");
        assertEquals(2, stops.size(), stops::toString);
        assertEquals(stopIndex, stops.get(0).get("i"));
        assertEquals(contIndex, stops.get(0).get("endI"));
        assertEquals(stopAgainIndex, stops.get(1).get("i"));
        assertNull(stops.get(1).get("endI"), "still stopped at the end");
    }

    @Test
    void noMarkSitsOnALaneOutsideItsProcessLife()
    {
        for (final Map<String, Object> m : list(data, "marks"))
        {
            final Map<String, Object> lane = lane((Long)m.get("lane"));
            final long i = (Long)m.get("i");
            assertTrue(i >= (Long)lane.get("bornI"), () -> "mark before its lane's process existed: " + m);
            final Object end = lane.get("end");
            assertTrue(end == null || i <= (Long)((Map<?, ?>)end).get("i"), () -> "mark after its lane ended: " + m);
        }
        final Map<String, Object> early = list(data, "marks").stream().filter(m -> m.get("i").equals(earlyCallIndex))
            .findFirst().orElseThrow();
        assertEquals("error", early.get("kind"));
        assertEquals(0L, early.get("lane"), "a call as pid 5 before pid 5 existed goes on the 'no such process' lane");
        assertEquals(0L, early.get("from"), "and has no arrow from the later pid 5");
    }

    @Test
    void embeddedStatesAreWhatStateAtPrints()
    {
        @SuppressWarnings("unchecked")
        final Map<String, Object> states = (Map<String, Object>)data.get("states");
        @SuppressWarnings("unchecked")
        final Map<String, Object> at = (Map<String, Object>)states.get("at");
        final Set<Long> marked = new TreeSet<>();
        list(data, "marks").forEach(m -> marked.add((Long)m.get("i")));
        assertEquals(marked.size(), at.size(), "every marked record's state (fewer than --max-states)");
        assertEquals(1L, states.get("every"));
        for (final long index : List.of(earlyCallIndex, stopIndex, contIndex, stopAgainIndex))
        {
            final Tool.Run state = Tool.run("state", "--dir", dir.toString(), "--at", Long.toString(index));
            assertEquals(0, state.exitCode(), state::toString);
            assertEquals(state.out(), at.get(Long.toString(index)), "state --at " + index);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void statesBeyondTheCapAreAnEvenSample() throws Exception
    {
        final Path capped = dir.resolve("out/capped.html");
        final Tool.Run run = Tool.run("timeline", "--dir", dir.toString(), "--html", capped.toString(), "--max-states", "3");
        assertEquals(0, run.exitCode(), run::toString);
        final Map<String, Object> states = (Map<String, Object>)TimelineTest.dataOf(capped).get("states");
        final List<Long> marked = new ArrayList<>(new TreeSet<>(list(data, "marks").stream().map(m -> (Long)m.get("i")).toList()));
        final long every = (Long)states.get("every");
        assertTrue(every > 1, states::toString);
        final List<Long> expected = new ArrayList<>();
        for (int n = 0; n < marked.size(); n += (int)every)
        {
            expected.add(marked.get(n));
        }
        assertEquals(expected, ((Map<String, Object>)states.get("at")).keySet().stream().map(Long::parseLong).sorted().toList());
        assertTrue(expected.size() <= 3);
        assertEquals((long)marked.size(), states.get("records"));
    }

    @Test
    void theIdleStretchIsCutOutOfTheAxis()
    {
        @SuppressWarnings("unchecked")
        final List<Map<String, Object>> segments = list((Map<String, Object>)data.get("axis"), "segments");
        assertTrue(segments.size() >= 2, () -> "a 1.5 s pause between bursts of embedded calls is an idle gap: " + segments);
        assertEquals(0.0, ((Number)segments.get(0).get("c")).doubleValue());
    }

    // ---- the SVG drawn by the page's script --------------------------------------------------

    private static final Pattern TICK = Pattern.compile("<text class=\"tick\"[^>]*>([^<]*)</text>");

    private static String firstTick(final String dom)
    {
        final Matcher m = TICK.matcher(dom);
        assertTrue(m.find(), () -> "no tick in " + dom);
        return m.group(1);
    }

    @Test
    void firstTickIsTheFirstRecord() throws Exception
    {
        HeadlessChromium.assumeInstalled();
        final String byTime = HeadlessChromium.dumpDom(html.toUri().toString());
        assertTrue(firstTick(byTime).matches("\\+0(\\.0+)? (µs|ms|s)"), () -> "first tick " + firstTick(byTime));
        final String byIndex = HeadlessChromium.dumpDom(html.toUri() + "#index");
        assertEquals("#" + data.get("firstIndex"), firstTick(byIndex));
        final Matcher ticks = TICK.matcher(byTime + byIndex);
        while (ticks.find())
        {
            assertTrue(!ticks.group(1).startsWith("-") && !ticks.group(1).startsWith("#-"), ticks.group(1));
        }
        assertTrue(byTime.contains("class=\"idle-gap\""), "the cut is drawn as a broken-axis marker");
    }

    @Test
    void svgShowsLatestUserAndStoppedIntervals() throws Exception
    {
        HeadlessChromium.assumeInstalled();
        final String dom = HeadlessChromium.dumpDom(html.toUri().toString());
        assertTrue(dom.contains(">3 job (alice)<"), "lane label after setuser");
        assertTrue(dom.contains("<rect class=\"stopped\"") && dom.contains("data-from=\"" + stopIndex + "\" data-to=\"" +
            contIndex + "\""), () -> "stopped interval " + stopIndex + ".." + contIndex + " in " + dom);
        assertTrue(dom.contains("data-from=\"" + stopAgainIndex + "\" data-to=\"\""), "the open stopped interval");
    }

    @Test
    void legendShapesAreTheMarkShapes() throws Exception
    {
        HeadlessChromium.assumeInstalled();
        final String dom = HeadlessChromium.dumpDom(html.toUri().toString());
        final int chart = dom.indexOf("<svg id=\"timeline\"");
        final Set<String> kinds = new TreeSet<>();
        list(data, "marks").forEach(m -> kinds.add((String)m.get("kind")));
        assertTrue(kinds.containsAll(List.of("signal", "spawn", "user", "error", "event", "timer")), kinds::toString);
        for (final String kind : kinds)
        {
            final Matcher shape = Pattern.compile("<(path|rect|circle) [^>]*class=\"mark mark-" + kind + "\"[^>]*>").matcher(dom);
            assertTrue(shape.find() && shape.start() < chart, () -> "legend entry for " + kind);
            final String legend = shape.group();
            assertTrue(shape.find(chart), () -> "a mark of " + kind);
            assertEquals(legend, shape.group().replaceAll(" data-index=\"\\d+\"", ""), "legend shape of " + kind);
        }
    }

    @Test
    void clickOnAMarkShowsItsState() throws Exception
    {
        HeadlessChromium.assumeInstalled();
        final String dom = HeadlessChromium.dumpDom(html.toUri() + "#click=" + contIndex);
        assertTrue(dom.contains("data-state-shown=\"" + contIndex + "\""), "the click handler ran");
        final Matcher pre = Pattern.compile("<pre id=\"stateText\">(.*?)</pre>", Pattern.DOTALL).matcher(dom);
        assertTrue(pre.find());
        final Tool.Run state = Tool.run("state", "--dir", dir.toString(), "--at", Long.toString(contIndex));
        assertEquals(state.out(), HeadlessChromium.unescape(pre.group(1)));
        assertTrue(dom.contains("replay-tool state --dir " + dir + " --at " + contIndex));
    }

    @Test
    void pageWithoutStatesSaysHowToGetThem() throws Exception
    {
        final Path none = dir.resolve("out/none.html");
        assertEquals(0, Tool.run("timeline", "--dir", dir.toString(), "--html", none.toString(), "--max-states", "0")
            .exitCode());
        @SuppressWarnings("unchecked")
        final Map<String, Object> states = (Map<String, Object>)TimelineTest.dataOf(none).get("states");
        assertEquals(Map.of(), states.get("at"));
        assertNotNull(states.get("command"));
        assertTrue(Files.size(none) < Files.size(html));
        assertNotNull(Json.write(states));
    }
}
