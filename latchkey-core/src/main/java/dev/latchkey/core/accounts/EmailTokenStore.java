package dev.latchkey.core.accounts;

import java.time.Instant;
import java.util.Optional;

/**
 * Port for the single-use tokens mailed to users (email verification, password reset). Only the
 * hash of a token is ever given here; the raw token exists in the mail alone.
 */
public interface EmailTokenStore {

    /** A stored token: its hash, what it is for, whose it is and when it stops working. */
    record EmailToken(String hash, EmailTokenPurpose purpose, String userId, Instant createdAt, Instant expiresAt) {}

    void insert(EmailToken token);

    /** The user of the unused, unexpired token of that purpose with this hash, without spending it. */
    Optional<String> findUsable(String hash, EmailTokenPurpose purpose, Instant now);

    /**
     * Spends the token: one conditional update (unused, unexpired, of that purpose), so of two
     * racing uses exactly one wins. Returns the token's user when this call spent it.
     */
    Optional<String> consume(String hash, EmailTokenPurpose purpose, Instant now);

    /** Spends every unused token of the user with that purpose. Returns how many. */
    int invalidateAll(String userId, EmailTokenPurpose purpose, Instant now);

    /** Deletes tokens that expired before {@code before}, at most {@code limit}. Returns how many. */
    int purgeExpired(Instant before, int limit);
}
