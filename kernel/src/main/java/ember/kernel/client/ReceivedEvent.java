package ember.kernel.client;

import java.util.Map;

/**
 * An event as a client receives it from {@code peekEvent} or {@code pullEvent}. Each call
 * returns a fresh one whose table nothing else holds: it belongs to the calling thread.
 *
 * @param name   the event name.
 * @param params its parameter table, keys sorted; integers are {@code Long}, fractions {@code Double}.
 */
public record ReceivedEvent(String name, Map<String, Object> params)
{
}
