package dev.latchkey.core.ratelimit;

import java.time.Duration;
import java.util.Objects;

/**
 * Growing delays after consecutive failed logins of one account: from the {@code threshold}-th
 * failure on, each failure locks the account for {@code initial}, doubling with every further
 * failure, never longer than {@code max}. A success resets the count. The cap bounds how long a
 * stranger who knows an email can keep its owner out: one wrong guess per {@code max} at most.
 */
public record LockoutPolicy(int threshold, Duration initial, Duration max) {
    public LockoutPolicy {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (threshold < 1) {
            throw new IllegalArgumentException("threshold must be at least 1");
        }
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("need 0 < initial <= max");
        }
    }

    /** The lockout that follows the {@code consecutiveFailures}-th failure in a row (zero below the threshold). */
    public Duration lockoutAfter(int consecutiveFailures) {
        if (consecutiveFailures < threshold) {
            return Duration.ZERO;
        }
        int doublings = Math.min(consecutiveFailures - threshold, 40);
        Duration lockout = initial;
        for (int i = 0; i < doublings && lockout.compareTo(max) < 0; i++) {
            lockout = lockout.multipliedBy(2);
        }
        return lockout.compareTo(max) > 0 ? max : lockout;
    }
}
