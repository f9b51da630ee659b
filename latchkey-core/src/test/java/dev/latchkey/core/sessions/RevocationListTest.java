package dev.latchkey.core.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import dev.latchkey.testkit.MutableClock;
import org.junit.jupiter.api.Test;

class RevocationListTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Duration MEMORY = Duration.ofMinutes(15).plusSeconds(30);

    @Test
    void aRevokedSessionIsRememberedForOneTokenLifetimeThenForgotten() {
        RevocationList list = new RevocationList(Clock.fixed(T0, ZoneOffset.UTC), MEMORY);
        list.revokeSession("s1", T0);
        assertThat(list.isSessionRevoked("s1")).isTrue();
        assertThat(list.isSessionRevoked("s2")).isFalse();

        RevocationList later = new RevocationList(Clock.fixed(T0.plus(MEMORY).plusMillis(1), ZoneOffset.UTC), MEMORY);
        later.revokeSession("s1", T0);
        assertThat(later.isSessionRevoked("s1")).as("too old to matter: its tokens have expired").isFalse();
    }

    @Test
    void forgetExpiredDropsOnlyEntriesOlderThanTheWindow() {
        MutableClock clock = new MutableClock(T0);
        RevocationList list = new RevocationList(clock, MEMORY);
        list.revokeSession("old", T0);
        clock.set(T0.plus(Duration.ofMinutes(10)));
        list.revokeSession("new", clock.instant());
        clock.set(T0.plus(MEMORY).plusSeconds(1));

        assertThat(list.forgetExpired()).isEqualTo(1);
        assertThat(list.isSessionRevoked("old")).isFalse();
        assertThat(list.isSessionRevoked("new")).isTrue();
        assertThat(list.size()).isEqualTo(1);
        assertThat(list.rebuildSince()).isEqualTo(clock.instant().minus(MEMORY));
    }

    @Test
    void theEarliestRevocationTimeIsKept() {
        MutableClock clock = new MutableClock(T0.plusSeconds(60));
        RevocationList list = new RevocationList(clock, MEMORY);
        list.revokeSession("s", T0.plusSeconds(30));
        list.revokeSession("s", T0);
        clock.set(T0.plus(MEMORY).plusSeconds(10));
        list.forgetExpired();
        assertThat(list.isSessionRevoked("s")).isFalse();
    }
}
