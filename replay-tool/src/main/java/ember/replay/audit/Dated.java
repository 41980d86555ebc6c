package ember.replay.audit;

import ember.replay.engine.Effect;

/**
 * An effect with the record that caused it.
 *
 * @param index  the record's index.
 * @param timeNs the record's timestamp, epoch ns.
 * @param effect what changed.
 */
public record Dated(long index, long timeNs, Effect effect)
{
}
