package dev.latchkey.core.accounts;

import java.time.Instant;

/**
 * A stored account. {@code id} is an opaque random identifier (the token {@code sub}); the
 * email is already normalized (trimmed, lowercased). {@code disabledAt} is null while the
 * account may log in. {@code tokensRevokedBefore} is the user's revocation mark (null when none):
 * access tokens issued before it are refused, and new ones are issued at or after it (see
 * {@link dev.latchkey.core.tokens.RevocationMark}). {@code emailVerifiedAt} is when the account proved
 * control of its mailbox (null: not yet).
 */
public record User(String id, String email, String role, String passwordHash, Instant createdAt, Instant disabledAt,
                   Instant tokensRevokedBefore, Instant emailVerifiedAt) {

    /** A user whose email is not verified. */
    public User(String id, String email, String role, String passwordHash, Instant createdAt, Instant disabledAt,
                Instant tokensRevokedBefore) {
        this(id, email, role, passwordHash, createdAt, disabledAt, tokensRevokedBefore, null);
    }

    /** A user without a revocation mark. */
    public User(String id, String email, String role, String passwordHash, Instant createdAt, Instant disabledAt) {
        this(id, email, role, passwordHash, createdAt, disabledAt, null);
    }

    public boolean disabled() {
        return disabledAt != null;
    }

    public boolean emailVerified() {
        return emailVerifiedAt != null;
    }

    @Override
    public String toString() {
        return "User[id=" + id + ", email=" + email + ", role=" + role + ", createdAt=" + createdAt
                + ", disabledAt=" + disabledAt + ", tokensRevokedBefore=" + tokensRevokedBefore
                + ", emailVerifiedAt=" + emailVerifiedAt + "]";
    }
}
