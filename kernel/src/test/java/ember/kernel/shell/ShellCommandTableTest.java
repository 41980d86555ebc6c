package ember.kernel.shell;

import ember.kernel.cli.ShellCommandTable;
import ember.kernel.testing.EmberProcess;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's commands table is the one {@code help} and completion use ({@link ShellCommandTable}). */
final class ShellCommandTableTest
{
    @Test
    void readmeHoldsTheTableHelpPrints() throws IOException
    {
        final String readme = Files.readString(EmberProcess.repoRoot().resolve("README.md"));
        final String table = ShellCommandTable.markdownTable();
        assertTrue(readme.contains(table), "README.md's shell commands table must be exactly:\n" + table);
    }

    @Test
    void namesAreUnique()
    {
        final Set<String> seen = new HashSet<>();
        for (final String name : ShellCommandTable.names())
        {
            assertTrue(seen.add(name), "twice in the table: " + name);
        }
    }
}
