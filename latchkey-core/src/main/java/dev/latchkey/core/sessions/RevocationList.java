package dev.latchkey.core.sessions;

import dev.latchkey.core.tokens.AccessTokenClaims;
import dev.latchkey.core.tokens.RevocationMark;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-memory answer to "was this access token revoked?", so Latchkey's own protected routes
 * never ask the database per request. Two kinds of entries: revoked sessions (every token of
 * the session is refused) and user marks (every token of the user issued before the mark is
 * refused, by the rule of {@link RevocationMark}: role change, deletion).
 *
 * <p>An entry only has to outlive the access tokens it refuses: once a token issued before the
 * revocation has expired, its signature check refuses it anyway. So entries are forgotten after
 * {@code memory} (the access-token lifetime plus the clock leeway), which bounds the memory to the
 * revocations of one token lifetime. At start the list is rebuilt from the database, and kept in
 * step with it periodically, so a restart forgets nothing and other instances' revocations (or
 * the command line's) arrive within seconds.
 */
public final class RevocationList {
    private final Clock clock;
    private final Duration memory;
    private final ConcurrentHashMap<String, Instant> revokedSessions = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Instant> userMarks = new ConcurrentHashMap<>();
    private volatile RevocationBroadcast broadcast = RevocationBroadcast.NONE;

    public RevocationList(Clock clock, Duration memory) {
        this.clock = clock;
        this.memory = memory;
    }

    /** Where revocations made by this instance are announced to the others (none by default). */
    public void broadcastTo(RevocationBroadcast broadcast) {
        this.broadcast = broadcast == null ? RevocationBroadcast.NONE : broadcast;
    }

    /** A revocation made by this instance: recorded, and announced to the other instances. */
    public void revokeSession(String sessionId, Instant at) {
        learnRevokedSession(sessionId, at);
        broadcast.sessionRevoked(sessionId, at);
    }

    /** A revocation made elsewhere (read from the database, or announced by another instance): recorded only. */
    public void learnRevokedSession(String sessionId, Instant at) {
        if (at.plus(memory).isAfter(clock.instant())) {
            revokedSessions.merge(sessionId, at, (a, b) -> a.isBefore(b) ? a : b);
        }
    }

    public boolean isSessionRevoked(String sessionId) {
        return revokedSessions.containsKey(sessionId);
    }

    /** Refuses the user's tokens issued before {@code mark}; a later mark replaces an earlier one, never the reverse. */
    public void revokeUserTokensIssuedBefore(String userId, Instant mark) {
        learnUserMark(userId, mark);
        broadcast.userTokensRevoked(userId, mark);
    }

    /** A user mark moved elsewhere (read from the database, or announced by another instance): recorded only. */
    public void learnUserMark(String userId, Instant mark) {
        if (mark.plus(memory).isAfter(clock.instant())) {
            userMarks.merge(userId, mark, (a, b) -> a.isAfter(b) ? a : b);
        }
    }

    /** True when the token's session was revoked or the token was issued before its user's mark. */
    public boolean isRevoked(AccessTokenClaims claims) {
        return revokedSessions.containsKey(claims.sessionId())
                || RevocationMark.revokes(userMarks.get(claims.subject()), claims.issuedAt());
    }

    /** Forgets entries older than the memory window; called periodically. Returns how many were dropped. */
    public int forgetExpired() {
        Instant horizon = clock.instant().minus(memory);
        int before = size();
        revokedSessions.values().removeIf(at -> at.isBefore(horizon));
        userMarks.values().removeIf(at -> at.isBefore(horizon));
        return before - size();
    }

    /** How far back the database must be read to rebuild the list at start. */
    public Instant rebuildSince() {
        return clock.instant().minus(memory);
    }

    public int size() {
        return revokedSessions.size() + userMarks.size();
    }
}
