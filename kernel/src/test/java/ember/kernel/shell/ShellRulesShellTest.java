package ember.kernel.shell;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SPEC §7 (the shell's own rules) through {@code bin/ember shell}. */
class ShellRulesShellTest extends ShellTestSupport
{
    @Test
    void commentsAndBlankLinesPrintNothingAndUnknownCommandsAreErrors()
    {
        transcript("""
            > # a comment
            >
            > getpid
            1
            > #spawn
            >\s\s\s
            > \t
            > # another: spawn 5
            > spawn
            2
            >
            > foo
            error: unknown command 'foo'
            > foo bar 1
            error: unknown command 'foo'
            > getpid
            1
            """);
    }

    @Test
    void asSwitchesTheActingProcessAndRejectsDeadOrUnknownPids()
    {
        transcript("""
            > spawn w
            2
            > as 2
            ok
            > getpid
            2
            > as 99
            error: No such process
            > getpid
            2
            > as 0
            error: No such process
            > as 1
            ok
            > getpid
            1
            > spawn stopped
            3
            > kill 3 19
            ok
            > as 3
            ok
            > getpid
            3
            > as 1
            ok
            > kill 2 9
            ok
            > as 2
            error: No such process
            > getpid
            1
            """);
    }

    @Test
    void afterTheActingProcessEndsByExitOrSignalEveryCommandFailsUntilTheNextAs()
    {
        transcript("""
            > spawn w
            2
            > spawn other
            3
            > as 2
            ok
            > exit
            ok
            > getpid
            error: No such process
            > getppid
            error: No such process
            > getuser
            error: No such process
            > setuser x
            error: No such process
            > spawn
            error: No such process
            > exit
            error: No such process
            > kill 3 12
            error: No such process
            > signal 12 on
            error: No such process
            > queue a
            error: No such process
            > peek
            error: No such process
            > pull timeout=0.1
            error: No such process
            > send 3 x
            error: No such process
            > timer 1
            error: No such process
            > alarm 3
            error: No such process
            > cancel 1
            error: No such process
            > register r
            error: No such process
            > lookup r
            error: No such process
            > ps
            error: No such process
            > as 99
            error: No such process
            > getpid
            error: No such process
            > as 3
            ok
            > getpid
            3
            > pull timeout=0.2
            nil
            > timer 30
            1
            > spawn killed
            4
            > as 4
            ok
            > kill 4 15
            ok
            > getpid
            error: No such process
            > as 3
            ok
            > pull
            process_complete {"id":4,"signal":15}
            """);
    }

    @Test
    void sleepAlsoFailsAfterTheActingProcessEnded()
    {
        transcript("""
            > spawn w
            2
            > as 2
            ok
            > exit
            ok
            > sleep 0.01
            error: No such process
            """);
    }

    @Test
    void psPrintsHeaderThenOneRowPerLiveProcessInPidOrder()
    {
        transcript("""
            > spawn alpha
            2
            > spawn beta
            3
            > spawn gamma
            4
            > as 3
            ok
            > setuser carol
            ok
            > spawn delta
            5
            > queue e1
            ok
            > queue e2
            ok
            > as 1
            ok
            > kill 4 19
            ok
            > kill 2 9
            ok
            > ps
            PID PPID USER STATE QUEUED NAME
            1 0 root running 1 init
            3 1 carol running 2 beta
            4 1 root stopped 0 gamma
            5 3 carol running 0 delta
            """);
    }

    @Test
    void sleepWaitsAndPrintsOk()
    {
        final long start = System.nanoTime();
        transcript("""
            > sleep 0.5
            ok
            > sleep 0
            ok
            > sleep -1
            ok
            """);
        final long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(elapsedMs >= 500, "sleep 0.5 took only " + elapsedMs + " ms");
    }

    @Test
    void eachResultIsFlushedBeforeTheNextCommandIsRead()
    {
        try (InteractiveShell shell = new InteractiveShell(dir))
        {
            assertEquals("1", shell.send("getpid").text());
            assertEquals("2", shell.send("spawn w").text());
            assertEquals("ok", shell.send("as 2").text());
            assertEquals("ok", shell.send("signal 12 on").text());
            shell.write("kill 2 12");
            assertEquals("handler 2 12", shell.next().text());
            assertEquals("ok", shell.next().text());
            shell.write("ps");
            assertEquals("PID PPID USER STATE QUEUED NAME", shell.next().text());
            assertEquals("1 0 root running 0 init", shell.next().text());
            assertEquals("2 1 root running 0 w", shell.next().text());
            assertEquals("error: unknown command 'nope'", shell.send("nope").text());
            assertEquals("2", shell.send("getpid").text());
        }
    }
}
