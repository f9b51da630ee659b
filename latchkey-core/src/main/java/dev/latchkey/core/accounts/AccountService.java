package dev.latchkey.core.accounts;

import dev.latchkey.core.errors.ErrorCode;
import dev.latchkey.core.errors.LatchkeyException;
import dev.latchkey.core.passwords.ImportedHashes;
import dev.latchkey.core.passwords.BreachCheck;
import dev.latchkey.core.passwords.HashingPool;
import dev.latchkey.core.passwords.PasswordCheck;
import dev.latchkey.core.passwords.PasswordHashing;
import dev.latchkey.core.passwords.PasswordPolicy;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Registration, authentication and password changes.
 *
 * <p>Authentication never tells an unknown email from a wrong password: both answer
 * {@code INVALID_CREDENTIALS} with the same words, and both spend one password verification
 * with the configured parameters (an unknown email verifies against a dummy hash).
 *
 * <p>Every hash and verification runs on the bounded {@link HashingPool} (full: 503). A new
 * password passes the policy, then the {@link BreachCheck}, before it is hashed.
 */
public final class AccountService {
    private final UserStore users;
    private final PasswordHashing hashing;
    private final PasswordPolicy policy;
    private final HashingPool pool;
    private final BreachCheck breaches;
    private final Clock clock;

    public AccountService(UserStore users, PasswordHashing hashing, PasswordPolicy policy, HashingPool pool,
                          BreachCheck breaches, Clock clock) {
        this.users = users;
        this.hashing = hashing;
        this.policy = policy;
        this.pool = pool;
        this.breaches = breaches;
        this.clock = clock;
    }

    /** A self-registered account: its email is not verified yet. */
    public User register(String email, String password) {
        return create(email, password, Roles.USER, false);
    }

    /**
     * Creates an account with the given role after the same checks as registration. The operator
     * creates it (command line, bootstrap admin) and vouches for the address: it counts as verified.
     */
    public User create(String email, String password, String role) {
        return create(email, password, role, true);
    }

    private User create(String email, String password, String role, boolean verified) {
        Map<String, String> problems = new LinkedHashMap<>();
        Optional<String> normalized = Emails.normalize(email);
        if (normalized.isEmpty()) {
            problems.put("email", "must be a valid email address");
        }
        if (policy.check(password) instanceof PasswordCheck.Rejected rejected) {
            problems.put("password", rejected.reason());
        }
        if (!Roles.ALL.contains(role)) {
            problems.put("role", "must be one of " + Roles.sorted());
        }
        if (!problems.isEmpty()) {
            throw new LatchkeyException(ErrorCode.VALIDATION_FAILED, "The request is not valid.", problems);
        }
        pool.refuseIfFull(); // before the breach check, which may ask a remote service
        screen("password", password);
        String hash = pool.run(() -> hashing.hash(password));
        java.time.Instant now = clock.instant();
        User user = new User(UUID.randomUUID().toString(), normalized.get(), role, hash, now, null, null,
                verified ? now : null);
        try {
            users.insert(user);
        } catch (EmailTakenException e) {
            throw new LatchkeyException(ErrorCode.EMAIL_TAKEN, "An account with this email already exists.");
        }
        return user;
    }

    /** The user whose email and password these are, or {@code INVALID_CREDENTIALS}. */
    public User authenticate(String email, String password) {
        return switch (attemptLogin(email, password)) {
            case LoginAttempt.Succeeded succeeded -> succeeded.user();
            case LoginAttempt.Failed failed -> throw invalidCredentials();
        };
    }

    /** Like {@link #authenticate}, telling the caller (for the audit trail) which account failed, when one exists. */
    public LoginAttempt attemptLogin(String email, String password) {
        // Under a login flood, an attempt the hashing pool would refuse costs no database read; known
        // and unknown addresses are refused alike, before either is looked up.
        pool.refuseIfFull();
        Optional<User> found = Emails.normalize(email).flatMap(users::findByEmail);
        if (found.isEmpty()) {
            pool.execute(() -> hashing.verifyDummy(password));
            return new LoginAttempt.Failed(null);
        }
        User user = found.get();
        PasswordHashing.Verification verification = pool.run(() -> hashing.verify(password, user.passwordHash()));
        if (!verification.matches() || user.disabled()) {
            return new LoginAttempt.Failed(user.id());
        }
        if (verification.needsRehash()) {
            // The configured algorithm or its cost changed since this hash was made.
            users.updatePasswordHash(user.id(), pool.run(() -> hashing.hash(password)));
        }
        return new LoginAttempt.Succeeded(user);
    }

    /** Changes the password after checking the current one; the caller revokes the user's other sessions. */
    public void changePassword(String userId, String currentPassword, String newPassword) {
        if (policy.check(newPassword) instanceof PasswordCheck.Rejected rejected) {
            throw LatchkeyException.validation("newPassword", rejected.reason());
        }
        User user = users.findById(userId).orElseThrow(AccountService::invalidCredentials);
        if (!pool.run(() -> hashing.verify(currentPassword, user.passwordHash())).matches()) {
            throw invalidCredentials();
        }
        screen("newPassword", newPassword);
        users.updatePasswordHash(userId, pool.run(() -> hashing.hash(newPassword)));
    }

    /**
     * The stored hash of a new password that passes the policy and the breach check (a password
     * reset): {@code 400 VALIDATION_FAILED} naming {@code field}, or {@code 503}.
     */
    public String hashNewPassword(String field, String newPassword) {
        if (policy.check(newPassword) instanceof PasswordCheck.Rejected rejected) {
            throw LatchkeyException.validation(field, rejected.reason());
        }
        screen(field, newPassword);
        return pool.run(() -> hashing.hash(newPassword));
    }

    /** The breach check of a new password: 400 naming the field when breached, 503 when it fails closed. */
    private void screen(String field, String password) {
        switch (breaches.check(password)) {
            case BreachCheck.Result.Clear clear -> { }
            case BreachCheck.Result.Breached breached -> throw LatchkeyException.validation(field,
                    "has appeared in a data breach; choose another password");
            case BreachCheck.Result.Unavailable unavailable -> throw LatchkeyException.retryLater(
                    ErrorCode.SERVICE_UNAVAILABLE, "The password could not be checked right now; try again shortly.",
                    java.time.Duration.ofSeconds(5));
        }
    }

    public Optional<User> find(String userId) {
        return users.findById(userId);
    }

    /**
     * Creates the bootstrap admin when no account has that email; does nothing when one exists
     * (whatever its role: an existing account is never changed). Returns true when it created
     * the account. The email and password are checked first, on every start, so a configured
     * password that breaks the policy is reported even when the account already exists.
     *
     * @throws LatchkeyException {@code VALIDATION_FAILED} naming {@code email} or {@code password}
     */
    public boolean ensureAdmin(String email, String password) {
        Map<String, String> problems = new LinkedHashMap<>();
        Optional<String> normalized = Emails.normalize(email);
        if (normalized.isEmpty()) {
            problems.put("email", "must be a valid email address");
        }
        if (policy.check(password) instanceof PasswordCheck.Rejected rejected) {
            problems.put("password", rejected.reason());
        }
        if (!problems.isEmpty()) {
            throw new LatchkeyException(ErrorCode.VALIDATION_FAILED, "The bootstrap admin is not valid.", problems);
        }
        if (users.findByEmail(normalized.get()).isPresent()) {
            return false;
        }
        try {
            create(email, password, Roles.ADMIN);
            return true;
        } catch (LatchkeyException e) {
            if (e.code() == ErrorCode.EMAIL_TAKEN) {
                return false; // another instance created it at the same moment
            }
            throw e;
        }
    }

    /**
     * Takes over an account from another application with its existing password hash (bcrypt or
     * argon2id, see {@link ImportedHashes}); the hash is verified at login and upgraded then.
     * Returns the account made, or empty when one with that email exists (nothing is changed).
     *
     * @throws LatchkeyException {@code VALIDATION_FAILED} naming {@code email}, {@code role} or {@code password_hash}
     */
    public Optional<User> importUser(String email, String role, String passwordHash) {
        Map<String, String> problems = importProblems(email, role, passwordHash);
        if (!problems.isEmpty()) {
            throw new LatchkeyException(ErrorCode.VALIDATION_FAILED, "The imported account is not valid.", problems);
        }
        User user = new User(UUID.randomUUID().toString(), Emails.normalize(email).orElseThrow(), role, passwordHash,
                clock.instant(), null);
        try {
            users.insert(user);
            return Optional.of(user);
        } catch (EmailTakenException e) {
            return Optional.empty();
        }
    }

    /** What is wrong with an account to import, by field; empty when it can be imported. */
    public static Map<String, String> importProblems(String email, String role, String passwordHash) {
        Map<String, String> problems = new LinkedHashMap<>();
        if (Emails.normalize(email).isEmpty()) {
            problems.put("email", "must be a valid email address");
        }
        if (role == null || !Roles.ALL.contains(role)) {
            problems.put("role", "must be one of " + Roles.sorted());
        }
        ImportedHashes.problem(passwordHash).ifPresent(problem -> problems.put("password_hash", problem));
        return problems;
    }

    private static LatchkeyException invalidCredentials() {
        return new LatchkeyException(ErrorCode.INVALID_CREDENTIALS, "The email or password is not correct.");
    }
}
