package dev.latchkey.core.sessions;

import java.time.Duration;
import java.util.Objects;

/**
 * The lifetimes that govern refresh.
 *
 * @param idleTtl        how long a session lives without a refresh; each rotation renews it
 *                       ({@code LATCHKEY_REFRESH_TOKEN_TTL}, default 7 days)
 * @param absoluteMaxAge how long a session lives at most, counted from login; rotation never
 *                       extends it ({@code LATCHKEY_SESSION_MAX_AGE}, default 30 days)
 * @param reuseGrace     how long after a rotation the replaced token may be presented again and
 *                       be answered with the same successor ({@code LATCHKEY_REFRESH_REUSE_GRACE},
 *                       default 10 seconds). It must be positive: racing requests with one token
 *                       rely on it (the loser of the compare-and-set is answered as a replay),
 *                       so a zero window would turn every benign race into a revoked family.
 */
public record RefreshPolicy(Duration idleTtl, Duration absoluteMaxAge, Duration reuseGrace) {

    public static final Duration DEFAULT_IDLE_TTL = Duration.ofDays(7);
    public static final Duration DEFAULT_ABSOLUTE_MAX_AGE = Duration.ofDays(30);
    public static final Duration DEFAULT_REUSE_GRACE = Duration.ofSeconds(10);

    public RefreshPolicy {
        Objects.requireNonNull(idleTtl, "idleTtl");
        Objects.requireNonNull(absoluteMaxAge, "absoluteMaxAge");
        Objects.requireNonNull(reuseGrace, "reuseGrace");
        requirePositive(idleTtl, "idleTtl");
        requirePositive(absoluteMaxAge, "absoluteMaxAge");
        requirePositive(reuseGrace, "reuseGrace");
    }

    /** The documented defaults: 7 days idle, 30 days absolute, 10 seconds grace. */
    public static RefreshPolicy defaults() {
        return new RefreshPolicy(DEFAULT_IDLE_TTL, DEFAULT_ABSOLUTE_MAX_AGE, DEFAULT_REUSE_GRACE);
    }

    private static void requirePositive(Duration d, String name) {
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }
}
