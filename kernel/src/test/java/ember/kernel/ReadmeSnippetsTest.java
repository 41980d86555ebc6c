package ember.kernel;

import ember.kernel.testing.EmberProcess;
import ember.kernel.testing.ServiceProcess;
import ember.kernel.testing.TempDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's Java is real: every {@code ```java} block is a complete compilation unit that
 * compiles against the kernel (this test's class path) with {@code javax.tools}; the program
 * with a {@code main} runs in a separate JVM started with exactly the flags the README's
 * {@code EMBER_FLAGS=(...)} lists, embedded on a new directory and attached to a real
 * {@code ember serve}, and prints what the README's {@code ```text} block after it shows.
 */
class ReadmeSnippetsTest
{
    private static final Pattern JAVA = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL);
    private static final Pattern CLASS = Pattern.compile("public (?:final )?(?:class|interface|record) (\\w+)");
    private static String readme;
    private static Path work;

    @BeforeAll
    static void read() throws Exception
    {
        readme = Files.readString(EmberProcess.repoRoot().resolve("README.md"));
        work = TempDirs.create("readme-snippets");
    }

    @AfterAll
    static void delete()
    {
        TempDirs.delete(work);
    }

    private static List<String> javaBlocks()
    {
        final List<String> blocks = new ArrayList<>();
        final Matcher m = JAVA.matcher(readme);
        while (m.find())
        {
            blocks.add(m.group(1));
        }
        return blocks;
    }

    /** Compile one block as the file its public type names. @return the directory of its classes. */
    private static Path compile(final String source, final int n) throws Exception
    {
        final Matcher name = CLASS.matcher(source);
        assertTrue(name.find(), () -> "java block " + n + " is not a complete compilation unit (no public type):\n" + source);
        final Path dir = Files.createDirectories(work.resolve("block" + n));
        final Path file = dir.resolve(name.group(1) + ".java");
        Files.writeString(file, source);
        final JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        assertNotNull(compiler, "a JDK (javax.tools) is needed");
        final DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8))
        {
            final boolean ok = compiler.getTask(null, files, diagnostics,
                List.of("-classpath", System.getProperty("java.class.path"), "-d", dir.toString(), "-Xlint:all", "-Werror"),
                null, files.getJavaFileObjects(file.toFile())).call();
            final StringBuilder errors = new StringBuilder();
            for (final Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics())
            {
                errors.append("line ").append(d.getLineNumber()).append(": ").append(d.getMessage(null)).append('\n');
            }
            assertTrue(ok, () -> "README java block " + n + " (" + name.group(1) + ") does not compile:\n" + errors);
        }
        return dir;
    }

    @Test
    void everyJavaBlockCompiles() throws Exception
    {
        final List<String> blocks = javaBlocks();
        assertFalse(blocks.isEmpty(), "the README has Java examples");
        for (int i = 0; i < blocks.size(); i++)
        {
            compile(blocks.get(i), i);
        }
    }

    /** @return the README's {@code EMBER_FLAGS=(...)}: the flags it tells users to start their JVM with. */
    private static List<String> readmeFlags()
    {
        final Matcher m = Pattern.compile("EMBER_FLAGS=\\(([^)]*)\\)").matcher(readme);
        assertTrue(m.find(), "the README shows the JVM flags");
        return List.of(m.group(1).trim().split("\\s+"));
    }

    @Test
    void readmeFlagsAreTheBuildsFlags()
    {
        final List<String> ours = new ArrayList<>();
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle") || arg.startsWith("-Dorg.slf4j"))
            {
                ours.add(arg);
            }
        }
        assertEquals(ours, readmeFlags(), "README's EMBER_FLAGS = the pom's ember.jvm.flags");
    }

    /** The block printed right after the program: ```text ... ``` following its ```java block. */
    private static String shownOutput(final String program)
    {
        final int after = readme.indexOf(program) + program.length();
        final Matcher m = Pattern.compile("```text\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(m.find(after), "the README shows what the program prints");
        return m.group(1);
    }

    private static String run(final Path classes, final String main, final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(readmeFlags());
        command.add("-cp");
        command.add(classes + File.pathSeparator + System.getProperty("java.class.path"));
        command.add(main);
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the example did not finish in 60 s");
        assertEquals(0, process.exitValue(), () -> main + " failed:\n" + out);
        return out;
    }

    @Test
    void theProgramRunsEmbeddedAndAttachedAndPrintsWhatTheReadmeShows() throws Exception
    {
        final String program = javaBlocks().stream().filter(b -> b.contains("public static void main")).findFirst()
            .orElseThrow(() -> new AssertionError("no java block with a main"));
        final Matcher name = CLASS.matcher(program);
        assertTrue(name.find());
        assertTrue(program.contains("Kernel.open(KernelConfig.of(dir))"), "the embedded way is shown");
        final Path classes = compile(program, 99);
        final String expected = shownOutput(program);

        final Path embedded = work.resolve("embedded");
        assertEquals(expected, run(classes, name.group(1), embedded.toString()));
        assertTrue(Files.isDirectory(embedded.resolve("journal")), "it made a kernel directory");

        final Path served = work.resolve("served");
        try (ServiceProcess service = ServiceProcess.start(served))
        {
            assertEquals(expected, run(classes, name.group(1), served.toString(), "--attach"));
            service.stop();
        }
    }
}
