package dev.latchkey.core.ratelimit;

import dev.latchkey.testkit.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LocalRateLimiterTest {
    final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    final LocalRateLimiter limiter = new LocalRateLimiter(clock, 1000);
    final RateLimit fivePerMinute = new RateLimit("test", 5, Duration.ofMinutes(1));

    @Test
    void allowsTheBurstThenRefusesWithTheWaitThenRefillsSmoothly() {
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.tryAcquire(fivePerMinute, "a")).isEqualTo(RateDecision.ALLOWED);
        }
        assertThat(limiter.tryAcquire(fivePerMinute, "a")).isEqualTo(new RateDecision.Refused(Duration.ofSeconds(12)));
        assertThat(limiter.tryAcquire(fivePerMinute, "b")).isEqualTo(RateDecision.ALLOWED);

        clock.advance(Duration.ofSeconds(11));
        assertThat(limiter.tryAcquire(fivePerMinute, "a")).isEqualTo(new RateDecision.Refused(Duration.ofSeconds(1)));
        clock.advance(Duration.ofSeconds(1));
        assertThat(limiter.tryAcquire(fivePerMinute, "a")).isEqualTo(RateDecision.ALLOWED);
        assertThat(limiter.tryAcquire(fivePerMinute, "a")).isInstanceOf(RateDecision.Refused.class);
    }

    @Test
    void limitsWithTheSameKeysKeepSeparateBuckets() {
        RateLimit other = new RateLimit("other", 1, Duration.ofMinutes(1));
        assertThat(limiter.tryAcquire(other, "a")).isEqualTo(RateDecision.ALLOWED);
        assertThat(limiter.tryAcquire(other, "a")).isInstanceOf(RateDecision.Refused.class);
        assertThat(limiter.tryAcquire(fivePerMinute, "a")).isEqualTo(RateDecision.ALLOWED);
    }

    @Test
    void idleBucketsAreForgottenAndMemoryIsBounded() {
        for (int i = 0; i < 5000; i++) {
            limiter.tryAcquire(fivePerMinute, "key-" + i);
        }
        assertThat(limiter.size(fivePerMinute)).isLessThanOrEqualTo(1000);
        clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        assertThat(limiter.size(fivePerMinute)).isZero();
    }
}
