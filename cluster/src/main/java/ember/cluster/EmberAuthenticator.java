package ember.cluster;

import io.aeron.security.Authenticator;
import io.aeron.security.SessionProxy;
import org.agrona.collections.Long2ObjectHashMap;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Aeron's {@link Authenticator} over the users file: a connect request carries {@code USER SECRET}
 * ({@link Credentials#encode}); a match is authenticated with the user name as the session's
 * principal (what the service attaches the session as), anything else is rejected before the
 * session opens, so before anything is journaled. No challenge is used. The operator's
 * {@link AdminAccess} token is accepted as the principal {@code #admin}.
 * <p>
 * Called on the consensus module's thread only.
 */
final class EmberAuthenticator implements Authenticator
{
    private final Map<String, String> users;
    private final String adminToken;
    /** Session id → its principal, or {@link #REJECTED}; removed when the session is decided. */
    private final Long2ObjectHashMap<byte[]> pending = new Long2ObjectHashMap<>();
    private static final byte[] REJECTED = new byte[0];

    EmberAuthenticator(final Map<String, String> users)
    {
        this.users = Map.copyOf(users);
        this.adminToken = AdminAccess.token(users);
    }

    @Override
    public void onConnectRequest(final long sessionId, final byte[] encodedCredentials, final long nowMs)
    {
        final Credentials.Entry entry = Credentials.decode(encodedCredentials);
        final boolean accepted = entry != null && AdminAccess.USER.equals(entry.user()) ?
            Credentials.matches(Map.of(AdminAccess.USER, adminToken), entry) : Credentials.matches(users, entry);
        pending.put(sessionId, accepted ? entry.user().getBytes(StandardCharsets.UTF_8) : REJECTED);
    }

    @Override
    public void onChallengeResponse(final long sessionId, final byte[] encodedCredentials, final long nowMs)
    {
        pending.put(sessionId, REJECTED); // never challenged: a response is not expected
    }

    @Override
    public void onConnectedSession(final SessionProxy sessionProxy, final long nowMs)
    {
        decide(sessionProxy);
    }

    @Override
    public void onChallengedSession(final SessionProxy sessionProxy, final long nowMs)
    {
        decide(sessionProxy);
    }

    private void decide(final SessionProxy sessionProxy)
    {
        final byte[] principal = pending.remove(sessionProxy.sessionId());
        if (principal == null || principal == REJECTED)
        {
            sessionProxy.reject();
        }
        else if (!sessionProxy.authenticate(principal))
        {
            pending.put(sessionProxy.sessionId(), principal); // publication busy: retried on the next call
        }
    }
}
