package dev.latchkey.core.accounts;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Port for account persistence. Emails given here are already normalized. */
public interface UserStore {

    /** Inserts the user; throws {@link EmailTakenException} when the email exists (case-insensitively). */
    void insert(User user);

    Optional<User> findByEmail(String normalizedEmail);

    Optional<User> findById(String id);

    /** Replaces the stored hash (after a password change or a hash upgrade). False when no such user. */
    boolean updatePasswordHash(String userId, String newHash);

    /** Sets the role. False when no such user. */
    boolean updateRole(String userId, String role);

    long count();

    /**
     * Records that every access token of the user issued before {@code at} is revoked (logout
     * everywhere, role change, password reset). False when no such user.
     */
    boolean revokeTokensIssuedBefore(String userId, Instant at);

    /** Users whose tokens were revoked at or after {@code since} (to rebuild the revocation set at start). */
    List<TokenRevocation> tokenRevocationsSince(Instant since);

    /** A user's access tokens issued before {@code before} are revoked. */
    record TokenRevocation(String userId, Instant before) {}
}
