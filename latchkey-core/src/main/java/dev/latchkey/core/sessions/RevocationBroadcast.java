package dev.latchkey.core.sessions;

import java.time.Instant;

/**
 * Tells the other instances about a revocation made here, so their in-memory
 * {@link RevocationList}s learn it at once instead of at their next database sync (Redis pub/sub
 * when configured). Best effort: a broadcast that is lost changes nothing but the delay, since
 * every revocation is in the database first and every instance keeps reading it from there.
 * Must not block or throw.
 */
public interface RevocationBroadcast {
    void sessionRevoked(String sessionId, Instant at);

    void userTokensRevoked(String userId, Instant mark);

    /** Broadcasts nothing: a single instance, or several that learn only from the database sync. */
    RevocationBroadcast NONE = new RevocationBroadcast() {
        @Override
        public void sessionRevoked(String sessionId, Instant at) {
        }

        @Override
        public void userTokensRevoked(String userId, Instant mark) {
        }
    };
}
