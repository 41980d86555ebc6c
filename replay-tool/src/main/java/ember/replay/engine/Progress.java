package ember.replay.engine;

/**
 * Progress of a long replay. Shown on stderr only when the tool runs on a terminal
 * ({@code System.console() != null}) and the replay lasts long enough to be worth a bar;
 * otherwise every method does nothing, so output piped to files stays clean.
 */
public interface Progress extends AutoCloseable
{
    /** Shows nothing. */
    Progress NONE = new Progress()
    {
        @Override
        public void at(final long index)
        {
        }

        @Override
        public void close()
        {
        }
    };

    /**
     * Report the record just replayed; called for every record, so it must be cheap.
     *
     * @param index of the record.
     */
    void at(long index);

    /** Finish the bar, if one is shown. */
    @Override
    void close();

    /**
     * @param task  what is being replayed, shown left of the bar.
     * @param total the index the replay is expected to reach, or a value ≤ 0 when unknown.
     * @return a bar on stderr when stderr is a terminal, else {@link #NONE}.
     */
    static Progress onTerminal(final String task, final long total)
    {
        return System.console() != null ? new TerminalProgress(task, total) : NONE;
    }
}
