package ember.kernel.shell;

import org.junit.jupiter.api.Test;

/** A second shell run on the same DIR continues the kernel (SPEC §6/§7: the journal is the kernel). */
class PersistenceShellTest extends ShellTestSupport
{
    @Test
    void secondRunContinuesPidsQueuesUsersNamesAndStates()
    {
        transcript("""
            > spawn w
            2
            > spawn s
            3
            > as 2
            ok
            > setuser alice
            ok
            > register svc
            true
            > queue kept {"int":5,"f":2.5,"g":5.0,"l":[1,"a"]}
            ok
            > as 1
            ok
            > send 2 hi "text"
            true
            > kill 3 19
            ok
            > spawn gone
            4
            > kill 4 15
            ok
            """);
        transcript("""
            > getpid
            1
            > ps
            PID PPID USER STATE QUEUED NAME
            1 0 root running 1 init
            2 1 alice running 2 w
            3 1 root stopped 0 s
            > spawn
            5
            > lookup svc
            2
            > pull
            process_complete {"id":4,"signal":15}
            > as 4
            error: No such process
            > as 2
            ok
            > getuser
            alice
            > pull
            kept {"f":2.5,"g":5.0,"int":5,"l":[1,"a"]}
            > pull
            remote_event {"data":"text","sender":1,"type":"hi"}
            > as 1
            ok
            > kill 3 18
            ok
            > as 3
            ok
            > pull
            signal {"signal":18}
            """);
    }

    @Test
    void secondRunContinuesTimerIdsAndPendingTimersFire()
    {
        // timer 1 falls due while no shell runs (fires on the next open); timer 2 is still pending
        // when run 2 starts, or at least was when run 1 ended
        transcript("""
            > timer 0.3
            1
            > spawn w
            2
            > as 2
            ok
            > timer 2
            2
            > alarm 5
            2147483651
            > timer 30
            4
            """);
        pause(700);
        transcript("""
            > timer 30
            5
            > alarm 6
            2147483654
            > pull timer timeout=10
            timer {"id":1}
            > as 2
            ok
            > pull timer timeout=10
            timer {"id":2}
            > cancel 4
            ok
            > pull timeout=0.2
            nil
            """);
        transcript("""
            > timer 1
            7
            > spawn
            3
            """);
    }
}
