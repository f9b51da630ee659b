package dev.latchkey.store.redis;

import dev.latchkey.core.ratelimit.RateDecision;
import dev.latchkey.core.ratelimit.RateLimit;
import dev.latchkey.core.ratelimit.RateLimiter;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Token buckets shared by every instance: Bucket4j's Lettuce proxy manager keeps each bucket in
 * Redis (compare-and-swap, so concurrent instances never lose an attempt) under
 * {@code latchkey:rl:<limit>:<capacity>/<period>:<key>}, and Redis drops a bucket once it has
 * refilled (plus ten seconds). A limit reached is reached whichever instances the attempts hit.
 *
 * <p>While Redis does not answer, attempts are counted by {@code fallback} (this instance's own
 * buckets): limits keep holding, per instance, instead of refusing everyone or letting everything
 * through. One WARN line says so, one INFO line says when sharing resumes.
 */
public final class RedisRateLimiter implements RateLimiter {
    private static final Logger log = LoggerFactory.getLogger(RedisRateLimiter.class);

    private final Redis redis;
    private final RateLimiter fallback;
    private final ProxyManager<String> buckets;
    private final Map<RateLimit, BucketConfiguration> configurations = new ConcurrentHashMap<>();
    private final Degradation degradation = new Degradation(log, "rate limits");

    public RedisRateLimiter(Redis redis, RateLimiter fallback, Clock clock) {
        this.redis = redis;
        this.fallback = fallback;
        this.buckets = Bucket4jLettuce.casBasedBuilder(redis.buckets())
                .clientClock(new TimeMeter() {
                    @Override
                    public long currentTimeNanos() {
                        Instant now = clock.instant();
                        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
                    }

                    @Override
                    public boolean isWallClockBased() {
                        return true;
                    }
                })
                .requestTimeout(Redis.COMMAND_TIMEOUT)
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
                .build();
    }

    @Override
    public RateDecision tryAcquire(RateLimit limit, String key) {
        if (!redis.connected()) {
            degradation.failed(redis.location(), null);
            return fallback.tryAcquire(limit, key);
        }
        ConsumptionProbe probe;
        try {
            probe = buckets.builder()
                    .build("latchkey:rl:" + limit.name() + ":" + limit.describe() + ":" + key,
                            () -> configurations.computeIfAbsent(limit, RedisRateLimiter::configuration))
                    .tryConsumeAndReturnRemaining(1);
        } catch (RuntimeException e) {
            degradation.failed(redis.location(), e);
            return fallback.tryAcquire(limit, key);
        }
        degradation.answered(redis.location());
        if (probe.isConsumed()) {
            return RateDecision.ALLOWED;
        }
        return new RateDecision.Refused(Duration.ofNanos(Math.max(1, probe.getNanosToWaitForRefill())));
    }

    /** True while attempts are counted per instance because Redis does not answer. */
    public boolean degraded() {
        return degradation.degraded();
    }

    private static BucketConfiguration configuration(RateLimit limit) {
        return BucketConfiguration.builder()
                .addLimit(b -> b.capacity(limit.capacity()).refillGreedy(limit.capacity(), limit.period()))
                .build();
    }
}
