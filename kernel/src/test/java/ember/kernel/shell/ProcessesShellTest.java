package ember.kernel.shell;

import org.junit.jupiter.api.Test;

/** SPEC §1 (processes and users) through {@code bin/ember shell}. */
class ProcessesShellTest extends ShellTestSupport
{
    @Test
    void newJournalStartsWithInitAsPid1RootParent0WhichCannotExit()
    {
        transcript("""
            > getpid
            1
            > getppid
            0
            > getuser
            root
            > ps
            PID PPID USER STATE QUEUED NAME
            1 0 root running 0 init
            > exit
            error: Permission denied
            > exit 4
            error: Permission denied
            > getpid
            1
            > ps
            PID PPID USER STATE QUEUED NAME
            1 0 root running 0 init
            """);
    }

    @Test
    void spawnMakesChildOfCallerWithCallersNameAndUserAndGrowingPids()
    {
        transcript("""
            > spawn worker
            2
            > as 2
            ok
            > getpid
            2
            > getppid
            1
            > getuser
            root
            > spawn
            3
            > setuser alice
            ok
            > spawn helper
            4
            > as 4
            ok
            > getppid
            2
            > getuser
            alice
            > spawn
            5
            > as 5
            ok
            > getuser
            alice
            > getppid
            4
            > ps
            PID PPID USER STATE QUEUED NAME
            1 0 root running 0 init
            2 1 alice running 0 worker
            3 2 root running 0 worker
            4 2 alice running 0 helper
            5 4 alice running 0 helper
            """);
    }

    @Test
    void pidsAreNeverReusedAfterExit()
    {
        transcript("""
            > spawn a
            2
            > spawn b
            3
            > as 3
            ok
            > exit
            ok
            > as 2
            ok
            > exit
            ok
            > as 1
            ok
            > spawn c
            4
            > ps
            PID PPID USER STATE QUEUED NAME
            1 0 root running 2 init
            4 1 root running 0 c
            """);
    }

    @Test
    void exitSendsProcessCompleteWithCodeToLiveParent()
    {
        transcript("""
            > spawn w
            2
            > as 2
            ok
            > exit 3
            ok
            > as 1
            ok
            > spawn
            3
            > as 3
            ok
            > exit
            ok
            > as 1
            ok
            > spawn
            4
            > as 4
            ok
            > exit -1
            ok
            > as 1
            ok
            > pull
            process_complete {"code":3,"id":2}
            > pull
            process_complete {"code":0,"id":3}
            > pull
            process_complete {"code":-1,"id":4}
            > pull timeout=0.2
            nil
            """);
    }

    @Test
    void exitReparentsLiveChildrenToPid1WhichThenGetsTheirProcessComplete()
    {
        transcript("""
            > spawn parent
            2
            > as 2
            ok
            > spawn child
            3
            > spawn child2
            4
            > as 3
            ok
            > getppid
            2
            > as 2
            ok
            > exit 7
            ok
            > as 3
            ok
            > getppid
            1
            > exit 5
            ok
            > as 4
            ok
            > getppid
            1
            > ps
            PID PPID USER STATE QUEUED NAME
            1 0 root running 2 init
            4 1 root running 0 child2
            > as 1
            ok
            > pull
            process_complete {"code":7,"id":2}
            > pull
            process_complete {"code":5,"id":3}
            > pull timeout=0.2
            nil
            """);
    }

    @Test
    void setuserIsRootOnly()
    {
        transcript("""
            > spawn w
            2
            > as 2
            ok
            > setuser alice
            ok
            > getuser
            alice
            > setuser bob
            error: Permission denied
            > setuser root
            error: Permission denied
            > setuser alice
            error: Permission denied
            > getuser
            alice
            > spawn
            3
            > as 3
            ok
            > setuser root
            error: Permission denied
            > as 1
            ok
            > setuser root
            ok
            > getuser
            root
            > ps
            PID PPID USER STATE QUEUED NAME
            1 0 root running 0 init
            2 1 alice running 0 w
            3 2 alice running 0 w
            """);
    }

    @Test
    void setuserAcceptsOnly1To64CharactersOfTheAllowedSet()
    {
                transcript("""
            > spawn
            2
            > as 2
            ok
            > setuser bad!name
            error: bad argument #1 to 'setuser' (user must be 1-64 characters of A-Z a-z 0-9 _ . -)
            > setuser ünicode
            error: bad argument #1 to 'setuser' (user must be 1-64 characters of A-Z a-z 0-9 _ . -)
            > setuser a/b
            error: bad argument #1 to 'setuser' (user must be 1-64 characters of A-Z a-z 0-9 _ . -)
            > setuser LONG65
            error: bad argument #1 to 'setuser' (user must be 1-64 characters of A-Z a-z 0-9 _ . -)
            > getuser
            root
            > setuser LONG64
            ok
            > getuser
            LONG64
            > as 1
            ok
            > spawn
            3
            > as 3
            ok
            > setuser A-z_0.9
            ok
            > getuser
            A-z_0.9
            > as 1
            ok
            > spawn
            4
            > as 4
            ok
            > setuser 123
            ok
            > getuser
            123
            """.replace("LONG65", "b".repeat(65)).replace("LONG64", "a".repeat(64)));
    }

    @Test
    void registerClaimsNameOnceAndLookupFindsIt()
    {
        transcript("""
            > lookup svc
            nil
            > register svc
            true
            > register svc
            false
            > lookup svc
            1
            > spawn
            2
            > as 2
            ok
            > register svc
            false
            > register other
            true
            > lookup other
            2
            > lookup svc
            1
            > register 5
            true
            > lookup 5
            2
            > lookup nothing
            nil
            """);
    }

    @Test
    void serviceNamesAreReleasedWhenTheProcessEndsByExitOrSignal()
    {
        transcript("""
            > spawn a
            2
            > spawn b
            3
            > spawn c
            4
            > as 2
            ok
            > register byexit
            true
            > exit
            ok
            > as 3
            ok
            > register bykill
            true
            > as 4
            ok
            > register byterm
            true
            > as 1
            ok
            > lookup byexit
            nil
            > send 2 hello
            false
            > kill 3 9
            ok
            > lookup bykill
            nil
            > kill 4 15
            ok
            > lookup byterm
            nil
            > register byexit
            true
            > register bykill
            true
            > register byterm
            true
            """);
    }
}
