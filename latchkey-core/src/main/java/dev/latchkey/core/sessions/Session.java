package dev.latchkey.core.sessions;

import java.time.Instant;

/**
 * A login session, which is also one refresh-token family.
 *
 * <p>{@code currentHash} is the SHA-256 (base64url) of the refresh token that may rotate next;
 * {@code previousHash} the one it replaced at {@code rotatedAt}. {@code sealedSuccessor} is the
 * current raw refresh token sealed with a key derived from the previous raw token (so only a
 * holder of the predecessor can open it, for the idempotent grace window); it is null before
 * the first rotation. Every retired hash is kept in the store until the session ends.
 *
 * <p>{@code idleExpiresAt} is renewed by each rotation; {@code absoluteExpiresAt} never moves.
 */
public record Session(
        String id,
        String userId,
        String currentHash,
        String previousHash,
        Instant rotatedAt,
        byte[] sealedSuccessor,
        Instant createdAt,
        Instant lastUsedAt,
        Instant idleExpiresAt,
        Instant absoluteExpiresAt,
        Instant revokedAt,
        String userAgent,
        String ip) {

    public boolean revoked() {
        return revokedAt != null;
    }
}
