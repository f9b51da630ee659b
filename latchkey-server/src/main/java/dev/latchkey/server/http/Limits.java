package dev.latchkey.server.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.latchkey.core.accounts.Emails;
import dev.latchkey.core.audit.AuditEventType;
import dev.latchkey.core.audit.AuditOutcome;
import dev.latchkey.core.errors.ErrorCode;
import dev.latchkey.core.errors.LatchkeyException;
import dev.latchkey.core.ratelimit.AbuseLimits;
import dev.latchkey.core.ratelimit.FailureLockout;
import dev.latchkey.core.ratelimit.RateDecision;
import dev.latchkey.core.ratelimit.RateLimit;
import dev.latchkey.core.ratelimit.RateLimiter;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The rate limits and the login lockout as the routes apply them: each check either passes or
 * throws {@code 429 RATE_LIMITED} with {@code Retry-After}. Checks are made before the request
 * body is parsed where the key allows (per IP) and always before any password is hashed.
 *
 * <p>A refusal is audited once per limit and key per minute, not once per refused request, so a
 * flood of refused attempts cannot flood the audit trail.
 */
final class Limits {
    private static final Duration AUDIT_EVERY = Duration.ofMinutes(1);

    private final RateLimiter limiter;
    private final FailureLockout lockout;
    private final AbuseLimits limits;
    private final Audits audits;
    private final Cache<String, Boolean> recentlyAudited;

    Limits(RateLimiter limiter, FailureLockout lockout, AbuseLimits limits, Audits audits, Clock clock) {
        this.limiter = limiter;
        this.lockout = lockout;
        this.limits = limits;
        this.audits = audits;
        this.recentlyAudited = Caffeine.newBuilder()
                .ticker(() -> clock.millis() * 1_000_000L)
                .expireAfterWrite(AUDIT_EVERY)
                .maximumSize(10_000)
                .build();
    }

    AbuseLimits configured() {
        return limits;
    }

    /** The per-account key of an email as typed: normalized when it is an address, else lowercased and cut. */
    static String accountKey(String email) {
        Optional<String> normalized = Emails.normalize(email);
        if (normalized.isPresent()) {
            return normalized.get();
        }
        String raw = email == null ? "" : email.strip().toLowerCase(Locale.ROOT);
        return raw.length() <= 320 ? raw : raw.substring(0, 320);
    }

    void check(Context ctx, RateLimit limit, String key, String userId) {
        if (limiter.tryAcquire(limit, key) instanceof RateDecision.Refused refused) {
            throw refuse(ctx, limit.name(), key, userId, refused.retryAfter());
        }
    }

    /** Takes one from the bucket without refusing: false when the limit is reached (the caller skips something optional). */
    boolean allows(RateLimit limit, String key) {
        return limiter.tryAcquire(limit, key) instanceof RateDecision.Allowed;
    }

    /** Refuses while the account is locked after repeated failed logins. */
    void checkLockout(Context ctx, String accountKey) {
        Optional<Duration> locked = lockout.lockedFor(accountKey);
        if (locked.isPresent()) {
            throw refuse(ctx, "login-lockout", accountKey, null, locked.get());
        }
    }

    void loginFailed(String accountKey) {
        lockout.failed(accountKey);
    }

    void loginSucceeded(String accountKey) {
        lockout.succeeded(accountKey);
    }

    private LatchkeyException refuse(Context ctx, String limitName, String key, String userId, Duration retryAfter) {
        if (recentlyAudited.asMap().putIfAbsent(limitName + "\u0000" + key, Boolean.TRUE) == null) {
            audits.record(ctx, AuditEventType.RATE_LIMITED, AuditOutcome.DENIED, userId, null,
                    Map.of("limit", limitName, "path", ctx.path()));
        }
        return LatchkeyException.retryLater(ErrorCode.RATE_LIMITED, "Too many attempts; try again later.", retryAfter);
    }
}
