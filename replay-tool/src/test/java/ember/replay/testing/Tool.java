package ember.replay.testing;

import ember.replay.cli.ReplayTool;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/** Runs {@code replay-tool} in the test JVM and captures its output. */
public final class Tool
{
    private Tool()
    {
    }

    /** Exit code, stdout and stderr of one run. */
    public record Run(int exitCode, String out, String err)
    {
        /** @return stdout's lines. */
        public List<String> lines()
        {
            final List<String> lines = new ArrayList<>();
            for (final String line : out.split("\n"))
            {
                if (!line.isEmpty())
                {
                    lines.add(line);
                }
            }
            return lines;
        }

        @Override
        public String toString()
        {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Run {@code replay-tool ARGS}. */
    public static Run run(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = ReplayTool.execute(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }
}
