package ember.journal;
/** A payload value or encoded payload that Ember refuses; the message is user-facing. */
public final class PayloadException extends RuntimeException {
    public PayloadException(final String message) { super(message); }
}
