package dev.latchkey.core.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bucket4j buckets kept in this process, one Caffeine cache per limit. Memory is bounded: a
 * bucket left alone for one full period has refilled completely, so it is dropped then (exactly
 * equivalent to keeping it), and each limit keeps at most {@code maxKeysPerLimit} buckets (the
 * least recently used go first when a flood of distinct keys arrives). Time comes from the
 * clock, so tests refill buckets by moving it.
 */
public final class LocalRateLimiter implements RateLimiter {
    public static final int DEFAULT_MAX_KEYS_PER_LIMIT = 100_000;

    private final Clock clock;
    private final int maxKeysPerLimit;
    private final TimeMeter meter;
    private final Map<RateLimit, Cache<String, Bucket>> buckets = new ConcurrentHashMap<>();

    public LocalRateLimiter(Clock clock) {
        this(clock, DEFAULT_MAX_KEYS_PER_LIMIT);
    }

    public LocalRateLimiter(Clock clock, int maxKeysPerLimit) {
        this.clock = clock;
        this.maxKeysPerLimit = maxKeysPerLimit;
        this.meter = new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                return ClockTime.nanos(clock);
            }

            @Override
            public boolean isWallClockBased() {
                return true;
            }
        };
    }

    @Override
    public RateDecision tryAcquire(RateLimit limit, String key) {
        Bucket bucket = cacheOf(limit).get(key, k -> newBucket(limit));
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        if (probe.isConsumed()) {
            return RateDecision.ALLOWED;
        }
        return new RateDecision.Refused(Duration.ofNanos(Math.max(1, probe.getNanosToWaitForRefill())));
    }

    /** Buckets currently held for the limit (for tests and diagnostics). */
    public long size(RateLimit limit) {
        Cache<String, Bucket> cache = buckets.get(limit);
        if (cache == null) {
            return 0;
        }
        cache.cleanUp();
        return cache.estimatedSize();
    }

    private Cache<String, Bucket> cacheOf(RateLimit limit) {
        return buckets.computeIfAbsent(limit, l -> Caffeine.newBuilder()
                .ticker(() -> ClockTime.nanos(clock))
                .expireAfterAccess(l.period())
                .maximumSize(maxKeysPerLimit)
                .build());
    }

    private Bucket newBucket(RateLimit limit) {
        return Bucket.builder()
                .addLimit(b -> b.capacity(limit.capacity()).refillGreedy(limit.capacity(), limit.period()))
                .withCustomTimePrecision(meter)
                .build();
    }
}
