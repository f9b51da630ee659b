package dev.latchkey.core.accounts;

import dev.latchkey.core.administration.UserAdministration;
import dev.latchkey.core.errors.ErrorCode;
import dev.latchkey.core.errors.LatchkeyException;
import dev.latchkey.core.tokens.RefreshTokens;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Email verification and password reset through single-use tokens sent by mail.
 *
 * <p>A token is 256 bits from {@link SecureRandom} (base64url, 43 characters); only its SHA-256
 * is stored, with its purpose, user and expiry. Using one is a single conditional update, so a
 * token works once; a token of one purpose is refused for the other, and each is bound to its
 * user. Bad, spent, expired or wrong-purpose tokens all answer {@code EMAIL_TOKEN_INVALID} alike.
 *
 * <p>A reset request does the same work whether or not the address has an account (one lookup,
 * one token generated and hashed): storing the token and sending the mail are the caller's
 * asynchronous job ({@link #storeReset}), so the answer's timing does not tell them apart.
 */
public final class AccountRecovery {
    private final UserStore users;
    private final EmailTokenStore tokens;
    private final AccountService accounts;
    private final UserAdministration administration;
    private final Clock clock;
    private final SecureRandom random;
    private final Duration verificationTtl;
    private final Duration resetTtl;

    public AccountRecovery(UserStore users, EmailTokenStore tokens, AccountService accounts,
                           UserAdministration administration, Clock clock, SecureRandom random,
                           Duration verificationTtl, Duration resetTtl) {
        this.users = users;
        this.tokens = tokens;
        this.accounts = accounts;
        this.administration = administration;
        this.clock = clock;
        this.random = random;
        this.verificationTtl = verificationTtl;
        this.resetTtl = resetTtl;
    }

    /** A token to mail, with its raw value (only ever in the mail) and when it stops working. */
    public record MailedToken(User user, String token, Instant expiresAt) {
        @Override
        public String toString() {
            return "MailedToken[user=" + user.id() + ", token=<redacted>, expiresAt=" + expiresAt + "]";
        }
    }

    /**
     * A reset request, prepared identically for known and unknown addresses: {@code user} is empty
     * for an address without an account (or of a disabled one), and then nothing is stored or sent.
     */
    public record PreparedReset(String email, Optional<User> user, String token, String hash, Instant createdAt,
                                Instant expiresAt) {
        @Override
        public String toString() {
            return "PreparedReset[user=" + user.map(User::id).orElse(null) + ", token=<redacted>, expiresAt=" + expiresAt + "]";
        }
    }

    public Duration verificationTtl() {
        return verificationTtl;
    }

    public Duration resetTtl() {
        return resetTtl;
    }

    /** Stores a new verification token for the user and returns it to mail. */
    public MailedToken newVerification(User user) {
        Instant now = clock.instant();
        String token = RefreshTokens.randomToken(random);
        Instant expiresAt = now.plus(verificationTtl);
        tokens.insert(new EmailTokenStore.EmailToken(RefreshTokens.hash(token), EmailTokenPurpose.VERIFY, user.id(), now,
                expiresAt));
        return new MailedToken(user, token, expiresAt);
    }

    /**
     * The request path of a password reset: one lookup, one token generated and hashed, whatever
     * the address. {@code 400 VALIDATION_FAILED} only when the text is not an email address at all.
     */
    public PreparedReset prepareReset(String email) {
        String normalized = Emails.normalize(email)
                .orElseThrow(() -> LatchkeyException.validation("email", "must be a valid email address"));
        Optional<User> user = users.findByEmail(normalized).filter(u -> !u.disabled());
        Instant now = clock.instant();
        String token = RefreshTokens.randomToken(random);
        return new PreparedReset(normalized, user, token, RefreshTokens.hash(token), now, now.plus(resetTtl));
    }

    /** Stores a prepared reset's token when the address has an account; the mailed token for it, if so. */
    public Optional<MailedToken> storeReset(PreparedReset reset) {
        if (reset.user().isEmpty()) {
            return Optional.empty();
        }
        User user = reset.user().get();
        tokens.insert(new EmailTokenStore.EmailToken(reset.hash(), EmailTokenPurpose.RESET, user.id(), reset.createdAt(),
                reset.expiresAt()));
        return Optional.of(new MailedToken(user, reset.token(), reset.expiresAt()));
    }

    /** Spends a verification token and marks its user's email verified. Returns that user's id. */
    public String verifyEmail(String rawToken) {
        Instant now = clock.instant();
        String userId = tokens.consume(hashOf(rawToken), EmailTokenPurpose.VERIFY, now).orElseThrow(AccountRecovery::invalid);
        users.markEmailVerified(userId, now);
        tokens.invalidateAll(userId, EmailTokenPurpose.VERIFY, now);
        return userId;
    }

    /**
     * Sets a new password with a reset token: the token must be usable, the password must pass the
     * policy and the breach check; then the token is spent (with every other reset token of the
     * user), the email counts as verified (the user proved control of the mailbox), and every
     * session and access token of the user ends.
     *
     * @return the user's id and how many sessions ended
     */
    public ResetDone resetPassword(String rawToken, String newPassword) {
        String hash = hashOf(rawToken);
        tokens.findUsable(hash, EmailTokenPurpose.RESET, clock.instant()).orElseThrow(AccountRecovery::invalid);
        String newHash = accounts.hashNewPassword("newPassword", newPassword);
        Instant now = clock.instant();
        String userId = tokens.consume(hash, EmailTokenPurpose.RESET, now).orElseThrow(AccountRecovery::invalid);
        users.updatePasswordHash(userId, newHash);
        tokens.invalidateAll(userId, EmailTokenPurpose.RESET, now);
        users.markEmailVerified(userId, now);
        tokens.invalidateAll(userId, EmailTokenPurpose.VERIFY, now);
        int ended = administration.revokeAccess(userId);
        return new ResetDone(userId, ended);
    }

    /** What a password reset did. */
    public record ResetDone(String userId, int sessionsEnded) {}

    /** The password changed another way: reset tokens mailed before stop working. */
    public void passwordChanged(String userId) {
        tokens.invalidateAll(userId, EmailTokenPurpose.RESET, clock.instant());
    }

    private static String hashOf(String rawToken) {
        if (!RefreshTokens.isWellFormed(rawToken)) {
            throw invalid();
        }
        return RefreshTokens.hash(rawToken);
    }

    private static LatchkeyException invalid() {
        return new LatchkeyException(ErrorCode.EMAIL_TOKEN_INVALID,
                "The link is not valid: it may have expired or been used already. Ask for a new one.");
    }
}
