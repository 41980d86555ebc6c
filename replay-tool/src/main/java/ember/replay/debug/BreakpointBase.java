package ember.replay.debug;

/**
 * What every {@link Breakpoint} holds the same way: its number, its description and whether it
 * needs the records' steps. Subclasses decide where to stop. Used by the session's thread only.
 */
abstract class BreakpointBase implements Breakpoint
{
    private final int id;
    private final String description;
    private final boolean needsSteps;

    /**
     * @param id          the number {@code info breaks} and {@code delete} use.
     * @param description what {@link #describe()} answers, e.g. {@code watch queue 7}.
     * @param needsSteps  what {@link #needsSteps()} answers.
     */
    BreakpointBase(final int id, final String description, final boolean needsSteps)
    {
        this.id = id;
        this.description = description;
        this.needsSteps = needsSteps;
    }

    @Override
    public final int id()
    {
        return id;
    }

    @Override
    public final String describe()
    {
        return description;
    }

    @Override
    public final boolean needsSteps()
    {
        return needsSteps;
    }
}
