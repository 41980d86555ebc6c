package ember.replay.audit;

import ember.journal.SyscallType;
import ember.replay.engine.Effect;
import ember.replay.engine.Step;
import ember.replay.render.EffectJson;
import ember.replay.render.Times;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One line of {@code replay-tool log}: a record, who made it, and its outcome from replay.
 *
 * @param index       the record's index.
 * @param timestampNs kernel clock, epoch ns.
 * @param pid         the caller, 0 for kernel actions.
 * @param client      the client that issued it, 0 for kernel actions.
 * @param user        the caller's user just before the record; null for kernel actions or when
 *                    the caller was not a live process.
 * @param type        the record type.
 * @param args        the arguments, JSON-able.
 * @param result      the returned value, JSON-able; null for nil or on failure.
 * @param error       the SPEC message when the syscall failed, else null.
 * @param effects     what the record changed.
 */
public record LogEntry(long index, long timestampNs, long pid, int client, String user, SyscallType type,
    List<Object> args, Object result, String error, List<Effect> effects)
{
    /** @return the entry of a replayed record. */
    public static LogEntry of(final Step step)
    {
        return new LogEntry(step.record().index, step.record().timestamp, step.record().pid, step.record().client,
            step.user(), step.record().type, Args.of(step.record()), Outcome.value(step.result()),
            Outcome.error(step.result()), step.effects());
    }

    /** @return the SPEC's name of the syscall, or the kernel action's own name. */
    public String syscall()
    {
        return type.syscallName();
    }

    /** @return the time as ISO-8601 UTC with microseconds. */
    public String time()
    {
        return Times.iso(timestampNs);
    }

    /**
     * @return the JSON object of {@code log --format json}: index, time, pid, user, syscall, args,
     * result, error (only on failure), for a {@code pullEvent} that did not fail {@code outcome}
     * ({@link Outcome#pull}) and, when it completed a wait, {@code waitedSince}; client, effects.
     */
    public Map<String, Object> toJson()
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", index);
        m.put("time", time());
        m.put("pid", pid);
        m.put("user", user);
        m.put("syscall", syscall());
        m.put("args", args);
        m.put("result", result);
        if (error != null)
        {
            m.put("error", error);
        }
        final String pull = Outcome.pull(type, error, result, effects);
        if (pull != null)
        {
            m.put("outcome", pull);
            final long since = Outcome.waitedSince(effects);
            if (since > 0)
            {
                m.put("waitedSince", since);
            }
        }
        m.put("client", (long)client);
        m.put("effects", EffectJson.of(effects));
        return m;
    }
}
