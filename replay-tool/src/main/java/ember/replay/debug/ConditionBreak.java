package ember.replay.debug;

import ember.kernel.state.KernelState;
import ember.replay.engine.Step;

/**
 * {@code break when EXPR}: stops at the record after which EXPR holds and before which it did
 * not (edge-triggered: a condition that stays true stops once, where it became true).
 */
final class ConditionBreak extends BreakpointBase
{
    private final Expr expr;
    private boolean before;

    ConditionBreak(final int id, final Expr expr)
    {
        super(id, "when " + expr, false);
        this.expr = expr;
    }

    @Override
    public void reset(final KernelState state)
    {
        before = expr.test(state);
    }

    @Override
    public boolean hit(final KernelState state, final Step step)
    {
        final boolean now = expr.test(state);
        final boolean became = now && !before;
        before = now;
        return became;
    }

    @Override
    public String detail(final KernelState state)
    {
        return "";
    }
}
