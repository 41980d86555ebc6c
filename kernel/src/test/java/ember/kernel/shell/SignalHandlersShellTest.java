package ember.kernel.shell;

import org.junit.jupiter.api.Test;

/** SPEC §3 (signal handlers and replaced dispositions) through {@code bin/ember shell}. */
class SignalHandlersShellTest extends ShellTestSupport
{
    @Test
    void handlerRunsInTargetBeforeTheResultLineAndNothingIsQueuedAlsoForPid1()
    {
        transcript("""
            > spawn w
            2
            > as 2
            ok
            > signal 12 on
            ok
            > signal 15 on
            ok
            > signal 1 on
            ok
            > kill 2 12
            handler 2 12
            ok
            > as 1
            ok
            > kill 2 15
            handler 2 15
            ok
            > kill 2 1
            handler 2 1
            ok
            > kill 2 12
            handler 2 12
            ok
            > ps
            PID PPID USER STATE QUEUED NAME
            1 0 root running 0 init
            2 1 root running 0 w
            > kill 2 10
            ok
            > as 2
            ok
            > pull
            signal {"signal":10}
            > pull timeout=0.2
            nil
            > as 1
            ok
            > signal 15 on
            ok
            > signal 19 on
            ok
            > kill 1 15
            handler 1 15
            ok
            > kill 1 19
            handler 1 19
            ok
            > ps
            PID PPID USER STATE QUEUED NAME
            1 0 root running 0 init
            2 1 root running 0 w
            """);
    }

    @Test
    void handledStopRunsHandlerAndDoesNotStop()
    {
        transcript("""
            > spawn w
            2
            > as 2
            ok
            > signal 19 on
            ok
            > signal 21 on
            ok
            > as 1
            ok
            > kill 2 19
            handler 2 19
            ok
            > kill 2 21
            handler 2 21
            ok
            > send 2 hi
            true
            > ps
            PID PPID USER STATE QUEUED NAME
            1 0 root running 0 init
            2 1 root running 1 w
            > as 2
            ok
            > pull
            remote_event {"data":{},"sender":1,"type":"hi"}
            """);
    }

    @Test
    void handlerCallsHeldWhileStoppedRunInOrderOnCont()
    {
        transcript("""
            > spawn w
            2
            > as 2
            ok
            > signal 12 on
            ok
            > signal 10 on
            ok
            > signal 15 on
            ok
            > as 1
            ok
            > kill 2 19
            ok
            > kill 2 12
            ok
            > kill 2 10
            ok
            > kill 2 15
            ok
            > kill 2 12
            ok
            > ps
            PID PPID USER STATE QUEUED NAME
            1 0 root running 0 init
            2 1 root stopped 0 w
            > kill 2 18
            handler 2 12
            handler 2 10
            handler 2 15
            handler 2 12
            ok
            > ps
            PID PPID USER STATE QUEUED NAME
            1 0 root running 0 init
            2 1 root running 1 w
            > as 2
            ok
            > pull
            signal {"signal":18}
            """);
    }

    @Test
    void handledContResumesThenRunsItsHandlerInsteadOfQueueing()
    {
        transcript("""
            > spawn w
            2
            > as 2
            ok
            > signal 18 on
            ok
            > signal 12 on
            ok
            > as 1
            ok
            > kill 2 18
            handler 2 18
            ok
            > kill 2 22
            ok
            > kill 2 12
            ok
            > kill 2 18
            handler 2 12
            handler 2 18
            ok
            > ps
            PID PPID USER STATE QUEUED NAME
            1 0 root running 0 init
            2 1 root running 0 w
            """);
    }

    @Test
    void removedDispositionQueuesTheSignalAsAnEventButContStillResumes()
    {
        transcript("""
            > spawn w
            2
            > as 2
            ok
            > signal 15 off
            ok
            > signal 19 off
            ok
            > signal 3 off
            ok
            > signal 12 on
            ok
            > signal 12 off
            ok
            > kill 2 15
            ok
            > kill 2 19
            ok
            > kill 2 3
            ok
            > kill 2 12
            ok
            > ps
            PID PPID USER STATE QUEUED NAME
            1 0 root running 0 init
            2 1 root running 4 w
            > pull
            signal {"signal":15}
            > pull
            signal {"signal":19}
            > pull
            signal {"signal":3}
            > pull
            signal {"signal":12}
            > signal 18 off
            ok
            > kill 2 21
            ok
            > ps
            PID PPID USER STATE QUEUED NAME
            1 0 root running 0 init
            2 1 root stopped 0 w
            > kill 2 18
            ok
            > ps
            PID PPID USER STATE QUEUED NAME
            1 0 root running 0 init
            2 1 root running 1 w
            > pull
            signal {"signal":18}
            """);
    }

    @Test
    void signal9OnOrOffHasNoEffect()
    {
        transcript("""
            > spawn on
            2
            > spawn off
            3
            > as 2
            ok
            > signal 9 on
            ok
            > as 3
            ok
            > signal 9 off
            ok
            > as 1
            ok
            > kill 2 9
            ok
            > kill 3 9
            ok
            > pull
            process_complete {"id":2,"signal":9}
            > pull
            process_complete {"id":3,"signal":9}
            > pull timeout=0.2
            nil
            """);
    }

    @Test
    void handlersOfAClientThatIsGoneAreQueuedAsSignalEvents()
    {
        transcript("""
            > spawn w
            2
            > as 2
            ok
            > signal 12 on
            ok
            > signal 15 on
            ok
            > signal 19 on
            ok
            > kill 2 12
            handler 2 12
            ok
            > as 1
            ok
            > signal 10 on
            ok
            """);
        transcript("""
            > kill 2 12
            ok
            > kill 2 15
            ok
            > kill 2 19
            ok
            > kill 1 10
            ok
            > ps
            PID PPID USER STATE QUEUED NAME
            1 0 root running 1 init
            2 1 root running 3 w
            > pull
            signal {"signal":10}
            > as 2
            ok
            > pull
            signal {"signal":12}
            > pull
            signal {"signal":15}
            > pull
            signal {"signal":19}
            > signal 12 on
            ok
            > kill 2 12
            handler 2 12
            ok
            """);
    }

    @Test
    void heldHandlerCallsWhoseClientIsGoneAreQueuedOnCont()
    {
        transcript("""
            > spawn w
            2
            > as 2
            ok
            > signal 12 on
            ok
            > as 1
            ok
            > kill 2 19
            ok
            > kill 2 12
            ok
            """);
        transcript("""
            > kill 2 12
            ok
            > kill 2 18
            ok
            > ps
            PID PPID USER STATE QUEUED NAME
            1 0 root running 0 init
            2 1 root running 3 w
            > as 2
            ok
            > pull
            signal {"signal":12}
            > pull
            signal {"signal":12}
            > pull
            signal {"signal":18}
            """);
    }
}
