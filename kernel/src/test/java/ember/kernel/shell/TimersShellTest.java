package ember.kernel.shell;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** SPEC §4 (timers and alarms) through {@code bin/ember shell}. */
class TimersShellTest extends ShellTestSupport
{
    @Test
    void idsShareOneCounterStartingAt1WithBit31MarkingAlarmsAndAlarmHourIsChecked()
    {
        // out-of-range hours are rejected and draw no id
        transcript("""
            > alarm 24
            error: bad argument #1 to 'alarm' (hour must be at least 0 and less than 24)
            > alarm 24.5
            error: bad argument #1 to 'alarm' (hour must be at least 0 and less than 24)
            > alarm -1
            error: bad argument #1 to 'alarm' (hour must be at least 0 and less than 24)
            > alarm -0.5
            error: bad argument #1 to 'alarm' (hour must be at least 0 and less than 24)
            > alarm 100
            error: bad argument #1 to 'alarm' (hour must be at least 0 and less than 24)
            > timer 30
            1
            > alarm 3
            2147483650
            > timer 30
            3
            > spawn
            2
            > as 2
            ok
            > alarm 0
            2147483652
            > timer 0.5
            5
            > alarm 23.999
            2147483654
            > cancel 2147483654
            ok
            > alarm 12.5
            2147483655
            > timer 30
            8
            """);
    }

    @Test
    void timerQueuesTimerEventAfterItsDeadlineAndNeverBefore()
    {
        try (InteractiveShell shell = new InteractiveShell(dir))
        {
            assertEquals("1", shell.send("getpid").text());
            final long sent = System.nanoTime();
            assertEquals("1", shell.send("timer 1").text());
            final InteractiveShell.Line fired = shell.send("pull timer timeout=20");
            assertEquals("timer {\"id\":1}", fired.text(), shell::transcript);
            final long elapsedMs = (fired.nanos() - sent) / 1_000_000;
            assertTrue(elapsedMs >= 1_000, "timer 1 fired after only " + elapsedMs + " ms");

            assertEquals("2", shell.send("timer 0.05").text());
            assertEquals("ok", shell.send("sleep 0.3").text());
            assertEquals("timer {\"id\":2}", shell.send("pull").text());
            assertEquals("nil", shell.send("pull timeout=0.2").text());
        }
    }

    @Test
    void nonPositiveTimerFiresOnTheNextTick()
    {
        transcript("""
            > timer 0
            1
            > pull timer timeout=5
            timer {"id":1}
            > timer -1
            2
            > pull timer timeout=5
            timer {"id":2}
            > timer -0.5
            3
            > pull timer timeout=5
            timer {"id":3}
            > pull timeout=0.2
            nil
            """);
    }

    @Test
    void cancelOfOwnTimerPreventsFiring()
    {
        try (InteractiveShell shell = new InteractiveShell(dir))
        {
            assertEquals("1", shell.send("getpid").text());
            final long sent = System.nanoTime();
            assertEquals("1", shell.send("timer 1.5").text());
            assertEquals("2", shell.send("timer 1.7").text());
            assertEquals("3", shell.send("timer 1.5").text());
            assertEquals("ok", shell.send("cancel 1").text());
            final InteractiveShell.Line cancelled = shell.send("cancel 3");
            assertEquals("ok", cancelled.text());
            assumeTrue(cancelled.nanos() - sent < 1_400_000_000L, "machine too slow to cancel before the deadline");
            // 1 and 3 were due before 2: had either fired it would be pulled first
            assertEquals("timer {\"id\":2}", shell.send("pull timer timeout=20").text(), shell::transcript);
            assertEquals("nil", shell.send("pull timeout=0.2").text(), shell::transcript);
            assertEquals("ok", shell.send("cancel 2").text());
            assertEquals("ok", shell.send("cancel 1").text());
        }
    }

    @Test
    void cancelOfAnotherProcessesTimerOrAnUnknownIdIsIgnoredAndTimersFireToTheirOwnerOnly()
    {
        transcript("""
            > spawn w
            2
            > as 2
            ok
            > timer 0.05
            1
            > as 1
            ok
            > cancel 1
            ok
            > cancel 999
            ok
            > cancel 2147483649
            ok
            > cancel 0
            ok
            > cancel -4
            ok
            > sleep 0.3
            ok
            > as 2
            ok
            > pull
            timer {"id":1}
            > as 1
            ok
            > pull timeout=0.2
            nil
            > timer 30
            2
            """);
    }

    @Test
    void timersOfAnEndedProcessAreCancelled()
    {
        transcript("""
            > spawn exits
            2
            > spawn killed
            3
            > as 2
            ok
            > timer 0.05
            1
            > timer 0
            2
            > exit
            ok
            > as 3
            ok
            > timer 0.05
            3
            > alarm 12
            2147483652
            > as 1
            ok
            > kill 3 15
            ok
            > sleep 0.3
            ok
            > pull
            process_complete {"code":0,"id":2}
            > pull
            process_complete {"id":3,"signal":15}
            > pull timeout=0.2
            nil
            > ps
            PID PPID USER STATE QUEUED NAME
            1 0 root running 0 init
            > timer 30
            5
            """);
    }

    @Test
    void alarmFiresWhenTheUtcTimeOfDayReachesItsHourAndCancelStopsAnAlarm()
    {
        try (InteractiveShell shell = new InteractiveShell(dir))
        {
            assertEquals("1", shell.send("getpid").text());
            final long target = System.currentTimeMillis() + 2_000;
            final String hour = hourAt(target);
            assertEquals("2147483649", shell.send("alarm " + hour).text());
            assertEquals("2147483650", shell.send("alarm " + hour).text());
            final InteractiveShell.Line cancelled = shell.send("cancel 2147483650");
            assertEquals("ok", cancelled.text());
            assumeTrue(cancelled.epochMillis() < target - 400, "machine too slow to set the alarms before their hour");
            assertEquals("nil", shell.send("pull alarm timeout=0.2").text(), shell::transcript);
            final InteractiveShell.Line fired = shell.send("pull alarm timeout=20");
            assertEquals("alarm {\"id\":2147483649}", fired.text(), shell::transcript);
            assertTrue(fired.epochMillis() >= target - 2,
                "alarm for " + hour + " fired " + (target - fired.epochMillis()) + " ms early");
            // the cancelled alarm had the same deadline: it would have been queued with the first
            assertEquals("nil", shell.send("pull timeout=0.3").text(), shell::transcript);
        }
    }

}
