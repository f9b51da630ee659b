package dev.latchkey.store.redis;

import dev.latchkey.core.ratelimit.FailureLockout;
import dev.latchkey.core.ratelimit.LockoutPolicy;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The login lockout shared by every instance, in two Redis keys per account:
 * {@code latchkey:lockout:failures:<key>}, the consecutive failures (INCR, forgotten after
 * {@code forgetAfter} without a new one), and {@code latchkey:lockout:locked:<key>}, present
 * while the account is locked (its TTL is the lockout). A success deletes both.
 *
 * <p>While Redis does not answer, {@code fallback} (this instance's own counts) takes over, with
 * one WARN line; failures counted there are not carried over to Redis afterwards.
 */
public final class RedisFailureLockout implements FailureLockout {
    private static final Logger log = LoggerFactory.getLogger(RedisFailureLockout.class);
    private static final String FAILURES = "latchkey:lockout:failures:";
    private static final String LOCKED = "latchkey:lockout:locked:";

    private final Redis redis;
    private final LockoutPolicy policy;
    private final Duration forgetAfter;
    private final FailureLockout fallback;
    private final Degradation degradation = new Degradation(log, "login lockouts");

    public RedisFailureLockout(Redis redis, LockoutPolicy policy, Duration forgetAfter, FailureLockout fallback) {
        this.redis = redis;
        this.policy = policy;
        this.forgetAfter = forgetAfter;
        this.fallback = fallback;
    }

    @Override
    public Optional<Duration> lockedFor(String key) {
        if (!redis.connected()) {
            degradation.failed(redis.location(), null);
            return fallback.lockedFor(key);
        }
        long ttl;
        try {
            ttl = redis.commands().sync().pttl(LOCKED + key);
        } catch (RuntimeException e) {
            degradation.failed(redis.location(), e);
            return fallback.lockedFor(key);
        }
        degradation.answered(redis.location());
        return ttl > 0 ? Optional.of(Duration.ofMillis(ttl)) : Optional.empty();
    }

    @Override
    public void failed(String key) {
        if (!redis.connected()) {
            degradation.failed(redis.location(), null);
            fallback.failed(key);
            return;
        }
        try {
            RedisCommands<String, String> commands = redis.commands().sync();
            long failures = commands.incr(FAILURES + key);
            commands.pexpire(FAILURES + key, forgetAfter.toMillis());
            Duration lockout = policy.lockoutAfter((int) Math.min(failures, Integer.MAX_VALUE));
            if (!lockout.isZero()) {
                commands.set(LOCKED + key, "1", SetArgs.Builder.px(lockout.toMillis()));
            }
            degradation.answered(redis.location());
        } catch (RuntimeException e) {
            degradation.failed(redis.location(), e);
            fallback.failed(key);
        }
    }

    @Override
    public void succeeded(String key) {
        fallback.succeeded(key);
        if (!redis.connected()) {
            return;
        }
        try {
            redis.commands().sync().del(FAILURES + key, LOCKED + key);
        } catch (RuntimeException e) {
            degradation.failed(redis.location(), e);
        }
    }
}
