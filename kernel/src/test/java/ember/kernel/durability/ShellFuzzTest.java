package ember.kernel.durability;

import ember.kernel.json.Json;
import ember.kernel.cli.Shell;
import ember.kernel.client.EmbeddedClient;
import ember.kernel.core.Kernel;
import ember.kernel.core.KernelConfig;
import ember.kernel.state.JournalReplay;
import ember.kernel.testing.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the shell's command parser (SPEC §7) against an embedded kernel, with fixed seeds:
 * random byte and character lines, mutations of every shell command, odd numbers, huge, deep and
 * malformed JSON, unicode. Properties, for every line:
 * <ul>
 *   <li>no exception escapes {@link Shell#execute}, and it returns (no hang);</li>
 *   <li>a blank line or {@code #} comment prints nothing; any other line prints at least one line,
 *       the last of which is the command's valid result or starts with {@code error: }, preceded
 *       only by {@code handler PID SIG} lines ({@code ps}: a header and one line per process);</li>
 * </ul>
 * and after each seed the journal replays to the live kernel's digest, also after a reopen. Every
 * seed runs all its lines (no time budget), and the test asserts how many ran, how many were
 * commands and that some were answered without error, so it cannot pass having tested little.
 * <p>
 * Nothing may block forever: every {@code pull} gets {@code timeout=0} as its last word and
 * {@code sleep} only ever gets non-numbers or 0. Lines are what {@code ember shell} can read: decoded
 * from UTF-8, so without unpaired surrogates (those break replay: {@link JournalFidelityTest}).
 * <p>
 * To chase a failure: {@code -Dember.fuzz.trace=true} prints every line before it runs,
 * {@code -Dember.fuzz.checkEveryLine=true} compares the live digest with a replay after every line,
 * {@code -Dember.fuzz.blockSize=N} sets the journal's block size (default 1 MiB).
 */
class ShellFuzzTest
{
    private static final long[] SEEDS = {1, 2, 3, 0x5eed, 20261123};
    /** Per generator and seed, all of them run: a slow machine takes longer, it does not test less. */
    private static final int LINES = Integer.getInteger("ember.fuzz.lines", 600);
    /** Compare the live digest with a replay after every line (slow; to find the line that diverges). */
    private static final boolean CHECK_EVERY_LINE = Boolean.getBoolean("ember.fuzz.checkEveryLine");
    /** Print every line before it runs. */
    private static final boolean TRACE = Boolean.getBoolean("ember.fuzz.trace");
    private static final long BLOCK_SIZE = Long.getLong("ember.fuzz.blockSize", 1 << 20);

    private static final String[] COMMANDS = {"spawn", "as", "getpid", "getppid", "getuser", "setuser", "exit",
        "kill", "signal", "queue", "peek", "pull", "send", "timer", "alarm", "cancel", "register", "lookup", "ps",
        "sleep"};
    private static final String[] ODD_WORDS = {"NaN", "nan", "-nan", "inf", "-inf", "Infinity", "-Infinity", "1e309",
        "-1e309", "1e-400", "4.9e-324", "0x7fffffffffffffff", "0xffffffffffffffff", "0x10000000000000000", "-0x1",
        "0X1F", "0x", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
        "99999999999999999999999999999", "1.5", "-1.5", "-0", "+0", "+5", ".5", "5.", ".", "-", "+", "1e3", "1E+3",
        "1e", "--1", "1_000", "0b101", "017", "\u0663", "\uff11\uff12", "\u00bd", "2147483648", "4294967296",
        "2147483649", "-2147483648", "0", "1", "-1", "9", "19", "18", "15", "3", "6", "23.999999", "24", "on",
        "off", "ON", "true", "false", "nil", "null", "{}", "[]", "\"\"", "timeout=0", "timeout=", "timeout=x",
        "timeout=-1", "timeout=1e309", "timeout=NaN", "#", "\u00e9", "\u2603", "\ud83d\ude00", "\ud800", "\u0000",
        "\u202e", "\u200b", "\u00a0", "\u3000", "\t", "\u000b", "\f", "\u001b[31m", "%s", "%n", "${x}", "'", "\"",
        "\\", "*", "root", "user-1", "a.b_c", "x".repeat(64), "y".repeat(65), "z".repeat(300)};

    private final List<Path> dirs = new ArrayList<>();

    @AfterEach
    void cleanup()
    {
        dirs.forEach(TempDirs::delete);
    }

    @Test
    void randomBytesAndCharacters()
    {
        fuzz("random", this::randomLine);
    }

    @Test
    void mutatedCommands()
    {
        fuzz("mutated", this::mutatedCommand);
    }

    @Test
    void jsonPayloads()
    {
        fuzz("json", this::jsonCommand);
    }

    /** One fuzz run per seed, each on its own kernel. */
    private void fuzz(final String generator, final Function<Fuzz, String> lines)
    {
        int total = 0;
        int commands = 0;
        int succeeded = 0;
        for (final long seed : SEEDS)
        {
            final Path dir = TempDirs.create("ember-fuzz");
            dirs.add(dir);
            final Fuzz fuzz = new Fuzz(new Random(seed), seed, generator);
            total += assertTimeoutPreemptively(Duration.ofSeconds(20), () -> fuzz.run(dir, lines),
                () -> generator + " seed " + seed + ": the shell hung (no answer within 20 s) on line " +
                    fuzz.index + ": " + escape(fuzz.current));
            commands += fuzz.commands;
            succeeded += fuzz.succeeded;
        }
        System.out.println("shell fuzz " + generator + ": " + total + " lines, " + commands + " commands, " +
            succeeded + " answered without error");
        assertEquals(SEEDS.length * LINES, total, generator + ": lines executed");
        // Not vacuous: most lines were commands, and some beyond the `as 1` resets got past validation.
        assertTrue(commands >= total / 2, generator + ": only " + commands + " of " + total + " lines were commands");
        assertTrue(succeeded > SEEDS.length * (LINES / 40), generator + ": only " + succeeded + " commands answered without error");
    }

    /** One seed's state: the random source, pids seen, and the line being run. */
    private static final class Fuzz
    {
        final Random random;
        final long seed;
        final String generator;
        final List<Long> pids = new ArrayList<>(List.of(1L));
        final List<Long> timers = new ArrayList<>();
        int index;
        /** Lines that were commands (not blank or comment), and of those, the ones answered without error. */
        int commands;
        int succeeded;
        String current = "";

        Fuzz(final Random random, final long seed, final String generator)
        {
            this.random = random;
            this.seed = seed;
            this.generator = generator;
        }

        /** @return how many lines {@link Shell#execute} ran and were checked. */
        int run(final Path dir, final Function<Fuzz, String> lines)
        {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
            try (Kernel kernel = Kernel.open(KernelConfig.of(dir).withBlockSize(BLOCK_SIZE));
                EmbeddedClient client = new EmbeddedClient(kernel))
            {
                final Shell shell = new Shell(client, out);
                for (index = 0; index < LINES; index++)
                {
                    current = safe(index % 40 == 39 ? "as 1" : lines.apply(this));
                    bytes.reset();
                    if (TRACE)
                    {
                        System.out.println("fuzz " + where());
                    }
                    try
                    {
                        shell.execute(current);
                    }
                    catch (final Throwable ex)
                    {
                        throw new AssertionError(where() + "exception escaped execute: " + ex, ex);
                    }
                    check(current, bytes.toString(StandardCharsets.UTF_8));
                    if (CHECK_EVERY_LINE)
                    {
                        assertReplays(dir, kernel.digest(), "live kernel after " + where());
                    }
                }
                assertReplays(dir, kernel.digest(), "live kernel");
            }
            // Recovery from the journal (and the snapshot taken at close) gives the same state.
            try (Kernel kernel = Kernel.open(KernelConfig.of(dir).withBlockSize(BLOCK_SIZE)))
            {
                assertReplays(dir, kernel.digest(), "reopened kernel");
            }
            return index;
        }

        private void assertReplays(final Path dir, final String digest, final String what)
        {
            final long index = Long.parseLong(digest.substring(0, digest.indexOf(':')));
            assertEquals(digest, index + ":" + JournalReplay.replay(dir, index).digest(),
                generator + " seed " + seed + ": the journal does not replay to the " + what + "'s digest");
        }

        String where()
        {
            return generator + " seed " + seed + ", line " + index + " " + escape(current) + ": ";
        }

        /**
         * Make a line what {@code ember shell} could read (decoded from UTF-8 bytes: no unpaired
         * surrogates, see {@link JournalFidelityTest}) and unable to block: pull gets timeout=0
         * last, sleep gets no positive number.
         */
        String safe(final String raw)
        {
            final String line = new String(raw.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
            final String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#"))
            {
                return line;
            }
            final String[] w = trimmed.split("\\s+");
            if (w[0].equals("pull"))
            {
                return line + " timeout=0";
            }
            if (w[0].equals("sleep") && w.length > 1 && w[1].chars().anyMatch(Character::isDigit))
            {
                return "sleep 0";
            }
            return line;
        }

        private static final Pattern INTEGER = Pattern.compile("-?\\d+");
        private static final Pattern HANDLER = Pattern.compile("handler \\d+ -?\\d+");
        private static final Pattern PS_LINE = Pattern.compile("\\d+ \\d+ [A-Za-z0-9_.-]{1,64} (running|stopped) \\d+ .*",
            Pattern.DOTALL);

        void check(final String line, final String output)
        {
            final String trimmed = line.strip();
            final List<String> out = output.isEmpty() ? List.of() : List.of(output.split("\n", -1));
            if (trimmed.isEmpty() || trimmed.startsWith("#"))
            {
                if (!output.isEmpty())
                {
                    throw new AssertionError(where() + "a blank or comment line printed " + escape(output));
                }
                return;
            }
            commands++;
            if (out.size() < 2 || !out.get(out.size() - 1).isEmpty())
            {
                throw new AssertionError(where() + "expected at least one whole output line, got " + escape(output));
            }
            final List<String> lines = out.subList(0, out.size() - 1);
            final String last = lines.get(lines.size() - 1);
            final String command = trimmed.split("\\s+")[0];
            int handlers = 0;
            while (handlers < lines.size() && HANDLER.matcher(lines.get(handlers)).matches())
            {
                handlers++;
            }
            final List<String> results = lines.subList(handlers, lines.size());
            if (results.isEmpty())
            {
                throw new AssertionError(where() + "only handler lines, no result: " + escape(output));
            }
            if (last.startsWith("error: "))
            {
                if (results.size() != 1 || last.length() == "error: ".length())
                {
                    throw new AssertionError(where() + "bad error output " + escape(output));
                }
                return;
            }
            succeeded++;
            if (!command.equals("ps") && results.size() != 1)
            {
                throw new AssertionError(where() + "expected one result line, got " + escape(output));
            }
            final boolean valid = switch (command)
            {
                case "spawn" -> isPid(last, true);
                case "getpid", "getppid", "timer", "alarm" -> INTEGER.matcher(last).matches();
                case "getuser" -> last.matches("[A-Za-z0-9_.-]{1,64}");
                case "as", "setuser", "exit", "kill", "signal", "queue", "cancel", "sleep" -> last.equals("ok");
                case "send", "register" -> last.equals("true") || last.equals("false");
                case "lookup" -> last.equals("nil") || INTEGER.matcher(last).matches();
                case "peek", "pull" -> last.equals("nil") || isEvent(last);
                case "ps" -> isPs(results);
                default -> false;
            };
            if (!valid)
            {
                throw new AssertionError(where() + "not a valid result of '" + escape(command) + "': " + escape(output));
            }
            if (command.equals("timer") || command.equals("alarm"))
            {
                timers.add(Long.parseLong(last));
            }
        }

        private boolean isPid(final String text, final boolean remember)
        {
            if (!INTEGER.matcher(text).matches())
            {
                return false;
            }
            if (remember)
            {
                pids.add(Long.parseLong(text));
            }
            return true;
        }

        private static boolean isEvent(final String text)
        {
            final int space = text.indexOf(' ');
            if (space <= 0)
            {
                return false;
            }
            try
            {
                return Json.parse(text.substring(space + 1)) instanceof Map;
            }
            catch (final Json.NotJson ex)
            {
                return false;
            }
        }

        private static boolean isPs(final List<String> lines)
        {
            if (!lines.get(0).equals("PID PPID USER STATE QUEUED NAME") || lines.size() < 2)
            {
                return false;
            }
            final TreeSet<Long> seen = new TreeSet<>();
            long previous = 0;
            for (final String row : lines.subList(1, lines.size()))
            {
                if (!PS_LINE.matcher(row).matches())
                {
                    return false;
                }
                final long pid = Long.parseLong(row.substring(0, row.indexOf(' ')));
                if (pid <= previous || !seen.add(pid))
                {
                    return false; // pid order, no duplicates
                }
                previous = pid;
            }
            return seen.first() == 1; // pid 1 never ends
        }

        // ---------------------------------------------------------------------------------
        // Building blocks of generated lines.
        // ---------------------------------------------------------------------------------

        <T> T pick(final T[] values)
        {
            return values[random.nextInt(values.length)];
        }

        long somePid()
        {
            return switch (random.nextInt(6))
            {
                case 0 -> random.nextInt(50) - 5;
                case 1 -> 1;
                default -> pids.get(random.nextInt(pids.size()));
            };
        }

        String number()
        {
            return switch (random.nextInt(5))
            {
                case 0 -> pick(ODD_WORDS);
                case 1 -> Long.toString(random.nextLong());
                case 2 -> Double.toString(random.nextGaussian() * 100);
                default -> Integer.toString(random.nextInt(40) - 5);
            };
        }

        String name()
        {
            return switch (random.nextInt(6))
            {
                case 0 -> pick(ODD_WORDS);
                case 1 -> "ev" + random.nextInt(5);
                case 2 -> new String(Character.toChars(0x1F300 + random.nextInt(200))) + random.nextInt(9);
                default -> pick(new String[] {"job", "tick", "timer", "signal", "remote_event", "process_complete", "x"});
            };
        }

        String word()
        {
            return switch (random.nextInt(4))
            {
                case 0 -> pick(ODD_WORDS);
                case 1 -> number();
                case 2 -> name();
                default -> pick(COMMANDS);
            };
        }
    }

    // -------------------------------------------------------------------------------------
    // Generators.
    // -------------------------------------------------------------------------------------

    /** Random bytes (decoded leniently) or random characters, with command words now and then. */
    private String randomLine(final Fuzz f)
    {
        final Random r = f.random;
        final int length = r.nextInt(10) == 0 ? r.nextInt(5000) : r.nextInt(80);
        final String text;
        switch (r.nextInt(4))
        {
            case 0 ->
            {
                final byte[] bytes = new byte[length];
                r.nextBytes(bytes);
                text = new String(bytes, r.nextBoolean() ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            }
            case 1 ->
            {
                final StringBuilder sb = new StringBuilder();
                for (int i = 0; i < length; i++)
                {
                    sb.append((char)r.nextInt(0x10000)); // lone surrogates included
                }
                text = sb.toString();
            }
            case 2 ->
            {
                final StringBuilder sb = new StringBuilder(f.pick(COMMANDS));
                final String alphabet = " \t{}[]\":,0123456789.-+eExX#=abcnNfiIt\u00e9\u2603\\";
                for (int i = 0; i < length; i++)
                {
                    sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
                }
                text = sb.toString();
            }
            default ->
            {
                final StringBuilder sb = new StringBuilder();
                final int words = r.nextInt(6);
                for (int i = 0; i < words; i++)
                {
                    sb.append(i == 0 && r.nextBoolean() ? f.pick(COMMANDS) : f.word()).append(r.nextInt(8) == 0 ? "\t" : " ");
                }
                text = sb.toString();
            }
        }
        return text.replace('\n', ' ').replace('\r', ' ');
    }

    /** A valid command of any kind, with valid-looking arguments. */
    private String validCommand(final Fuzz f)
    {
        final Random r = f.random;
        final String command = f.pick(COMMANDS);
        return switch (command)
        {
            case "spawn" -> r.nextBoolean() ? "spawn" : "spawn " + f.name();
            case "as" -> "as " + f.somePid();
            case "setuser" -> "setuser " + (r.nextBoolean() ? "root" : f.pick(new String[] {"alice", "bob", "a-b.c_d"}));
            case "exit" -> r.nextBoolean() ? "exit" : "exit " + f.number();
            case "kill" -> "kill " + f.somePid() + " " + f.pick(new String[] {"9", "15", "10", "19", "18", "1", "3", "6",
                "21", "0", "-3", "30", f.number()});
            case "signal" -> "signal " + f.pick(new String[] {"9", "15", "10", "19", "18", "2", f.number()}) + " " +
                f.pick(new String[] {"on", "off", "on", "off", "maybe", ""});
            case "queue" -> "queue " + f.name() + (r.nextInt(4) == 0 ? "" : " " + json(f, 3));
            case "pull" -> "pull" + (r.nextBoolean() ? "" : " " + f.name()) + (r.nextBoolean() ? "" : " " + f.name());
            case "send" -> "send " + f.somePid() + " " + f.name() + (r.nextInt(4) == 0 ? "" : " " + json(f, 3));
            case "timer" -> "timer " + f.pick(new String[] {"0", "0.001", "-1", "3600", "1e300", f.number()});
            case "alarm" -> "alarm " + f.pick(new String[] {"0", "12.5", "23.99", "24", "-1", f.number()});
            case "cancel" -> "cancel " + (f.timers.isEmpty() || r.nextBoolean() ? f.number() :
                Long.toString(f.timers.get(r.nextInt(f.timers.size()))));
            case "register", "lookup" -> command + " " + f.name();
            case "sleep" -> f.pick(new String[] {"sleep 0", "sleep", "sleep abc", "sleep -1", "sleep NaN", "sleep inf"});
            default -> command;
        };
    }

    /** A valid command, then 0-4 random mutations of its characters or words. */
    private String mutatedCommand(final Fuzz f)
    {
        final Random r = f.random;
        String line = validCommand(f);
        if (r.nextInt(10) == 0)
        {
            return f.pick(new String[] {"", "   ", "\t", "#", "# spawn", "  # pull", "#!/bin/ember", "\u00a0", "\u3000"});
        }
        final int mutations = r.nextInt(5);
        for (int m = 0; m < mutations; m++)
        {
            final List<String> words = new ArrayList<>(List.of(line.split(" ", -1)));
            switch (r.nextInt(9))
            {
                case 0 -> line = insertChar(f, line);
                case 1 -> line = line.isEmpty() ? line : deleteChar(r, line);
                case 2 -> line = line.isEmpty() ? line : replaceChar(f, line);
                case 3 ->
                {
                    words.add(r.nextInt(words.size() + 1), f.word());
                    line = String.join(" ", words);
                }
                case 4 ->
                {
                    words.set(r.nextInt(words.size()), f.word());
                    line = String.join(" ", words);
                }
                case 5 ->
                {
                    if (words.size() > 1)
                    {
                        words.remove(r.nextInt(words.size()));
                        line = String.join(" ", words);
                    }
                }
                case 6 -> line = line.substring(0, r.nextInt(line.length() + 1));
                case 7 -> line = f.pick(new String[] {" ", "\t", "\u3000", "\u00a0", "  "}) + line +
                    f.pick(new String[] {" ", "\t", "", "\u2003", " #"});
                default -> line = line.toUpperCase(java.util.Locale.ROOT);
            }
        }
        return line.replace('\n', ' ').replace('\r', ' ');
    }

    private static String insertChar(final Fuzz f, final String line)
    {
        final int at = f.random.nextInt(line.length() + 1);
        final String c = f.pick(new String[] {" ", "\t", "{", "}", "[", "]", "\"", ":", ",", "0", "9", "-", ".", "e",
            "x", "#", "=", "\\", "\u0000", "\u00e9", "\ud83d\ude00", "\ud800", "\u000b"});
        return line.substring(0, at) + c + line.substring(at);
    }

    private static String deleteChar(final Random r, final String line)
    {
        final int at = r.nextInt(line.length());
        return line.substring(0, at) + line.substring(at + 1);
    }

    private static String replaceChar(final Fuzz f, final String line)
    {
        final int at = f.random.nextInt(line.length());
        return line.substring(0, at) + (char)f.random.nextInt(0x3000) + line.substring(at + 1);
    }

    /** queue and send with odd JSON: deep, wide, huge, empty, numeric edge cases, malformed. */
    private String jsonCommand(final Fuzz f)
    {
        final Random r = f.random;
        final String json = switch (r.nextInt(12))
        {
            case 0 -> deep(r, f.pick(new Integer[] {30, 31, 32, 33, 40, 200, 1200, 5000}), r.nextBoolean());
            case 1 -> wide(r, f.pick(new Integer[] {10, 500, 3000, 9000}));
            case 2 -> "\"" + "s".repeat(f.pick(new Integer[] {100, 60_000, 70_000, 200_000})) + "\"";
            case 3 -> f.pick(new String[] {"{}", "[]", "\"\"", "null", "true", "false", "0", "-0", "-0.0", "{\"\":{}}",
                "{\"a\":null}", "[null]", "{\"a\":[]}", " { } ", "{\"a\":1,\"a\":2}"});
            case 4 -> "{\"n\":" + f.pick(new String[] {"1e400", "-1e400", "1e-400", "123456789012345678901234567890",
                "-9223372036854775808", "9223372036854775807", "9223372036854775808", "4.9e-324", "1.7976931348623157e308",
                "0.1", "-0", "1E2", "1e+2", "0.0000001"}) + "}";
            case 5 -> "{\"s\":\"" + f.pick(new String[] {"\\u0000", "\\ud800", "\\udc00\\ud800", "\\ud83d\\ude00", "\u2603",
                "\\\"\\\\\\/\\b\\f\\n\\r\\t", "\u202e\u200b", "\\u00e9", "\ud83d\ude00"}) + "\"}";
            case 6 -> f.pick(new String[] {"{", "}", "[", "{\"a\":}", "{\"a\" 1}", "{a:1}", "{'a':1}", "{\"a\":1,}", "[1,]",
                "{\"a\":1} trailing", "{} {}", "NaN", "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":-inf}", "// c\n{}",
                "/* c */ {}", "{\"a\":01}", "{\"a\":.5}", "{\"a\":+1}", "{\"a\":0x10}", "\"unterminated", "{\"a\":\"\\x\"}",
                "{\"a\":tru}", "[[[[", "]]]]"});
            case 7 -> "{\"list\":[1,\"two\",3.5,true,null,{\"k\":[]},[[]]],\"t\":{\"u\":{\"v\":\"w\"}}}";
            case 8 -> json(f, 4);
            case 9 -> "[" + json(f, 2) + "," + json(f, 2) + "]";
            case 10 -> "{\"" + "k".repeat(f.pick(new Integer[] {1, 300, 70_000})) + "\":1}";
            default -> "{\"b\":" + f.pick(new String[] {"\"" + "\u00e9".repeat(40_000) + "\"", "[" + "1,".repeat(20_000) + "1]"}) + "}";
        };
        return switch (r.nextInt(3))
        {
            case 0 -> "queue " + f.name() + " " + json;
            case 1 -> "send " + f.somePid() + " " + f.name() + " " + json;
            default -> r.nextBoolean() ? "peek" : "pull";
        };
    }

    private static String deep(final Random r, final int depth, final boolean objects)
    {
        final StringBuilder sb = new StringBuilder("{\"d\":");
        for (int i = 1; i < depth; i++)
        {
            sb.append(objects ? "{\"d\":" : "[");
        }
        sb.append(r.nextInt(10));
        for (int i = 1; i < depth; i++)
        {
            sb.append(objects ? "}" : "]");
        }
        return sb.append('}').toString();
    }

    private static String wide(final Random r, final int keys)
    {
        final StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < keys; i++)
        {
            sb.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(r.nextInt(1000));
        }
        return sb.append('}').toString();
    }

    /** A random, mostly valid JSON object of at most {@code depth} levels. */
    private static String json(final Fuzz f, final int depth)
    {
        final Random r = f.random;
        final StringBuilder sb = new StringBuilder("{");
        final int n = r.nextInt(4);
        for (int i = 0; i < n; i++)
        {
            sb.append(i == 0 ? "" : ",").append('"').append(f.pick(new String[] {"a", "b", "n", "", "\u00e9", "k k"}))
                .append(i).append("\":").append(value(f, depth - 1));
        }
        return sb.append('}').toString();
    }

    private static String value(final Fuzz f, final int depth)
    {
        final Random r = f.random;
        return switch (depth <= 0 ? r.nextInt(6) : r.nextInt(8))
        {
            case 0 -> Long.toString(r.nextLong());
            case 1 -> Double.toString(r.nextDouble() * 1e6);
            case 2 -> "\"s" + r.nextInt(100) + "\"";
            case 3 -> r.nextBoolean() ? "true" : "false";
            case 4 -> "null";
            case 5 -> f.pick(new String[] {"1e400", "-0", "0.5", "\"\\u2603\"", "123456789012345678901234567890"});
            case 6 -> "[" + value(f, depth - 1) + "," + value(f, depth - 1) + "]";
            default -> json(f, depth);
        };
    }

    static String escape(final String text)
    {
        final StringBuilder sb = new StringBuilder("\"");
        final int limit = Math.min(text.length(), 300);
        for (int i = 0; i < limit; i++)
        {
            final char c = text.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
            {
                sb.append(c);
            }
            else
            {
                sb.append(String.format("\\u%04x", (int)c));
            }
        }
        if (text.length() > limit)
        {
            sb.append("...(").append(text.length()).append(" chars)");
        }
        return sb.append('"').toString();
    }
}
