package ember.kernel.client;

import ember.journal.SyscallRecord;

import java.util.function.Function;

/**
 * The handle of one syscall issued through a {@link Pipeline}: its answer, or its error, once the
 * pipeline has seen it complete. Calls of one pipeline complete in the order they were issued.
 * <p>
 * Errors are per call: a refused call (a kernel error, a payload the client could not encode,
 * the service gone) fails only its own handle; the calls before and after it are answered as
 * they would be alone. Owned by the pipeline's thread, as the pipeline is.
 *
 * @param <T> what the syscall answers ({@code Void} for none).
 */
public final class PipelinedCall<T> extends SyscallRecords.Holder
{
    final SyscallRecord record = new SyscallRecord();
    final CallResult result = new CallResult();
    private final Pipeline pipeline;
    private final Function<CallResult, T> answer;
    /** Run when the call fails (a refused {@code signal} restores the handler it replaced), or null. */
    private final Runnable onError;
    /** The call's position in its pipeline (0 = first issued). */
    final long sequence;
    private boolean done;
    private T value;
    private String error;

    PipelinedCall(final Pipeline pipeline, final long sequence, final Function<CallResult, T> answer, final Runnable onError)
    {
        this.pipeline = pipeline;
        this.sequence = sequence;
        this.answer = answer;
        this.onError = onError;
    }

    /** @return true once the call completed (answered or failed); never waits. */
    public boolean isDone()
    {
        return done;
    }

    /**
     * @return the answer; waits for it when the call has not completed (sending what the pipeline
     *     still holds, and waiting for the calls before this one first).
     * @throws EmberException the call's own error.
     */
    public T get()
    {
        if (!done)
        {
            pipeline.syncThrough(this);
        }
        if (error != null)
        {
            throw new EmberException(error);
        }
        return value;
    }

    /** @return the call's error message, or null when it succeeded; waits as {@link #get()} does. */
    public String error()
    {
        if (!done)
        {
            pipeline.syncThrough(this);
        }
        return error;
    }

    /** The transport answered ({@link #result} filled, whose error may be set). */
    void complete()
    {
        if (result.error != null)
        {
            fail(result.error);
            return;
        }
        value = answer.apply(result);
        result.value = null;
        done = true;
    }

    /** The call failed before or instead of an answer. */
    void fail(final String message)
    {
        error = message;
        done = true;
        if (onError != null)
        {
            onError.run();
        }
    }

    @Override
    SyscallRecord record()
    {
        return record;
    }

    @Override
    public String toString()
    {
        return record.type.syscallName() + (done ? error != null ? " failed: " + error : " = " + value : " (in flight)");
    }
}
