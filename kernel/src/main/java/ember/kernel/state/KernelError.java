package ember.kernel.state;

/**
 * The errors a syscall may raise besides argument errors (SPEC §2, §3, §5). The message is the
 * SPEC's text, shown to callers verbatim.
 */
public enum KernelError
{
    NO_SUCH_PROCESS("No such process"),
    PERMISSION_DENIED("Permission denied"),
    EVENT_QUEUE_FULL("Event queue full"),
    PAYLOAD_TOO_LARGE("Payload too large");

    private final String message;

    KernelError(final String message)
    {
        this.message = message;
    }

    /** @return the SPEC's message. */
    public String message()
    {
        return message;
    }
}
