package dev.latchkey.core.ratelimit;

import dev.latchkey.testkit.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LockoutTest {
    final LockoutPolicy policy = new LockoutPolicy(5, Duration.ofSeconds(1), Duration.ofMinutes(15));

    @Test
    void delaysDoubleFromTheThresholdUpToTheCap() {
        assertThat(policy.lockoutAfter(4)).isZero();
        assertThat(policy.lockoutAfter(5)).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.lockoutAfter(6)).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.lockoutAfter(14)).isEqualTo(Duration.ofSeconds(512));
        assertThat(policy.lockoutAfter(15)).isEqualTo(Duration.ofMinutes(15));
        assertThat(policy.lockoutAfter(Integer.MAX_VALUE)).isEqualTo(Duration.ofMinutes(15));
    }

    @Test
    void aSuccessResetsAndIdleFailuresAreForgotten() {
        MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
        LocalFailureLockout lockout = new LocalFailureLockout(new LockoutPolicy(2, Duration.ofSeconds(1),
                Duration.ofSeconds(10)), clock);
        lockout.failed("a");
        assertThat(lockout.lockedFor("a")).isEmpty();
        lockout.failed("a");
        assertThat(lockout.lockedFor("a")).isEqualTo(Optional.of(Duration.ofSeconds(1)));
        assertThat(lockout.lockedFor("b")).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        assertThat(lockout.lockedFor("a")).isEmpty();
        lockout.failed("a");
        assertThat(lockout.lockedFor("a")).isEqualTo(Optional.of(Duration.ofSeconds(2)));

        lockout.succeeded("a");
        assertThat(lockout.lockedFor("a")).isEmpty();
        lockout.failed("a");
        assertThat(lockout.lockedFor("a")).isEmpty();

        clock.advance(lockout.forgetAfter().plusSeconds(1));
        lockout.failed("a"); // the earlier failure was forgotten: this is the first again
        assertThat(lockout.lockedFor("a")).isEmpty();
    }
}
