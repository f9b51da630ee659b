package dev.latchkey.core.administration;

import dev.latchkey.core.accounts.Emails;
import dev.latchkey.core.accounts.Roles;
import dev.latchkey.core.accounts.User;
import dev.latchkey.core.accounts.UserQuery;
import dev.latchkey.core.accounts.UserStore;
import dev.latchkey.core.errors.ErrorCode;
import dev.latchkey.core.errors.LatchkeyException;
import dev.latchkey.core.sessions.RevocationList;
import dev.latchkey.core.sessions.SessionStore;
import dev.latchkey.core.tokens.RevocationMark;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What an administrator does to other accounts, from the admin API and the command line alike:
 * list, change a role, log out everywhere, disable, enable, delete.
 *
 * <p>How each change reaches access tokens already out there:
 * <ul>
 *   <li>role change: the user's revocation mark moves to now ({@link RevocationMark}), so the
 *       user's tokens are refused ({@code TOKEN_REVOKED}) while their sessions live on, and the
 *       next refresh issues a token with the new role that the mark does not refuse;
 *   <li>logout and disable: every session is revoked, and with it every token of those sessions;
 *   <li>delete: the user and their sessions are deleted and the deletion is recorded as a mark.
 * </ul>
 * The in-memory {@link RevocationList} of this process learns at once; other processes (other
 * instances, or a server while the command line made the change) learn at their next
 * revocation sync. No change may leave Latchkey without an enabled admin ({@code LAST_ADMIN}).
 */
public final class UserAdministration {
    public static final int DEFAULT_PAGE_SIZE = 50;

    private final UserStore users;
    private final SessionStore sessions;
    private final RevocationList revocations;
    private final Clock clock;

    public UserAdministration(UserStore users, SessionStore sessions, RevocationList revocations, Clock clock) {
        this.users = users;
        this.sessions = sessions;
        this.revocations = revocations;
        this.clock = clock;
    }

    /** One page of users and where the next one starts (null on the last page). */
    public record Page(List<User> users, UserQuery.Position next) {}

    /** The users the query selects, {@code limit} at most, and the position after them when more follow. */
    public Page list(UserQuery query) {
        List<User> found = users.list(new UserQuery(query.emailPrefix(), query.role(), query.after(), query.limit() + 1));
        if (found.size() <= query.limit()) {
            return new Page(found, null);
        }
        List<User> page = found.subList(0, query.limit());
        User last = page.getLast();
        return new Page(List.copyOf(page), new UserQuery.Position(last.createdAt(), last.id()));
    }

    /** The user, or {@code NOT_FOUND}. */
    public User get(String userId) {
        return users.findById(userId).orElseThrow(UserAdministration::notFound);
    }

    /** By id, or by email when the argument contains {@code @} (for the command line). */
    public Optional<User> findByIdOrEmail(String idOrEmail) {
        if (idOrEmail != null && idOrEmail.contains("@")) {
            return Emails.normalize(idOrEmail).flatMap(users::findByEmail);
        }
        return users.findById(idOrEmail);
    }

    /**
     * Gives the user {@code role}; their access tokens are revoked, their sessions are kept.
     * Setting the role the user already has changes nothing.
     *
     * @throws LatchkeyException {@code VALIDATION_FAILED} (unknown role), {@code NOT_FOUND}, {@code LAST_ADMIN}
     */
    public User changeRole(String userId, String role) {
        if (role == null || !Roles.ALL.contains(role)) {
            throw LatchkeyException.validation("role", "must be one of " + Roles.sorted());
        }
        User user = get(userId);
        if (user.role().equals(role)) {
            return user;
        }
        Instant mark = RevocationMark.next(clock.instant(), user.tokensRevokedBefore());
        check(users.changeRole(userId, role, mark));
        revocations.revokeUserTokensIssuedBefore(userId, mark);
        return get(userId);
    }

    /** Ends every session of the user, and so every access token. Returns how many sessions ended. */
    public int logout(String userId) {
        get(userId);
        return revokeSessions(userId);
    }

    /**
     * Ends every session of the user and refuses every access token issued so far, by session and
     * by the user's revocation mark (a password reset). Returns how many sessions ended.
     */
    public int revokeAccess(String userId) {
        User user = get(userId);
        Instant mark = RevocationMark.next(clock.instant(), user.tokensRevokedBefore());
        users.revokeTokensIssuedBefore(userId, mark);
        revocations.revokeUserTokensIssuedBefore(userId, mark);
        return revokeSessions(userId);
    }

    /** Disables the account (no login, no refresh) and ends its sessions. Disabling a disabled account changes nothing. */
    public void disable(String userId) {
        check(users.setDisabled(userId, clock.instant()));
        revokeSessions(userId);
    }

    public void enable(String userId) {
        check(users.setDisabled(userId, null));
    }

    /** Deletes the user with their sessions; their access tokens are refused from now on. */
    public void delete(String userId) {
        User user = get(userId);
        // past any iat issued so far, including one a mark of this very second pushed ahead
        Instant mark = RevocationMark.next(clock.instant(), user.tokensRevokedBefore()).plusMillis(1);
        check(users.delete(userId, mark));
        revocations.revokeUserTokensIssuedBefore(userId, mark);
    }

    private int revokeSessions(String userId) {
        Instant now = clock.instant();
        List<String> revoked = sessions.revokeAllForUser(userId, null, now);
        revoked.forEach(id -> revocations.revokeSession(id, now));
        return revoked.size();
    }

    private static void check(UserStore.Change change) {
        switch (change) {
            case DONE -> { }
            case NOT_FOUND -> throw notFound();
            case LAST_ADMIN -> throw new LatchkeyException(ErrorCode.LAST_ADMIN,
                    "This is the last enabled admin; make another user admin first.");
        }
    }

    private static LatchkeyException notFound() {
        return new LatchkeyException(ErrorCode.NOT_FOUND, "No such user.");
    }
}
