package ember.replay.render;

import ember.kernel.json.Json;
import ember.kernel.state.Disposition;
import ember.kernel.state.EndCause;
import ember.kernel.state.Event;
import ember.kernel.state.PendingTimer;
import ember.replay.engine.Effect;

import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * One-line human descriptions of {@link Effect}s and events, for text output.
 */
public final class EffectText
{
    private EffectText()
    {
    }

    /** @return e.g. {@code 5 (worker) terminated by signal 15 from 1 (by its disposition)}. */
    public static String of(final Effect effect)
    {
        if (effect instanceof Effect.Spawned e)
        {
            return "spawned " + e.pid() + " (" + e.name() + ", user " + e.user() + ")";
        }
        if (effect instanceof Effect.Ended e)
        {
            final StringBuilder sb = new StringBuilder();
            sb.append(e.pid()).append(" (").append(e.name()).append(") ");
            if ("exit".equals(e.how()))
            {
                sb.append("exited with code ").append(e.value());
            }
            else if ("signal".equals(e.how()))
            {
                sb.append("terminated by signal ").append(e.value()).append(" from ").append(e.by());
                sb.append(" (").append(cause(e.cause())).append(')');
            }
            else
            {
                sb.append("ended");
            }
            if (!e.discarded().isEmpty())
            {
                sb.append(", dropped ").append(e.discarded().size()).append(" queued event")
                    .append(e.discarded().size() == 1 ? "" : "s");
            }
            if (!e.orphans().isEmpty())
            {
                sb.append(", children ").append(join(e.orphans())).append(" re-parented to 1");
            }
            if (!e.services().isEmpty())
            {
                sb.append(", released ").append(String.join(",", e.services()));
            }
            return sb.toString();
        }
        if (effect instanceof Effect.Diagnostic e)
        {
            return "diagnostic: " + e.line();
        }
        if (effect instanceof Effect.Queued e)
        {
            return "queued to " + e.pid() + ": " + event(e.event());
        }
        if (effect instanceof Effect.Consumed e)
        {
            return e.pid() + " pulled " + event(e.event()) +
                (e.waitedSince() > 0 ? " after waiting since #" + e.waitedSince() : "");
        }
        if (effect instanceof Effect.PullWaiting e)
        {
            return e.pid() + " waits for an event";
        }
        if (effect instanceof Effect.Signalled e)
        {
            return "signal " + e.signal() + " to " + e.to() + ": " + e.outcome();
        }
        if (effect instanceof Effect.TimerSet e)
        {
            return timer(e.timer()) + " set, due " + Times.iso(e.timer().deadlineNs());
        }
        if (effect instanceof Effect.TimerFired e)
        {
            return timer(e.timer()) + " fired";
        }
        if (effect instanceof Effect.TimerCancelled e)
        {
            return timer(e.timer()) + " cancelled (" + e.reason() + ")";
        }
        if (effect instanceof Effect.UserChanged e)
        {
            return "user of " + e.pid() + ": " + e.from() + " -> " + e.to();
        }
        if (effect instanceof Effect.DispositionChanged e)
        {
            return "signal " + e.signal() + " of " + e.pid() + ": " + disposition(e.from(), 0) + " -> " +
                disposition(e.to(), e.owner());
        }
        if (effect instanceof Effect.Registered e)
        {
            return "service '" + e.name() + "' -> " + e.pid();
        }
        if (effect instanceof Effect.Client e)
        {
            return "client " + e.client() + (e.attached() ? " attached" : " detached");
        }
        if (effect instanceof Effect.Opened e)
        {
            return "kernel opened, " + e.limits().encode();
        }
        return effect.toString();
    }

    /**
     * @return the effects joined with {@code "; "}, skipping {@link Effect.Consumed} and
     *     {@link Effect.PullWaiting} (the outcome shows them, {@link CallText#outcome(Object, String, List)}).
     */
    public static String summary(final List<Effect> effects)
    {
        return summary(effects, false);
    }

    /**
     * @param withWaiting also show {@link Effect.PullWaiting} (formats without an outcome of their
     *                    own, e.g. CSV, where a waiting pull's result is only {@code null}).
     * @return the effects joined with {@code "; "}, skipping {@link Effect.Consumed}.
     */
    public static String summary(final List<Effect> effects, final boolean withWaiting)
    {
        final StringJoiner joiner = new StringJoiner("; ");
        for (final Effect effect : effects)
        {
            if (!(effect instanceof Effect.Consumed) && (withWaiting || !(effect instanceof Effect.PullWaiting)))
            {
                joiner.add(of(effect));
            }
        }
        return joiner.toString();
    }

    /**
     * @return why apply ended a process, in words: {@code exit}, {@code kill: signal 9, uncatchable}
     *     or {@code by its disposition} (to terminate; 3 and 6 with a {@link Effect.Diagnostic}).
     */
    public static String cause(final EndCause cause)
    {
        switch (cause)
        {
            case EXIT:
                return "exit";
            case KILL:
                return "kill: signal 9, uncatchable";
            default:
                return "by its disposition";
        }
    }

    /** @return {@code NAME {params}}. */
    public static String event(final Event event)
    {
        return event.name() + " " + Json.write(Payloads.params(event));
    }

    /** @return {@code timer 3 of 5} or {@code alarm 2147483652 of 5}. */
    public static String timer(final PendingTimer timer)
    {
        return (timer.isAlarm() ? "alarm " : "timer ") + timer.id() + " of " + timer.pid();
    }

    /** @return e.g. {@code terminate}, {@code handler (client 2)}. */
    public static String disposition(final Disposition disposition, final int owner)
    {
        final String name = disposition.name().toLowerCase(Locale.ROOT).replace('_', ' ');
        return disposition == Disposition.HANDLER && owner != 0 ? name + " (client " + owner + ")" : name;
    }

    private static String join(final List<Long> values)
    {
        final StringJoiner joiner = new StringJoiner(",");
        for (final long value : values)
        {
            joiner.add(Long.toString(value));
        }
        return joiner.toString();
    }
}
