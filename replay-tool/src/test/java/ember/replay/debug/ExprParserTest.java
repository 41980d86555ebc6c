package ember.replay.debug;

import ember.kernel.state.KernelState;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The condition language: what parses, how it evaluates on the empty state, and its one-line errors. */
class ExprParserTest
{
    private static final KernelState EMPTY = new KernelState();

    private static boolean eval(final String source)
    {
        return ExprParser.parse(source).test(EMPTY);
    }

    private static String error(final String source)
    {
        return assertThrows(ExprException.class, () -> ExprParser.parse(source)).getMessage();
    }

    @Test
    void evaluatesOverTheState()
    {
        assertTrue(eval("exists(1)"));
        assertFalse(eval("exists(2)"));
        assertTrue(eval("user(1) == \"root\" && name(1) == 'init'"));
        assertTrue(eval("user(2) != \"root\""), "nil is not root");
        assertTrue(eval("queued(1) == 0 and timers(1) < 1 and parent(1) == 0"));
        assertTrue(eval("!stopped(1) || stopped(1)"));
        assertTrue(eval("not handler(1, TERM) and not handler(1, 15)"));
        assertTrue(eval("index == 0"));
        assertTrue(eval("(queued(7) > 100) == false"));
        assertTrue(eval("queued(1) > -1"));
        assertEquals("queued(7) > 100 && stopped(3)", ExprParser.parse("queued( 7 )>100&&stopped(3)").toString());
    }

    @Test
    void errorsNameTheColumn()
    {
        assertEquals("at column 12: expected a value, found the end in 'queued(7) >'", error("queued(7) >"));
        assertEquals("at column 11: '=' is not an operator; compare with '=='", error("queued(7) = 1"));
        assertEquals("at column 1: unknown name 'frob'; functions: queued(P), timers(P), parent(P), exists(P), " +
            "stopped(P), handler(P, S), user(P), name(P); also index, true, false in 'frob(1)'", error("frob(1)"));
        assertEquals("'queued(7)' is a number, not a condition; compare it, e.g. queued(7) > 0", error("queued(7)"));
        assertEquals("at column 9: cannot compare a string ('user(4)') with a number ('1') in 'user(4) == 1'",
            error("user(4) == 1"));
        assertEquals("at column 9: '<' compares numbers; strings only with == and != in 'user(4) < \"b\"'",
            error("user(4) < \"b\""));
        assertEquals("at column 9: expected ')', found the end in 'queued(7'", error("queued(7"));
        assertEquals("at column 9: exists takes 1 argument in 'exists(1, 2)'", error("exists(1, 2)"));
        assertEquals("at column 12: unknown signal 'BOGUS'; a number or one of " +
            ember.replay.audit.SignalNames.table() + " in 'handler(1, BOGUS)'", error("handler(1, BOGUS)"));
        assertEquals("at column 8: argument 1 of queued must be a number, not a string ('\"x\"') in 'queued(\"x\")'",
            error("queued(\"x\")"));
        assertEquals("at column 11: '&&' needs conditions, but 'queued(1)' is a number in 'exists(1) && queued(1)'",
            error("exists(1) && queued(1)"));
        assertEquals("at column 11: unexpected ')' in 'exists(1) )'", error("exists(1) )"));
        assertEquals("at column 10: unterminated string", error("user(1)==\"ro"));
        assertEquals("empty expression; e.g. queued(7) > 100", error("  "));
        assertEquals("at column 6: unexpected character '$'", error("index$"));
    }
}
