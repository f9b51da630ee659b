package dev.latchkey.core.ratelimit;

import java.time.Clock;
import java.time.Instant;

/** Nanoseconds since the epoch from a {@link Clock}, for Bucket4j and Caffeine, so tests move time by hand. */
final class ClockTime {
    private ClockTime() {
    }

    static long nanos(Clock clock) {
        Instant now = clock.instant();
        return Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000_000L), now.getNano());
    }
}
