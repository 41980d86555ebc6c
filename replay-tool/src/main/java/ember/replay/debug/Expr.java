package ember.replay.debug;

import ember.kernel.state.Disposition;
import ember.kernel.state.KernelState;
import ember.kernel.state.ProcessEntry;

import java.util.Objects;

/**
 * A parsed expression over the replayed kernel state ({@link ExprParser}): a tree of typed nodes,
 * evaluated after a record without allocating (the {@code when} scan evaluates it after every
 * record of the journal). Every node has one {@link Type}; a node is asked only for its own type's
 * value. A function of a process that does not exist gives 0, false or nil (null), never an error.
 * <p>
 * Immutable; evaluation reads the state only, so any thread that owns the state may evaluate.
 */
public abstract class Expr
{
    /** The value types of the language. */
    public enum Type
    {
        NUMBER, BOOLEAN, STRING;

        /** @return the type's name in error messages. */
        public String label()
        {
            return this == NUMBER ? "a number" : this == BOOLEAN ? "a condition" : "a string";
        }
    }

    private final Type type;
    private final String text;

    Expr(final Type type, final String text)
    {
        this.type = type;
        this.text = text;
    }

    /** @return the node's type. */
    public Type type()
    {
        return type;
    }

    /** @return the source text of the node, as the user wrote it (spaces normalised). */
    @Override
    public String toString()
    {
        return text;
    }

    /** @return the value of a {@link Type#NUMBER} node. */
    long number(final KernelState state)
    {
        throw new IllegalStateException(text + " is not a number");
    }

    /** @return the value of a {@link Type#BOOLEAN} node. */
    public boolean test(final KernelState state)
    {
        throw new IllegalStateException(text + " is not a condition");
    }

    /** @return the value of a {@link Type#STRING} node; null for nil. */
    String string(final KernelState state)
    {
        throw new IllegalStateException(text + " is not a string");
    }

    /** An integer literal, or {@code index} (the last record applied). */
    static final class Number extends Expr
    {
        private final long value;
        private final boolean isIndex;

        Number(final long value, final boolean isIndex, final String text)
        {
            super(Type.NUMBER, text);
            this.value = value;
            this.isIndex = isIndex;
        }

        @Override
        long number(final KernelState state)
        {
            return isIndex ? state.lastIndex() : value;
        }
    }

    /** A string literal. */
    static final class Text extends Expr
    {
        private final String value;

        Text(final String value, final String text)
        {
            super(Type.STRING, text);
            this.value = value;
        }

        @Override
        String string(final KernelState state)
        {
            return value;
        }
    }

    /** {@code true} or {@code false}. */
    static final class Literal extends Expr
    {
        private final boolean value;

        Literal(final boolean value)
        {
            super(Type.BOOLEAN, Boolean.toString(value));
            this.value = value;
        }

        @Override
        public boolean test(final KernelState state)
        {
            return value;
        }
    }

    /** A function of one process: {@code queued(P)}, {@code stopped(P)}, {@code handler(P, S)}, ... */
    static final class ProcessFunction extends Expr
    {
        /** The functions, with their result types. */
        enum Kind
        {
            QUEUED("queued", Type.NUMBER, 1),
            TIMERS("timers", Type.NUMBER, 1),
            PARENT("parent", Type.NUMBER, 1),
            EXISTS("exists", Type.BOOLEAN, 1),
            STOPPED("stopped", Type.BOOLEAN, 1),
            HANDLER("handler", Type.BOOLEAN, 2),
            USER("user", Type.STRING, 1),
            NAME("name", Type.STRING, 1);

            final String label;
            final Type type;
            final int arity;

            Kind(final String label, final Type type, final int arity)
            {
                this.label = label;
                this.type = type;
                this.arity = arity;
            }

            static Kind of(final String name)
            {
                for (final Kind kind : values())
                {
                    if (kind.label.equals(name))
                    {
                        return kind;
                    }
                }
                return null;
            }
        }

        private final Kind kind;
        private final Expr pid;
        private final Expr signal;

        ProcessFunction(final Kind kind, final Expr pid, final Expr signal, final String text)
        {
            super(kind.type, text);
            this.kind = kind;
            this.pid = pid;
            this.signal = signal;
        }

        private ProcessEntry process(final KernelState state)
        {
            return state.process(pid.number(state));
        }

        @Override
        long number(final KernelState state)
        {
            final ProcessEntry p = process(state);
            if (p == null)
            {
                return 0;
            }
            switch (kind)
            {
                case QUEUED:
                    return p.queued();
                case TIMERS:
                    return p.timerCount();
                default:
                    return p.parent();
            }
        }

        @Override
        public boolean test(final KernelState state)
        {
            final ProcessEntry p = process(state);
            if (p == null)
            {
                return false;
            }
            switch (kind)
            {
                case EXISTS:
                    return true;
                case STOPPED:
                    return p.isStopped();
                default:
                    return p.disposition(signal.number(state)) == Disposition.HANDLER;
            }
        }

        @Override
        String string(final KernelState state)
        {
            final ProcessEntry p = process(state);
            if (p == null)
            {
                return null;
            }
            return kind == Kind.USER ? p.user() : p.name();
        }
    }

    /** {@code A op B}: numbers with any of the six, strings and conditions with {@code ==} and {@code !=}. */
    static final class Comparison extends Expr
    {
        /** The comparison operators. */
        enum Op
        {
            EQ("=="), NE("!="), LT("<"), LE("<="), GT(">"), GE(">=");

            final String symbol;

            Op(final String symbol)
            {
                this.symbol = symbol;
            }
        }

        private final Op op;
        private final Expr left;
        private final Expr right;

        Comparison(final Op op, final Expr left, final Expr right)
        {
            super(Type.BOOLEAN, left + " " + op.symbol + " " + right);
            this.op = op;
            this.left = left;
            this.right = right;
        }

        @Override
        public boolean test(final KernelState state)
        {
            switch (left.type())
            {
                case NUMBER:
                    final long a = left.number(state);
                    final long b = right.number(state);
                    switch (op)
                    {
                        case EQ:
                            return a == b;
                        case NE:
                            return a != b;
                        case LT:
                            return a < b;
                        case LE:
                            return a <= b;
                        case GT:
                            return a > b;
                        default:
                            return a >= b;
                    }
                case STRING:
                    return Objects.equals(left.string(state), right.string(state)) == (op == Op.EQ);
                default:
                    return (left.test(state) == right.test(state)) == (op == Op.EQ);
            }
        }
    }

    /** {@code A && B}, {@code A || B}: evaluated left to right, short-circuit. */
    static final class Logical extends Expr
    {
        private final boolean and;
        private final Expr left;
        private final Expr right;

        Logical(final boolean and, final Expr left, final Expr right)
        {
            super(Type.BOOLEAN, left + (and ? " && " : " || ") + right);
            this.and = and;
            this.left = left;
            this.right = right;
        }

        @Override
        public boolean test(final KernelState state)
        {
            return and ? left.test(state) && right.test(state) : left.test(state) || right.test(state);
        }
    }

    /** {@code !A}. */
    static final class Not extends Expr
    {
        private final Expr operand;

        Not(final Expr operand)
        {
            super(Type.BOOLEAN, "!" + operand);
            this.operand = operand;
        }

        @Override
        public boolean test(final KernelState state)
        {
            return !operand.test(state);
        }
    }

    /** {@code (A)}: keeps the parentheses in the text. */
    static final class Group extends Expr
    {
        private final Expr inner;

        Group(final Expr inner)
        {
            super(inner.type(), "(" + inner + ")");
            this.inner = inner;
        }

        @Override
        long number(final KernelState state)
        {
            return inner.number(state);
        }

        @Override
        public boolean test(final KernelState state)
        {
            return inner.test(state);
        }

        @Override
        String string(final KernelState state)
        {
            return inner.string(state);
        }
    }
}
