package dev.latchkey.core.ratelimit;

import java.time.Duration;

/** Whether an attempt may go ahead, and if not, how long until it could. */
public sealed interface RateDecision {
    record Allowed() implements RateDecision {}

    /** {@code retryAfter} is positive: the time until the bucket has a token again. */
    record Refused(Duration retryAfter) implements RateDecision {}

    RateDecision ALLOWED = new Allowed();
}
