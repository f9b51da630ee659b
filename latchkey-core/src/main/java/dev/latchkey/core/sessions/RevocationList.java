package dev.latchkey.core.sessions;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-memory answer to "was this access token's session revoked?", so Latchkey's own
 * protected routes never ask the database per request.
 *
 * <p>An entry only has to outlive the access tokens it refuses: once a token issued before the
 * revocation has expired, its signature check refuses it anyway. So entries are forgotten after
 * {@code memory} (the access-token lifetime plus the clock leeway), which bounds the memory to the
 * revocations of one token lifetime. At start the list is rebuilt from the database, so a restart
 * forgets nothing.
 */
public final class RevocationList {
    private final Clock clock;
    private final Duration memory;
    private final ConcurrentHashMap<String, Instant> revokedSessions = new ConcurrentHashMap<>();

    public RevocationList(Clock clock, Duration memory) {
        this.clock = clock;
        this.memory = memory;
    }

    public void revokeSession(String sessionId, Instant at) {
        if (at.plus(memory).isAfter(clock.instant())) {
            revokedSessions.merge(sessionId, at, (a, b) -> a.isBefore(b) ? a : b);
        }
    }

    public boolean isSessionRevoked(String sessionId) {
        return revokedSessions.containsKey(sessionId);
    }

    /** Forgets entries older than the memory window; called periodically. Returns how many were dropped. */
    public int forgetExpired() {
        Instant horizon = clock.instant().minus(memory);
        int before = revokedSessions.size();
        revokedSessions.values().removeIf(at -> at.isBefore(horizon));
        return before - revokedSessions.size();
    }

    /** How far back the database must be read to rebuild the list at start. */
    public Instant rebuildSince() {
        return clock.instant().minus(memory);
    }

    public int size() {
        return revokedSessions.size();
    }
}
