package dev.latchkey.core.sessions;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Port for session (token family) persistence. */
public interface SessionStore {

    /** Inserts a new session; its {@code currentHash} is recorded as belonging to it. */
    void insert(Session session);

    Optional<Session> findById(String sessionId);

    /**
     * Finds the session that ever issued the refresh token with this hash: as its current
     * token, its previous one, or any retired one.
     */
    Optional<Session> findByTokenHash(String tokenHash);

    /**
     * The same session with its user, in one read: a refresh needs both (the user's role and
     * state go into the new access token), and the refresh is the hot path.
     */
    Optional<OwnedSession> findWithOwnerByTokenHash(String tokenHash);

    /**
     * The rotation compare-and-set: only when the session still has {@code expectedCurrentHash}
     * as current and is not revoked, it moves current to previous, sets {@code newHash} as
     * current, stores the sealed successor, renews the idle expiry and last use, and records
     * the new hash as belonging to the session. True when this call won.
     */
    boolean rotate(String sessionId, String expectedCurrentHash, String newHash, byte[] sealedSuccessor,
                   Instant now, Instant newIdleExpiresAt);

    /** Marks a session revoked at {@code now}; true when it was live. */
    boolean revoke(String sessionId, Instant now);

    /** Revokes every live session of the user, except {@code keepSessionId} when not null; returns their ids. */
    List<String> revokeAllForUser(String userId, String keepSessionId, Instant now);

    /** Live (not revoked, not expired at {@code now}) sessions of the user, newest first. */
    List<Session> listLive(String userId, Instant now);

    /** How many sessions of all users are live (not revoked, not expired) at {@code now}: one cheap COUNT, for metrics. */
    long countLive(Instant now);

    /** Sessions revoked at or after {@code since} (to rebuild the in-memory revocation set at start). */
    List<Revocation> revokedSince(Instant since);

    /** Deletes up to {@code batchSize} sessions that ended (expired or revoked) before {@code before}, with their hashes. */
    int purgeEnded(Instant before, int batchSize);

    /** A revoked session and when it was revoked. */
    record Revocation(String sessionId, String userId, Instant revokedAt) {}
}
