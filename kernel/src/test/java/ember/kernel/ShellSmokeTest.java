package ember.kernel;

import ember.kernel.testing.EmberProcess;
import ember.kernel.testing.TempDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ShellSmokeTest
{
    private final Path dir = TempDirs.create("ember-shell");

    @AfterEach
    void cleanup()
    {
        TempDirs.delete(dir);
    }

    @Test
    void pipedScriptPrintsOneLinePerCommand()
    {
        final EmberProcess.Output out = EmberProcess.shell(dir, "getpid\nspawn w\n# comment\n\nas 2\ngetppid\n");
        assertEquals(0, out.exitCode(), out.stderr());
        assertEquals(List.of("1", "2", "ok", "1"), out.lines());
    }
}
