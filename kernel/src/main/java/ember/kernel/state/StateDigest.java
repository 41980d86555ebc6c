package ember.kernel.state;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * SHA-256 over a canonical encoding of a {@link KernelState}: every field, collections in sorted
 * or queue order, so two states are equal exactly when their digests are.
 */
public final class StateDigest
{
    private final MessageDigest sha;
    private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);

    private StateDigest()
    {
        try
        {
            sha = MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** @return the hex digest of {@code state}. */
    public static String of(final KernelState state)
    {
        final StateDigest d = new StateDigest();
        d.put(state.lastIndex());
        d.put(state.nextPid());
        d.put(state.timerCount());
        d.put(state.clientCount());
        d.put(state.limits().encode());
        final int[] clients = state.clients();
        d.put(clients.length);
        for (final int client : clients)
        {
            d.put(client);
        }
        final long[] pids = state.pids();
        d.put(pids.length);
        for (final long pid : pids)
        {
            final ProcessEntry p = state.process(pid);
            d.put(p.pid);
            d.put(p.name);
            d.put(p.user);
            d.put(p.parent);
            d.put(p.stopped ? 1 : 0);
            final long[] signals = p.overriddenSignals();
            d.put(signals.length);
            for (final long signal : signals)
            {
                d.put(signal);
                d.put(p.overrides.get(signal));
            }
            final long[] held = p.heldSignals();
            d.put(held.length);
            for (final long signal : held)
            {
                d.put(signal);
            }
            d.put(p.queue.size());
            for (final Event e : p.queue)
            {
                d.put(e.kind());
                d.put(e.name());
                d.put(e.type());
                d.put(e.a());
                d.put(e.b());
                d.put(e.payload());
            }
            d.put(p.services.size());
            for (final String service : p.services)
            {
                d.put(service);
            }
        }
        for (final PendingTimer t : state.pendingTimers())
        {
            d.put(t.id());
            d.put(t.pid());
            d.put(t.deadlineNs());
        }
        for (final Map.Entry<String, Long> e : state.services().entrySet())
        {
            d.put(e.getKey());
            d.put(e.getValue());
        }
        return HexFormat.of().formatHex(d.sha.digest());
    }

    private void put(final long value)
    {
        scratch.clear();
        scratch.putLong(value);
        sha.update(scratch.array(), 0, 8);
    }

    private void put(final String value)
    {
        if (value == null)
        {
            put(-1L);
            return;
        }
        final byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        put(bytes.length);
        sha.update(bytes);
    }

    private void put(final byte[] value)
    {
        if (value == null)
        {
            put(-1L);
            return;
        }
        put(value.length);
        sha.update(value);
    }
}
