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

    /** A page of users in {@code (createdAt, id)} order, filtered as the query says. */
    List<User> list(UserQuery query);

    /** Replaces the stored hash (after a password change or a hash upgrade). False when no such user. */
    boolean updatePasswordHash(String userId, String newHash);

    /** Sets the role. False when no such user. */
    boolean updateRole(String userId, String role);

    /**
     * Sets the role and, in the same statement, moves the user's revocation mark to
     * {@code revokeTokensBefore} (never backwards), so that no reader sees the new role with the
     * old mark. Refused with {@link Change#LAST_ADMIN} when it would leave no enabled admin.
     */
    Change changeRole(String userId, String role, Instant revokeTokensBefore);

    /**
     * Disables the account ({@code disabledAt} not null) or enables it (null). Disabling is
     * refused with {@link Change#LAST_ADMIN} when it would leave no enabled admin.
     */
    Change setDisabled(String userId, Instant disabledAt);

    /**
     * Deletes the user with their sessions, and records the deletion at {@code at} so that
     * {@link #tokenRevocationsSince} reports the user's tokens as revoked (other instances learn
     * of it that way). Refused with {@link Change#LAST_ADMIN} when it would leave no enabled admin.
     */
    Change delete(String userId, Instant at);

    long count();

    /** Records that the user proved control of their mailbox at {@code at} (an earlier mark stays). False when no such user. */
    boolean markEmailVerified(String userId, Instant at);

    /**
     * Records that every access token of the user issued before {@code at} is revoked (logout
     * everywhere, role change, password reset). False when no such user.
     */
    boolean revokeTokensIssuedBefore(String userId, Instant at);

    /**
     * Users whose tokens were revoked at or after {@code since}, deleted users included (to
     * rebuild the revocation set at start and to keep it in step with other instances).
     */
    List<TokenRevocation> tokenRevocationsSince(Instant since);

    /** Forgets deletion records older than {@code before} (their tokens have expired). Returns how many. */
    int purgeDeletionRecords(Instant before);

    /** A user's access tokens issued before {@code before} are revoked. */
    record TokenRevocation(String userId, Instant before) {}

    /** What a guarded change did. */
    enum Change {
        DONE,
        NOT_FOUND,
        /** Refused: the user is the last enabled admin. */
        LAST_ADMIN
    }
}
