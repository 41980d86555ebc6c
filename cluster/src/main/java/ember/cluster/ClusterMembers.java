package ember.cluster;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code MEMBERS} option of SPEC §8, {@code 0=HOST:PORT,1=HOST:PORT,2=HOST:PORT}: member ids from 0,
 * three or more. Member {@code N} uses {@link #PORTS_PER_MEMBER} ports from its {@code PORT}:
 * <pre>
 *   PORT+0 ingress (clients)   PORT+1 consensus   PORT+2 log   PORT+3 catch-up   PORT+4 archive control
 * </pre>
 * An immutable value; {@link #parse} throws {@link IllegalArgumentException} with a one-line reason.
 */
public final class ClusterMembers
{
    /** Ports a member uses from its base port. */
    public static final int PORTS_PER_MEMBER = 5;

    private final List<String> hosts;
    private final int[] ports;

    private ClusterMembers(final List<String> hosts, final int[] ports)
    {
        this.hosts = hosts;
        this.ports = ports;
    }

    /** @throws IllegalArgumentException when {@code text} is not {@code 0=HOST:PORT,...} with ids 0..n-1, n ≥ 3. */
    public static ClusterMembers parse(final String text)
    {
        final String[] parts = text == null ? new String[0] : text.split(",");
        if (parts.length < 3)
        {
            throw new IllegalArgumentException("--cluster needs three or more members: 0=HOST:PORT,1=HOST:PORT,2=HOST:PORT");
        }
        final List<String> hosts = new ArrayList<>();
        final int[] ports = new int[parts.length];
        for (int i = 0; i < parts.length; i++)
        {
            final String part = parts[i].trim();
            final int eq = part.indexOf('=');
            final int colon = part.lastIndexOf(':');
            if (eq <= 0 || colon <= eq + 1 || !part.substring(0, eq).equals(Integer.toString(i)))
            {
                throw new IllegalArgumentException("--cluster member " + (i + 1) + " is '" + part + "': expected " + i +
                    "=HOST:PORT (ids from 0, in order)");
            }
            final int port;
            try
            {
                port = Integer.parseInt(part.substring(colon + 1));
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("--cluster member " + i + ": port is not a number: " + part);
            }
            if (port < 1 || port + PORTS_PER_MEMBER - 1 > 65535)
            {
                throw new IllegalArgumentException("--cluster member " + i + ": port " + port + " out of range");
            }
            hosts.add(part.substring(eq + 1, colon));
            ports[i] = port;
        }
        return new ClusterMembers(List.copyOf(hosts), ports);
    }

    /** @return the members as {@code --cluster} takes them ({@code 0=HOST:PORT,...}). */
    public String text()
    {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < ports.length; i++)
        {
            text.append(i == 0 ? "" : ",").append(i).append('=').append(hosts.get(i)).append(':').append(ports[i]);
        }
        return text.toString();
    }

    public int size()
    {
        return ports.length;
    }

    public String host(final int member)
    {
        return hosts.get(member);
    }

    private String endpoint(final int member, final int offset)
    {
        return hosts.get(member) + ":" + (ports[member] + offset);
    }

    /** @return Aeron's {@code clusterMembers}: {@code id,ingress,consensus,log,catchup,archive|...}. */
    public String aeronClusterMembers()
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ports.length; i++)
        {
            if (i > 0)
            {
                sb.append('|');
            }
            sb.append(i);
            for (int offset = 0; offset < PORTS_PER_MEMBER; offset++)
            {
                sb.append(',').append(endpoint(i, offset));
            }
        }
        return sb.toString();
    }

    /** @return the client's {@code ingressEndpoints}: {@code 0=host:port,1=...}. */
    public String ingressEndpoints()
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ports.length; i++)
        {
            sb.append(i > 0 ? "," : "").append(i).append('=').append(endpoint(i, 0));
        }
        return sb.toString();
    }

    /** @return the archive control channel of {@code member}. */
    public String archiveControlChannel(final int member)
    {
        return "aeron:udp?endpoint=" + endpoint(member, 4);
    }
}
