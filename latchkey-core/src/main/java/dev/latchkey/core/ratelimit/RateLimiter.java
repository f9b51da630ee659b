package dev.latchkey.core.ratelimit;

/**
 * Token buckets by key. Implementations keep the buckets in process ({@link LocalRateLimiter})
 * or share them between instances (a Bucket4j proxy manager over Redis plugs in here: the
 * limit is the bucket configuration, {@code limit.name() + key} the bucket key).
 *
 * <p>Must be cheap: it is asked before any password hashing, database lookup or body parsing,
 * so a refused attempt costs almost nothing.
 */
public interface RateLimiter {

    /** Takes one token from the bucket of {@code key} under {@code limit}, or says how long to wait. */
    RateDecision tryAcquire(RateLimit limit, String key);
}
