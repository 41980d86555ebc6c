package ember.kernel.shell;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** SPEC §3 (signals: errors and default dispositions) through {@code bin/ember shell}. */
class SignalDeliveryShellTest extends ShellTestSupport
{
    @Test
    void killFailsWithNoSuchProcessBeforePermissionDenied()
    {
        transcript("""
            > spawn bobs
            2
            > spawn alices
            3
            > as 2
            ok
            > setuser bob
            ok
            > spawn gone
            4
            > as 1
            ok
            > kill 4 9
            ok
            > as 3
            ok
            > setuser alice
            ok
            > kill 99 15
            error: No such process
            > kill 4 15
            error: No such process
            > kill 0 15
            error: No such process
            > kill 2 15
            error: Permission denied
            > kill 2 9
            error: Permission denied
            > kill 1 15
            error: Permission denied
            > as 1
            ok
            > kill 99 9
            error: No such process
            > ps
            PID PPID USER STATE QUEUED NAME
            1 0 root running 0 init
            2 1 bob running 1 bobs
            3 1 alice running 0 alices
            """);
    }

    @Test
    void sameUserOrRootMayKill()
    {
        transcript("""
            > spawn a1
            2
            > as 2
            ok
            > setuser alice
            ok
            > spawn a2
            3
            > spawn a3
            4
            > as 3
            ok
            > kill 4 15
            ok
            > kill 3 12
            ok
            > pull
            signal {"signal":12}
            > as 1
            ok
            > kill 3 15
            ok
            > as 2
            ok
            > pull
            process_complete {"id":4,"signal":15}
            > pull
            process_complete {"id":3,"signal":15}
            """);
    }

    @Test
    void sigkillEndsTargetAtOnceEvenStoppedAndParentGetsSignal9()
    {
        transcript("""
            > spawn victim
            2
            > as 2
            ok
            > spawn orphan
            3
            > queue lost
            ok
            > as 1
            ok
            > kill 2 9
            ok
            > kill 2 9
            error: No such process
            > send 2 x
            false
            > as 3
            ok
            > getppid
            1
            > kill 3 9
            ok
            > getpid
            error: No such process
            > as 1
            ok
            > pull
            process_complete {"id":2,"signal":9}
            > pull
            process_complete {"id":3,"signal":9}
            > spawn stopped
            4
            > kill 4 19
            ok
            > kill 4 9
            ok
            > pull
            process_complete {"id":4,"signal":9}
            > ps
            PID PPID USER STATE QUEUED NAME
            1 0 root running 0 init
            """);
    }

    @Test
    void hupIntPipeTermTerminateByDefault()
    {
        transcript("""
            > spawn
            2
            > spawn
            3
            > spawn
            4
            > spawn
            5
            > kill 2 1
            ok
            > kill 3 2
            ok
            > kill 4 13
            ok
            > kill 5 15
            ok
            > pull
            process_complete {"id":2,"signal":1}
            > pull
            process_complete {"id":3,"signal":2}
            > pull
            process_complete {"id":4,"signal":13}
            > pull
            process_complete {"id":5,"signal":15}
            > ps
            PID PPID USER STATE QUEUED NAME
            1 0 root running 0 init
            """);
    }

    @Test
    void quitAndAbortTerminateAndWriteDiagnosticToKernelLog() throws IOException
    {
        transcript("""
            > spawn quitter
            2
            > spawn aborter
            3
            > kill 2 3
            ok
            > kill 3 6
            ok
            > pull
            process_complete {"id":2,"signal":3}
            > pull
            process_complete {"id":3,"signal":6}
            > ps
            PID PPID USER STATE QUEUED NAME
            1 0 root running 0 init
            """);
        final List<String> log = Files.readAllLines(dir.resolve("kernel.log"));
        assertTrue(mentions(log, "3|QUIT", "2"), "kernel.log has no diagnostic for signal 3 to pid 2:\n" + log);
        assertTrue(mentions(log, "6|ABRT", "3"), "kernel.log has no diagnostic for signal 6 to pid 3:\n" + log);
    }

    /** @return whether a log line names the signal and, after its leading timestamp, the pid. */
    private static boolean mentions(final List<String> log, final String signal, final String pid)
    {
        final Pattern sig = Pattern.compile("(?i)(signal\\W*(" + signal + ")\\b|SIG(" + signal + ")\\b)");
        final Pattern id = Pattern.compile("\\b" + pid + "\\b");
        return log.stream()
            .map(line -> line.replaceFirst("^\\S*\\d{4}-\\d\\d-\\d\\dT\\S*\\s*", ""))
            .anyMatch(line -> sig.matcher(line).find() && id.matcher(line).find());
    }

    @Test
    void stopSignalsHoldDeliveryAndContResumesAndIsQueued()
    {
        transcript("""
            > spawn s19
            2
            > spawn s21
            3
            > spawn s22
            4
            > kill 2 19
            ok
            > kill 3 21
            ok
            > kill 4 22
            ok
            > ps
            PID PPID USER STATE QUEUED NAME
            1 0 root running 0 init
            2 1 root stopped 0 s19
            3 1 root stopped 0 s21
            4 1 root stopped 0 s22
            > kill 2 18
            ok
            > kill 3 18
            ok
            > kill 4 18
            ok
            > ps
            PID PPID USER STATE QUEUED NAME
            1 0 root running 0 init
            2 1 root running 1 s19
            3 1 root running 1 s21
            4 1 root running 1 s22
            > as 2
            ok
            > pull
            signal {"signal":18}
            > as 3
            ok
            > pull
            signal {"signal":18}
            > as 4
            ok
            > pull
            signal {"signal":18}
            """);
    }

    @Test
    void stoppedProcessSeesNoEventsButEventsStillQueue()
    {
        transcript("""
            > spawn w
            2
            > as 2
            ok
            > queue before {"n":1}
            ok
            > spawn child
            3
            > as 1
            ok
            > kill 2 19
            ok
            > send 2 hi {"a":1}
            true
            > as 3
            ok
            > exit 4
            ok
            > as 2
            ok
            > peek
            nil
            > pull timeout=0.2
            nil
            > pull before timeout=0.2
            nil
            > queue own
            ok
            > getpid
            2
            > as 1
            ok
            > ps
            PID PPID USER STATE QUEUED NAME
            1 0 root running 0 init
            2 1 root stopped 4 w
            > kill 2 18
            ok
            > as 2
            ok
            > peek
            before {"n":1}
            > pull
            before {"n":1}
            > pull
            remote_event {"data":{"a":1},"sender":1,"type":"hi"}
            > pull
            process_complete {"code":4,"id":3}
            > pull
            own {}
            > pull
            signal {"signal":18}
            > pull timeout=0.2
            nil
            """);
    }

    @Test
    void contToRunningProcessAndOtherSignalsAreQueuedAsEvents()
    {
        transcript("""
            > spawn w
            2
            > kill 2 18
            ok
            > kill 2 10
            ok
            > kill 2 12
            ok
            > kill 2 0
            ok
            > kill 2 -5
            ok
            > kill 2 64
            ok
            > kill 2 100000
            ok
            > ps
            PID PPID USER STATE QUEUED NAME
            1 0 root running 0 init
            2 1 root running 7 w
            > as 2
            ok
            > pull
            signal {"signal":18}
            > pull
            signal {"signal":10}
            > pull
            signal {"signal":12}
            > pull
            signal {"signal":0}
            > pull
            signal {"signal":-5}
            > pull
            signal {"signal":64}
            > pull
            signal {"signal":100000}
            """);
    }

    @Test
    void pid1IsNeverEndedOrStoppedAndKill1With9IsDeniedEvenForRoot()
    {
        transcript("""
            > kill 1 9
            error: Permission denied
            > getuser
            root
            > kill 1 1
            ok
            > kill 1 2
            ok
            > kill 1 3
            ok
            > kill 1 6
            ok
            > kill 1 13
            ok
            > kill 1 15
            ok
            > kill 1 19
            ok
            > kill 1 21
            ok
            > kill 1 22
            ok
            > kill 1 18
            ok
            > kill 1 12
            ok
            > ps
            PID PPID USER STATE QUEUED NAME
            1 0 root running 11 init
            > pull
            signal {"signal":1}
            > pull
            signal {"signal":2}
            > pull
            signal {"signal":3}
            > pull
            signal {"signal":6}
            > pull
            signal {"signal":13}
            > pull
            signal {"signal":15}
            > pull
            signal {"signal":19}
            > pull
            signal {"signal":21}
            > pull
            signal {"signal":22}
            > pull
            signal {"signal":18}
            > pull
            signal {"signal":12}
            > spawn
            2
            > as 2
            ok
            > kill 1 9
            error: Permission denied
            > kill 1 15
            ok
            > as 1
            ok
            > pull
            signal {"signal":15}
            """);
    }
}
