package ember.kernel.state;

/**
 * The answer of {@code getpinfo} (SPEC §1): {@code {id, name, user, parent, state, queued, timers}}.
 *
 * @param state {@code running} or {@code stopped}.
 */
public record ProcessInfo(long id, String name, String user, long parent, String state, int queued, int timers)
{
}
