package ember.replay.debug;

import ember.replay.audit.SignalNames;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses the condition language of {@code break when}, {@code when} and {@code find}:
 * <pre>
 *   or         := and ( ("||" | "or") and )*
 *   and        := not ( ("&amp;&amp;" | "and") not )*
 *   not        := ("!" | "not") not | comparison
 *   comparison := primary ( ("==" | "!=" | "&lt;" | "&lt;=" | "&gt;" | "&gt;=") primary )?
 *   primary    := INTEGER | "STRING" | true | false | index | FUNCTION "(" args ")" | "(" or ")"
 * </pre>
 * Functions of a process P: {@code queued(P)}, {@code timers(P)}, {@code parent(P)} (numbers),
 * {@code exists(P)}, {@code stopped(P)}, {@code handler(P, S)} (conditions; S a number or a
 * signal name such as {@code TERM}), {@code user(P)}, {@code name(P)} (strings, nil when P does
 * not exist). {@code index} is the last record applied. The whole expression must be a condition.
 * <p>
 * Errors: {@link ExprException}, one line naming the 1-based column. Stateless; any thread.
 */
public final class ExprParser
{
    private final String source;
    private final List<Token> tokens;
    private int at;

    private ExprParser(final String source)
    {
        this.source = source;
        this.tokens = tokenize(source);
    }

    /**
     * @param source the expression as typed.
     * @return its tree, of type {@link Expr.Type#BOOLEAN}.
     * @throws ExprException when it does not parse or is not a condition.
     */
    public static Expr parse(final String source)
    {
        final ExprParser parser = new ExprParser(source);
        if (parser.tokens.size() == 1)
        {
            throw new ExprException("empty expression; e.g. queued(7) > 100");
        }
        final Expr expr = parser.or();
        final Token extra = parser.peek();
        if (extra.kind != Kind.END)
        {
            throw parser.error(extra, "unexpected '" + extra.text + "'");
        }
        if (expr.type() != Expr.Type.BOOLEAN)
        {
            throw new ExprException("'" + expr + "' is " + expr.type().label() + ", not a condition; compare it, " +
                "e.g. " + expr + (expr.type() == Expr.Type.STRING ? " == \"alice\"" : " > 0"));
        }
        return expr;
    }

    private enum Kind
    {
        NUMBER, STRING, IDENT, OP, LPAREN, RPAREN, COMMA, END
    }

    private record Token(Kind kind, String text, int column)
    {
    }

    private static List<Token> tokenize(final String s)
    {
        final List<Token> list = new ArrayList<>();
        int i = 0;
        while (i < s.length())
        {
            final char c = s.charAt(i);
            final int column = i + 1;
            if (Character.isWhitespace(c))
            {
                i++;
            }
            else if (Character.isDigit(c) || (c == '-' && i + 1 < s.length() && Character.isDigit(s.charAt(i + 1)) &&
                !endsOperand(list)))
            {
                int j = i + 1;
                while (j < s.length() && Character.isDigit(s.charAt(j)))
                {
                    j++;
                }
                list.add(new Token(Kind.NUMBER, s.substring(i, j), column));
                i = j;
            }
            else if (Character.isLetter(c) || c == '_')
            {
                int j = i + 1;
                while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_'))
                {
                    j++;
                }
                list.add(new Token(Kind.IDENT, s.substring(i, j), column));
                i = j;
            }
            else if (c == '"' || c == '\'')
            {
                final int end = s.indexOf(c, i + 1);
                if (end < 0)
                {
                    throw new ExprException("at column " + column + ": unterminated string");
                }
                list.add(new Token(Kind.STRING, s.substring(i + 1, end), column));
                i = end + 1;
            }
            else if (c == '(')
            {
                list.add(new Token(Kind.LPAREN, "(", column));
                i++;
            }
            else if (c == ')')
            {
                list.add(new Token(Kind.RPAREN, ")", column));
                i++;
            }
            else if (c == ',')
            {
                list.add(new Token(Kind.COMMA, ",", column));
                i++;
            }
            else
            {
                final String two = i + 1 < s.length() ? s.substring(i, i + 2) : "";
                if (two.equals("==") || two.equals("!=") || two.equals("<=") || two.equals(">=") ||
                    two.equals("&&") || two.equals("||"))
                {
                    list.add(new Token(Kind.OP, two, column));
                    i += 2;
                }
                else if (c == '<' || c == '>' || c == '!')
                {
                    list.add(new Token(Kind.OP, String.valueOf(c), column));
                    i++;
                }
                else if (c == '=')
                {
                    throw new ExprException("at column " + column + ": '=' is not an operator; compare with '=='");
                }
                else
                {
                    throw new ExprException("at column " + column + ": unexpected character '" + c + "'");
                }
            }
        }
        list.add(new Token(Kind.END, "end of expression", s.length() + 1));
        return list;
    }

    /** A '-' after an operand is subtraction, which the language does not have: it stays an error. */
    private static boolean endsOperand(final List<Token> list)
    {
        if (list.isEmpty())
        {
            return false;
        }
        final Kind last = list.get(list.size() - 1).kind;
        return last == Kind.NUMBER || last == Kind.STRING || last == Kind.IDENT || last == Kind.RPAREN;
    }

    private Token peek()
    {
        return tokens.get(at);
    }

    private Token take()
    {
        return tokens.get(at++);
    }

    private boolean takeOp(final String op, final String word)
    {
        final Token t = peek();
        if ((t.kind == Kind.OP && t.text.equals(op)) || (word != null && t.kind == Kind.IDENT && t.text.equals(word)))
        {
            at++;
            return true;
        }
        return false;
    }

    private ExprException error(final Token at, final String message)
    {
        return new ExprException("at column " + at.column + ": " + message + " in '" + source.strip() + "'");
    }

    private Expr or()
    {
        Expr left = and();
        while (true)
        {
            final Token t = peek();
            if (!takeOp("||", "or"))
            {
                return left;
            }
            final Expr right = and();
            requireCondition(t, left, right);
            left = new Expr.Logical(false, left, right);
        }
    }

    private Expr and()
    {
        Expr left = not();
        while (true)
        {
            final Token t = peek();
            if (!takeOp("&&", "and"))
            {
                return left;
            }
            final Expr right = not();
            requireCondition(t, left, right);
            left = new Expr.Logical(true, left, right);
        }
    }

    private void requireCondition(final Token op, final Expr left, final Expr right)
    {
        for (final Expr side : new Expr[] {left, right})
        {
            if (side.type() != Expr.Type.BOOLEAN)
            {
                throw error(op, "'" + op.text + "' needs conditions, but '" + side + "' is " + side.type().label());
            }
        }
    }

    private Expr not()
    {
        final Token t = peek();
        if (takeOp("!", "not"))
        {
            final Expr operand = not();
            if (operand.type() != Expr.Type.BOOLEAN)
            {
                throw error(t, "'!' needs a condition, but '" + operand + "' is " + operand.type().label());
            }
            return new Expr.Not(operand);
        }
        return comparison();
    }

    private Expr comparison()
    {
        final Expr left = primary();
        final Token t = peek();
        final Expr.Comparison.Op op = t.kind == Kind.OP ? op(t.text) : null;
        if (op == null)
        {
            return left;
        }
        at++;
        final Expr right = primary();
        if (left.type() != right.type())
        {
            throw error(t, "cannot compare " + left.type().label() + " ('" + left + "') with " + right.type().label() +
                " ('" + right + "')");
        }
        if (left.type() != Expr.Type.NUMBER && op != Expr.Comparison.Op.EQ && op != Expr.Comparison.Op.NE)
        {
            throw error(t, "'" + t.text + "' compares numbers; " + left.type().label().substring(2) +
                "s only with == and !=");
        }
        return new Expr.Comparison(op, left, right);
    }

    private static Expr.Comparison.Op op(final String text)
    {
        for (final Expr.Comparison.Op op : Expr.Comparison.Op.values())
        {
            if (op.symbol.equals(text))
            {
                return op;
            }
        }
        return null;
    }

    private Expr primary()
    {
        final Token t = take();
        switch (t.kind)
        {
            case NUMBER:
                return new Expr.Number(number(t), false, t.text);
            case STRING:
                return new Expr.Text(t.text, "\"" + t.text + "\"");
            case LPAREN:
                final Expr inner = or();
                expect(Kind.RPAREN, "')'");
                return new Expr.Group(inner);
            case IDENT:
                return identifier(t);
            default:
                throw error(t, "expected a value, found " + (t.kind == Kind.END ? "the end" : "'" + t.text + "'"));
        }
    }

    private Expr identifier(final Token t)
    {
        switch (t.text)
        {
            case "true":
                return new Expr.Literal(true);
            case "false":
                return new Expr.Literal(false);
            case "index":
                return new Expr.Number(0, true, "index");
            default:
                break;
        }
        final Expr.ProcessFunction.Kind kind = Expr.ProcessFunction.Kind.of(t.text);
        if (kind == null)
        {
            throw error(t, "unknown name '" + t.text + "'; functions: queued(P), timers(P), parent(P), exists(P), " +
                "stopped(P), handler(P, S), user(P), name(P); also index, true, false");
        }
        expect(Kind.LPAREN, "'(' after " + t.text);
        final Expr pid = numberArgument(kind, 1);
        Expr signal = null;
        if (kind.arity == 2)
        {
            expect(Kind.COMMA, "',' and a signal: " + t.text + "(P, S)");
            final Token s = peek();
            if (s.kind == Kind.IDENT && Expr.ProcessFunction.Kind.of(s.text) == null && !s.text.equals("index"))
            {
                at++;
                final long number = SignalNames.parse(s.text);
                if (number < 0)
                {
                    throw error(s, "unknown signal '" + s.text + "'; a number or one of " + SignalNames.table());
                }
                signal = new Expr.Number(number, false, s.text);
            }
            else
            {
                signal = numberArgument(kind, 2);
            }
        }
        final Token close = peek();
        if (close.kind == Kind.COMMA)
        {
            throw error(close, t.text + " takes " + kind.arity + " argument" + (kind.arity == 1 ? "" : "s"));
        }
        expect(Kind.RPAREN, "')'");
        final String text = t.text + "(" + pid + (signal != null ? ", " + signal : "") + ")";
        return new Expr.ProcessFunction(kind, pid, signal, text);
    }

    private Expr numberArgument(final Expr.ProcessFunction.Kind kind, final int position)
    {
        final Token start = peek();
        final Expr argument = or();
        if (argument.type() != Expr.Type.NUMBER)
        {
            throw error(start, "argument " + position + " of " + kind.label + " must be a number, not " +
                argument.type().label() + " ('" + argument + "')");
        }
        return argument;
    }

    private void expect(final Kind kind, final String what)
    {
        final Token t = peek();
        if (t.kind != kind)
        {
            throw error(t, "expected " + what + ", found " + (t.kind == Kind.END ? "the end" : "'" + t.text + "'"));
        }
        at++;
    }

    private long number(final Token t)
    {
        try
        {
            return Long.parseLong(t.text);
        }
        catch (final NumberFormatException ex)
        {
            throw error(t, "number out of range: " + t.text);
        }
    }
}
