package dev.latchkey.core.ratelimit;

import java.time.Duration;
import java.util.Objects;

/**
 * One limit: at most {@code capacity} attempts per {@code period} for each key, refilled
 * smoothly (a token every {@code period / capacity}), so a burst of {@code capacity} is allowed
 * and then one attempt per refill interval.
 *
 * @param name names the limit; keys of different limits never share a bucket
 */
public record RateLimit(String name, long capacity, Duration period) {
    public RateLimit {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(period, "period");
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period must be positive");
        }
    }

    /** {@code 20/1m}-style text, as in the configuration. */
    public String describe() {
        return capacity + "/" + period;
    }
}
