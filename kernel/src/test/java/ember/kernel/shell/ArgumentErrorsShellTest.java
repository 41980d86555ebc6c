package ember.kernel.shell;

import org.junit.jupiter.api.Test;

/**
 * SPEC §5 (argument errors) and §7's word typing through {@code bin/ember shell}: each word is
 * passed as the type the syscall expects when it reads as that type, otherwise as a string.
 */
class ArgumentErrorsShellTest extends ShellTestSupport
{
    @Test
    void wrongTypesReadExpectedGotAndPullTimeoutNamesTheWordsPosition()
    {
        transcript("""
            > timer abc
            error: bad argument #1 to 'timer' (expected number, got string)
            > alarm abc
            error: bad argument #1 to 'alarm' (expected number, got string)
            > cancel abc
            error: bad argument #1 to 'cancel' (expected number, got string)
            > kill abc 1
            error: bad argument #1 to 'kill' (expected number, got string)
            > kill 1 abc
            error: bad argument #2 to 'kill' (expected number, got string)
            > exit abc
            error: bad argument #1 to 'exit' (expected number, got string)
            > as abc
            error: bad argument #1 to 'as' (expected number, got string)
            > send abc x
            error: bad argument #1 to 'sendEvent' (expected number, got string)
            > signal abc on
            error: bad argument #1 to 'signal' (expected number, got string)
            > signal 5 maybe
            error: bad argument #2 to 'signal' (expected function, got string)
            > sleep abc
            error: bad argument #1 to 'sleep' (expected number, got string)
            > pull timeout=abc
            error: bad argument #1 to 'pullEvent' (expected number, got string)
            > pull a timeout=abc
            error: bad argument #2 to 'pullEvent' (expected number, got string)
            > pull a b timeout=xyz
            error: bad argument #3 to 'pullEvent' (expected number, got string)
            """);
    }

    @Test
    void missingArgumentsReadGotNil()
    {
        transcript("""
            > timer
            error: bad argument #1 to 'timer' (expected number, got nil)
            > alarm
            error: bad argument #1 to 'alarm' (expected number, got nil)
            > cancel
            error: bad argument #1 to 'cancel' (expected number, got nil)
            > kill
            error: bad argument #1 to 'kill' (expected number, got nil)
            > kill 1
            error: bad argument #2 to 'kill' (expected number, got nil)
            > as
            error: bad argument #1 to 'as' (expected number, got nil)
            > setuser
            error: bad argument #1 to 'setuser' (expected string, got nil)
            > register
            error: bad argument #1 to 'register' (expected string, got nil)
            > lookup
            error: bad argument #1 to 'lookup' (expected string, got nil)
            > send
            error: bad argument #1 to 'sendEvent' (expected number, got nil)
            > send 1
            error: bad argument #2 to 'sendEvent' (expected string, got nil)
            > queue
            error: bad argument #1 to 'queueEvent' (expected string, got nil)
            > signal
            error: bad argument #1 to 'signal' (expected number, got nil)
            > signal 5
            error: bad argument #2 to 'signal' (expected function, got nil)
            > sleep
            error: bad argument #1 to 'sleep' (expected number, got nil)
            """);
    }

    @Test
    void integersWithoutIntegerRepresentationAreRejected()
    {
        transcript("""
            > exit 1.5
            error: bad argument #1 to 'exit' (number has no integer representation)
            > kill 1 2.5
            error: bad argument #2 to 'kill' (number has no integer representation)
            > cancel 1.5
            error: bad argument #1 to 'cancel' (number has no integer representation)
            > signal 2.5 on
            error: bad argument #1 to 'signal' (number has no integer representation)
            > spawn
            2
            > as 2
            ok
            > exit 1.5
            error: bad argument #1 to 'exit' (number has no integer representation)
            > getpid
            2
            """);
    }

    @Test
    void wordsThatReadAsNumbersAreStringsWhereAStringIsExpected()
    {
        transcript("""
            > spawn 7
            2
            > register 5
            true
            > lookup 5
            1
            > queue 42 {"n":1}
            ok
            > pull 42
            42 {"n":1}
            > ps
            PID PPID USER STATE QUEUED NAME
            1 0 root running 0 init
            2 1 root running 0 7
            """);
    }

    @Test
    void rejectedSyscallsChangeNoState()
    {
        transcript("""
            > timer abc
            error: bad argument #1 to 'timer' (expected number, got string)
            > alarm 24
            error: bad argument #1 to 'alarm' (hour must be at least 0 and less than 24)
            > timer 30
            1
            > spawn w
            2
            > as 2
            ok
            > setuser alice
            ok
            > kill 1 15
            error: Permission denied
            > setuser bob
            error: Permission denied
            > getuser
            alice
            > exit 2.5
            error: bad argument #1 to 'exit' (number has no integer representation)
            > as 1
            ok
            > exit
            error: Permission denied
            > queue x [1]
            error: bad argument #2 to 'queueEvent' (expected table, got array)
            > ps
            PID PPID USER STATE QUEUED NAME
            1 0 root running 0 init
            2 1 alice running 0 w
            > alarm 1
            2147483650
            """);
    }
}
