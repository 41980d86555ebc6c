package ember.kernel.testing;

import ember.kernel.client.IpcClient;
import ember.kernel.client.Pipeline;

import java.nio.file.Path;
import java.util.Map;

/**
 * A client that vanishes mid-pipeline, run in its own JVM: attaches to the service on DIR, flushes
 * COUNT pipelined {@code queueEvent("vanish")} calls to pid 1 without waiting for any answer,
 * prints {@code FLUSHED clientId} and halts at once (no detach, no reply read).
 */
public final class PipelineVanisher
{
    private PipelineVanisher()
    {
    }

    public static void main(final String[] args)
    {
        final IpcClient client = IpcClient.connect(Path.of(args[0]), 10_000);
        final int count = Integer.parseInt(args[1]);
        final Pipeline pipeline = client.pipeline(1);
        for (int i = 0; i < count; i++)
        {
            pipeline.queueEvent("vanish", Map.of("i", i));
            if (i % 64 == 63)
            {
                pipeline.flush();
            }
        }
        pipeline.flush();
        System.out.println("FLUSHED " + client.clientId());
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }
}
