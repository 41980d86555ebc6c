package ember.kernel.shell;

import org.junit.jupiter.api.Test;

/** SPEC §2 (events) through {@code bin/ember shell}. */
class EventsShellTest extends ShellTestSupport
{
    @Test
    void queueAppendsToOwnQueueAndPeekShowsTheHeadWithoutRemovingIt()
    {
        transcript("""
            > peek
            nil
            > queue first {"n":1}
            ok
            > queue second {"n":2}
            ok
            > queue third
            ok
            > peek
            first {"n":1}
            > peek
            first {"n":1}
            > pull
            first {"n":1}
            > peek
            second {"n":2}
            > pull
            second {"n":2}
            > pull
            third {}
            > peek
            nil
            > spawn w
            2
            > as 2
            ok
            > queue mine {"who":2}
            ok
            > as 1
            ok
            > peek
            nil
            > ps
            PID PPID USER STATE QUEUED NAME
            1 0 root running 0 init
            2 1 root running 1 w
            > as 2
            ok
            > pull
            mine {"who":2}
            """);
    }

    @Test
    void pullWithNamesTakesFirstMatchingAndKeepsTheRestInOrder()
    {
        transcript("""
            > queue a {"n":1}
            ok
            > queue b {"n":2}
            ok
            > queue c {"n":3}
            ok
            > queue b {"n":4}
            ok
            > queue d {"n":5}
            ok
            > pull c
            c {"n":3}
            > pull d b
            b {"n":2}
            > pull x y timeout=0.2
            nil
            > peek
            a {"n":1}
            > pull
            a {"n":1}
            > pull
            b {"n":4}
            > pull
            d {"n":5}
            > pull timeout=0.2
            nil
            """);
    }

    @Test
    void pullTimesOutWithNilAndOtherwiseWaitsForAnArrival()
    {
        transcript("""
            > pull timeout=0.2
            nil
            > pull timeout=0
            nil
            > queue other
            ok
            > pull wanted timeout=0.2
            nil
            > timer 0.3
            1
            > pull timer timeout=10
            timer {"id":1}
            > pull
            other {}
            """);
    }

    @Test
    void sendQueuesRemoteEventAndReturnsTrueOnlyForLiveProcesses()
    {
        transcript("""
            > spawn w
            2
            > send 2 ping {"z":1}
            true
            > send 99 ping {"z":1}
            false
            > as 2
            ok
            > pull
            remote_event {"data":{"z":1},"sender":1,"type":"ping"}
            > send 2 self {}
            true
            > pull
            remote_event {"data":{},"sender":2,"type":"self"}
            > send 1 pong {"a":[1,2]}
            true
            > exit
            ok
            > as 1
            ok
            > send 2 late
            false
            > pull
            remote_event {"data":{"a":[1,2]},"sender":2,"type":"pong"}
            > pull
            process_complete {"code":0,"id":2}
            > pull timeout=0.2
            nil
            """);
    }

    @Test
    void anyProcessMaySendToAnyProcess()
    {
        transcript("""
            > spawn alice
            2
            > spawn bob
            3
            > as 2
            ok
            > setuser alice
            ok
            > as 3
            ok
            > setuser bob
            ok
            > send 2 hi
            true
            > send 1 hi
            true
            > as 2
            ok
            > pull
            remote_event {"data":{},"sender":3,"type":"hi"}
            > as 1
            ok
            > pull
            remote_event {"data":{},"sender":3,"type":"hi"}
            """);
    }

    @Test
    void sendDataIsAnyJsonValueOrTextOrEmptyTable()
    {
        transcript("""
            > send 1 obj {"b":{"y":2,"x":1},"a":true}
            true
            > send 1 num 42
            true
            > send 1 dbl 2.5
            true
            > send 1 list [1,"a",false,5.0]
            true
            > send 1 str "quoted"
            true
            > send 1 none
            true
            > send 1 text text that is not json
            true
            > send 1 bool false
            true
            > send 1 7 8
            true
            > pull
            remote_event {"data":{"a":true,"b":{"x":1,"y":2}},"sender":1,"type":"obj"}
            > pull
            remote_event {"data":42,"sender":1,"type":"num"}
            > pull
            remote_event {"data":2.5,"sender":1,"type":"dbl"}
            > pull
            remote_event {"data":[1,"a",false,5.0],"sender":1,"type":"list"}
            > pull
            remote_event {"data":"quoted","sender":1,"type":"str"}
            > pull
            remote_event {"data":{},"sender":1,"type":"none"}
            > pull
            remote_event {"data":"text that is not json","sender":1,"type":"text"}
            > pull
            remote_event {"data":false,"sender":1,"type":"bool"}
            > pull
            remote_event {"data":8,"sender":1,"type":"7"}
            """);
    }

    @Test
    void parameterTablesKeepIntegerVersusFloatTypesNestingAndPrintWithSortedKeys()
    {
        transcript("""
            > queue types {"int":5,"half":2.5,"whole":5.0,"neg":-7,"negf":-0.5,"big":9007199254740993,"s":"5","t":true,"f":false}
            ok
            > pull
            types {"big":9007199254740993,"f":false,"half":2.5,"int":5,"neg":-7,"negf":-0.5,"s":"5","t":true,"whole":5.0}
            > queue nested {"z":1,"a":{"y":[1,2.5,5.0,"s",true,{"k":"v","c":3}],"b":-3},"m":"hi"}
            ok
            > pull
            nested {"a":{"b":-3,"y":[1,2.5,5.0,"s",true,{"c":3,"k":"v"}]},"m":"hi","z":1}
            > queue spaced { "b" : [ 1 , 2 ] , "a" : 1 }
            ok
            > pull
            spaced {"a":1,"b":[1,2]}
            > queue esc {"s":"a\\"b\\\\c"}
            ok
            > pull
            esc {"s":"a\\"b\\\\c"}
            """);
    }

    @Test
    void queueRequiresAJsonObject()
    {
        transcript("""
            > queue x notjson
            error: bad argument #2 to 'queueEvent' (expected table, got string)
            > queue x "str"
            error: bad argument #2 to 'queueEvent' (expected table, got string)
            > queue x 5
            error: bad argument #2 to 'queueEvent' (expected table, got number)
            > queue x 2.5
            error: bad argument #2 to 'queueEvent' (expected table, got number)
            > queue x true
            error: bad argument #2 to 'queueEvent' (expected table, got boolean)
            > queue x [1]
            error: bad argument #2 to 'queueEvent' (expected table, got array)
            > queue
            error: bad argument #1 to 'queueEvent' (expected string, got nil)
            > peek
            nil
            > queue 5
            ok
            > pull
            5 {}
            """);
    }

}
