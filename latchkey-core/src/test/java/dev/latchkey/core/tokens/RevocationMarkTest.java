package dev.latchkey.core.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.core.sessions.RevocationList;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The user-level revocation rule with whole-second {@code iat}, at instants inside one second. */
class RevocationMarkTest {
    static final Instant S = Instant.parse("2026-03-01T12:00:10Z");

    @Test
    void aMarkInsideASecondRevokesEveryTokenIssuedInThatSecondOrBefore() {
        Instant mark = S.plusMillis(400);
        assertThat(RevocationMark.revokes(mark, S.minusSeconds(1))).isTrue();
        assertThat(RevocationMark.revokes(mark, S)).as("iat 10 s, issued at 10.1 or 10.399: before the mark").isTrue();
        assertThat(RevocationMark.revokes(mark, S.plusSeconds(1))).isFalse();
        assertThat(RevocationMark.revokes(null, S)).isFalse();
    }

    @Test
    void aTokenIssuedAfterTheMarkInTheSameSecondGetsTheNextSecondAndIsNotRevoked() {
        Instant mark = S.plusMillis(400);
        Instant issuedAt = RevocationMark.issuedAt(S.plusMillis(401), mark);
        assertThat(issuedAt).isEqualTo(S.plusSeconds(1));
        assertThat(RevocationMark.revokes(mark, issuedAt)).isFalse();
        // a token issued just before the mark, in the same second, carries iat S: revoked
        assertThat(RevocationMark.revokes(mark, RevocationMark.issuedAt(S.plusMillis(399), null))).isTrue();
        // later seconds are unaffected by the mark
        assertThat(RevocationMark.issuedAt(S.plusMillis(2500), mark)).isEqualTo(S.plusSeconds(2));
        assertThat(RevocationMark.issuedAt(S.plusMillis(999), null)).isEqualTo(S);
    }

    @Test
    void aMarkOnAWholeSecondRevokesOnlyEarlierSeconds() {
        assertThat(RevocationMark.ceilToSecond(S)).isEqualTo(S);
        assertThat(RevocationMark.ceilToSecond(S.plusNanos(1))).isEqualTo(S.plusSeconds(1));
        assertThat(RevocationMark.revokes(S, S.minusSeconds(1))).isTrue();
        assertThat(RevocationMark.revokes(S, S)).isFalse();
        assertThat(RevocationMark.issuedAt(S, S)).isEqualTo(S);
    }

    @Test
    void aSecondChangeWithinTheSameSecondGoesPastTheTokensTheFirstOneLetThrough() {
        Instant first = S.plusMillis(400);
        Instant letThrough = RevocationMark.issuedAt(S.plusMillis(500), first); // S+1
        Instant second = RevocationMark.next(S.plusMillis(600), first);
        assertThat(second).isEqualTo(S.plusSeconds(1).plusMillis(1));
        assertThat(RevocationMark.revokes(second, letThrough)).isTrue();
        Instant after = RevocationMark.issuedAt(S.plusMillis(700), second);
        assertThat(after).isEqualTo(S.plusSeconds(2));
        assertThat(Duration.between(S.plusMillis(700), after).getSeconds()).isLessThan(RevocationMark.MAX_IAT_AHEAD_SECONDS);
        assertThat(RevocationMark.revokes(second, after)).isFalse();
        // an ordinary change uses the time, in milliseconds
        assertThat(RevocationMark.next(S.plusNanos(400_123_456), null)).isEqualTo(S.plusMillis(400));
        assertThat(RevocationMark.next(S.plusSeconds(5), first)).isEqualTo(S.plusSeconds(5));
    }

    @Test
    void theRevocationListAppliesTheRuleAndForgetsMarksAfterOneTokenLifetime() {
        Duration memory = Duration.ofMinutes(15);
        RevocationList list = new RevocationList(Clock.fixed(S.plusMillis(450), ZoneOffset.UTC), memory);
        list.revokeUserTokensIssuedBefore("u1", S.plusMillis(400));
        list.revokeUserTokensIssuedBefore("u1", S.plusMillis(100)); // earlier: ignored

        assertThat(list.isRevoked(claims("u1", "s1", S))).isTrue();
        assertThat(list.isRevoked(claims("u1", "s1", S.plusSeconds(1)))).isFalse();
        assertThat(list.isRevoked(claims("u2", "s2", S))).isFalse();
        list.revokeSession("s2", S);
        assertThat(list.isRevoked(claims("u2", "s2", S.plusSeconds(1)))).isTrue();

        RevocationList later = new RevocationList(Clock.fixed(S.plus(memory).plusSeconds(1), ZoneOffset.UTC), memory);
        later.revokeUserTokensIssuedBefore("u1", S.plusMillis(400));
        assertThat(later.isRevoked(claims("u1", "s1", S))).as("its tokens have expired anyway").isFalse();
        assertThat(later.size()).isZero();
    }

    private static AccessTokenClaims claims(String user, String session, Instant issuedAt) {
        return new AccessTokenClaims(user, session, "user", "latchkey-web", "jti", issuedAt, issuedAt.plusSeconds(900));
    }
}
