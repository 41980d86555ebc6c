package ember.kernel.client;

/**
 * The transport's side of one {@link Pipeline}: sends calls without waiting, then waits for their
 * answers oldest first. Owned by the pipeline's thread.
 */
interface PipelineLink
{
    /** @return how many calls may be in flight at once; the pipeline waits for the oldest beyond. */
    int capacity();

    /**
     * Send {@code call.record}; do not wait for the answer. At most {@link #capacity()} calls are
     * issued and not yet awaited.
     *
     * @throws EmberException when the call cannot be sent (the service is gone): only this call fails.
     */
    void issue(PipelinedCall<?> call);

    /**
     * Wait for the answer of {@code call}, the oldest call issued and not yet awaited, and write it
     * into {@code call.result}.
     *
     * @throws EmberException when no answer will come (a refusal, the service gone, a timeout).
     */
    void await(PipelinedCall<?> call);

    /** The pipeline is closed (every call awaited): release what the link holds. */
    void close();
}
