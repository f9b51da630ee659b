package dev.latchkey.core.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * {@link FailureLockout} in this process. A key's failures are forgotten after {@link #forgetAfter}
 * without a new one (at least an hour, at least twice the longest lockout), and at most
 * {@code maxKeys} keys are remembered, so memory stays bounded under a flood of distinct emails.
 */
public final class LocalFailureLockout implements FailureLockout {
    private record State(int failures, Instant lockedUntil) {}

    private final LockoutPolicy policy;
    private final Clock clock;
    private final Duration forgetAfter;
    private final Cache<String, State> states;

    public LocalFailureLockout(LockoutPolicy policy, Clock clock) {
        this(policy, clock, LocalRateLimiter.DEFAULT_MAX_KEYS_PER_LIMIT);
    }

    public LocalFailureLockout(LockoutPolicy policy, Clock clock, int maxKeys) {
        this.policy = policy;
        this.clock = clock;
        Duration twiceMax = policy.max().multipliedBy(2);
        this.forgetAfter = twiceMax.compareTo(Duration.ofHours(1)) > 0 ? twiceMax : Duration.ofHours(1);
        this.states = Caffeine.newBuilder()
                .ticker(() -> ClockTime.nanos(clock))
                .expireAfterWrite(forgetAfter)
                .maximumSize(maxKeys)
                .build();
    }

    public Duration forgetAfter() {
        return forgetAfter;
    }

    @Override
    public Optional<Duration> lockedFor(String key) {
        State state = states.getIfPresent(key);
        if (state == null || state.lockedUntil() == null) {
            return Optional.empty();
        }
        Duration left = Duration.between(clock.instant(), state.lockedUntil());
        return left.isNegative() || left.isZero() ? Optional.empty() : Optional.of(left);
    }

    @Override
    public void failed(String key) {
        Instant now = clock.instant();
        states.asMap().compute(key, (k, old) -> {
            int failures = old == null ? 1 : old.failures() + 1;
            Duration lockout = policy.lockoutAfter(failures);
            return new State(failures, lockout.isZero() ? null : now.plus(lockout));
        });
    }

    @Override
    public void succeeded(String key) {
        states.invalidate(key);
    }
}
