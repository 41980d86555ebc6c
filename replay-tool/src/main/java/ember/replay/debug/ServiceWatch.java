package ember.replay.debug;

import ember.kernel.state.KernelState;
import ember.replay.engine.Effect;
import ember.replay.engine.Step;

/**
 * {@code watch service NAME}: stops at every record whose effects (what apply reported) register
 * NAME or release it with the process that held it. Read from the effects, not by re-deriving
 * which records could change a service.
 */
final class ServiceWatch extends BreakpointBase
{
    private final String name;

    ServiceWatch(final int id, final String name)
    {
        super(id, "watch service " + name, true);
        this.name = name;
    }

    @Override
    public void reset(final KernelState state)
    {
    }

    @Override
    public boolean hit(final KernelState state, final Step step)
    {
        for (final Effect effect : step.effects())
        {
            if (effect instanceof Effect.Registered r && r.name().equals(name))
            {
                return true;
            }
            if (effect instanceof Effect.Ended e && e.services().contains(name))
            {
                return true;
            }
        }
        return false;
    }

    @Override
    public String detail(final KernelState state)
    {
        final Long pid = state.services().get(name);
        return "service " + name + " -> " + (pid == null ? "nil" : pid);
    }
}
