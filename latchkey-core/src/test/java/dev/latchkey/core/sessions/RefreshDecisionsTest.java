package dev.latchkey.core.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.latchkey.core.errors.ErrorCode;
import dev.latchkey.core.sessions.RefreshDecision.Expired;
import dev.latchkey.core.sessions.RefreshDecision.Invalid;
import dev.latchkey.core.sessions.RefreshDecision.ReplayWithinGrace;
import dev.latchkey.core.sessions.RefreshDecision.Reused;
import dev.latchkey.core.sessions.RefreshDecision.Revoked;
import dev.latchkey.core.sessions.RefreshDecision.Rotate;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RefreshDecisionsTest {

    private static final RefreshPolicy POLICY = RefreshPolicy.defaults();
    private static final Duration GRACE = POLICY.reuseGrace();
    private static final Duration NANO = Duration.ofNanos(1);

    private static final Instant CREATED = Instant.parse("2025-03-01T08:00:00Z");
    private static final Instant ROTATED = CREATED.plus(Duration.ofDays(2));
    private static final Instant ABSOLUTE = CREATED.plus(POLICY.absoluteMaxAge());

    private static final String CURRENT = "hash-current";
    private static final String PREVIOUS = "hash-previous";
    private static final String RETIRED = "hash-retired";
    private static final String FIRST = "hash-first";
    private static final byte[] SEALED = {1, 2, 3};

    /** A live session never rotated: only its first token. */
    private static Session fresh() {
        return new Session("s1", "u1", FIRST, null, null, null, CREATED, CREATED,
                CREATED.plus(POLICY.idleTtl()), ABSOLUTE, null, "ua", "203.0.113.7");
    }

    /** A live session rotated at {@code ROTATED}: {@code PREVIOUS} replaced by {@code CURRENT}. */
    private static Session rotated() {
        return rotatedAt(ROTATED, SEALED);
    }

    private static Session rotatedAt(Instant at, byte[] sealed) {
        return new Session("s1", "u1", CURRENT, PREVIOUS, at, sealed, CREATED, at,
                at.plus(POLICY.idleTtl()), ABSOLUTE, null, "ua", "203.0.113.7");
    }

    private static Session revoked(Session s, Instant at) {
        return new Session(s.id(), s.userId(), s.currentHash(), s.previousHash(), s.rotatedAt(),
                s.sealedSuccessor(), s.createdAt(), s.lastUsedAt(), s.idleExpiresAt(),
                s.absoluteExpiresAt(), at, s.userAgent(), s.ip());
    }

    static Stream<Arguments> table() {
        Session rotated = rotated();
        Session fresh = fresh();
        // Rotated one second before the absolute end: idle expiry lies beyond the absolute one.
        Session lateRotation = rotatedAt(ABSOLUTE.minusSeconds(1), SEALED);
        return Stream.of(
                // current token
                arguments("first token of a fresh session", fresh, FIRST, CREATED.plusSeconds(60), Rotate.class),
                arguments("current token after a rotation", rotated, CURRENT, ROTATED.plusSeconds(60), Rotate.class),
                arguments("current token at the rotation instant", rotated, CURRENT, ROTATED, Rotate.class),

                // predecessor and the grace window [rotatedAt, rotatedAt + grace)
                arguments("predecessor at the rotation instant", rotated, PREVIOUS, ROTATED, ReplayWithinGrace.class),
                arguments("predecessor 3s after rotation", rotated, PREVIOUS, ROTATED.plusSeconds(3), ReplayWithinGrace.class),
                arguments("predecessor 1ns before the window closes", rotated, PREVIOUS,
                        ROTATED.plus(GRACE).minus(NANO), ReplayWithinGrace.class),
                arguments("predecessor exactly when the window closes", rotated, PREVIOUS,
                        ROTATED.plus(GRACE), Reused.class),
                arguments("predecessor 1ns after the window closed", rotated, PREVIOUS,
                        ROTATED.plus(GRACE).plus(NANO), Reused.class),
                arguments("predecessor an hour later", rotated, PREVIOUS, ROTATED.plusSeconds(3600), Reused.class),
                arguments("predecessor from a clock slightly behind the winner's", rotated, PREVIOUS,
                        ROTATED.minusMillis(50), ReplayWithinGrace.class),
                arguments("predecessor in the window without a sealed successor", rotatedAt(ROTATED, null),
                        PREVIOUS, ROTATED.plusSeconds(1), Reused.class),
                arguments("predecessor in the window with an empty sealed successor", rotatedAt(ROTATED, new byte[0]),
                        PREVIOUS, ROTATED.plusSeconds(1), Reused.class),

                // older generations: neither current nor previous, yet issued by this session
                arguments("two generations old, long after", rotated, RETIRED, ROTATED.plusSeconds(3600), Reused.class),
                arguments("two generations old, inside the predecessor's window", rotated, RETIRED,
                        ROTATED.plusSeconds(1), Reused.class),
                arguments("two generations old, at the rotation instant", rotated, RETIRED, ROTATED, Reused.class),
                arguments("the session's first token after several rotations", rotated, FIRST,
                        ROTATED.plusSeconds(1), Reused.class),

                // revoked wins over every generation and over expiry
                arguments("revoked, current token", revoked(rotated, ROTATED.plusSeconds(5)), CURRENT,
                        ROTATED.plusSeconds(6), Revoked.class),
                arguments("revoked, predecessor inside the window", revoked(rotated, ROTATED.plusSeconds(1)), PREVIOUS,
                        ROTATED.plusSeconds(2), Revoked.class),
                arguments("revoked, retired token", revoked(rotated, ROTATED.plusSeconds(1)), RETIRED,
                        ROTATED.plusSeconds(2), Revoked.class),
                arguments("revoked and expired", revoked(rotated, ROTATED.plusSeconds(1)), CURRENT,
                        ABSOLUTE.plusSeconds(1), Revoked.class),

                // idle expiry: expired when now >= idleExpiresAt
                arguments("current token 1ns before idle expiry", rotated, CURRENT,
                        rotated.idleExpiresAt().minus(NANO), Rotate.class),
                arguments("current token exactly at idle expiry", rotated, CURRENT, rotated.idleExpiresAt(), Expired.class),
                arguments("current token after idle expiry", rotated, CURRENT,
                        rotated.idleExpiresAt().plusSeconds(60), Expired.class),
                arguments("retired token after idle expiry", rotated, RETIRED,
                        rotated.idleExpiresAt().plusSeconds(60), Expired.class),
                arguments("first token of a fresh session exactly at idle expiry", fresh, FIRST,
                        fresh.idleExpiresAt(), Expired.class),

                // absolute expiry: never extended by rotation, wins even when idle is fine
                arguments("current token 1ns before the absolute end, rotated 1s earlier", lateRotation, CURRENT,
                        ABSOLUTE.minus(NANO), Rotate.class),
                arguments("current token exactly at the absolute end, rotated 1s earlier", lateRotation, CURRENT,
                        ABSOLUTE, Expired.class),
                arguments("predecessor inside its window but at the absolute end", lateRotation, PREVIOUS,
                        ABSOLUTE, Expired.class),
                arguments("predecessor inside its window 1ns before the absolute end", lateRotation, PREVIOUS,
                        ABSOLUTE.minus(NANO), ReplayWithinGrace.class),
                arguments("retired token after the absolute end", lateRotation, RETIRED,
                        ABSOLUTE.plusSeconds(1), Expired.class));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void decides(String name, Session session, String presented, Instant now,
                 Class<? extends RefreshDecision> expected) {
        RefreshDecision decision = RefreshDecisions.decide(Optional.of(session), presented, now, POLICY);

        assertThat(decision).isInstanceOf(expected);
        assertThat(sessionOf(decision)).isSameAs(session);
    }

    @Test
    void unknownTokenIsInvalid() {
        assertThat(RefreshDecisions.decide(Optional.empty(), "hash-nobody-issued", ROTATED, POLICY))
                .isEqualTo(new Invalid());
    }

    @Test
    void nullPresentedHashIsInvalid() {
        assertThat(RefreshDecisions.decide(Optional.of(rotated()), null, ROTATED, POLICY))
                .isInstanceOf(Invalid.class);
    }

    @Test
    void absoluteExpiryIsNotMovedByRotation() {
        Session s = rotatedAt(ABSOLUTE.minusSeconds(1), SEALED);
        assertThat(s.idleExpiresAt()).isAfter(ABSOLUTE);

        assertThat(RefreshDecisions.isExpired(s, ABSOLUTE.minus(NANO))).isFalse();
        assertThat(RefreshDecisions.isExpired(s, ABSOLUTE)).isTrue();
    }

    @Test
    void graceWindowFollowsThePolicy() {
        RefreshPolicy shortGrace = new RefreshPolicy(POLICY.idleTtl(), POLICY.absoluteMaxAge(), Duration.ofSeconds(2));

        assertThat(RefreshDecisions.decide(Optional.of(rotated()), PREVIOUS, ROTATED.plusSeconds(1), shortGrace))
                .isInstanceOf(ReplayWithinGrace.class);
        assertThat(RefreshDecisions.decide(Optional.of(rotated()), PREVIOUS, ROTATED.plusSeconds(2), shortGrace))
                .isInstanceOf(Reused.class);
    }

    @Test
    void loserOfTheRaceIsAnsweredWithTheWinnersSuccessor() {
        // Both requests presented PREVIOUS (then current). The winner rotated at its own "now";
        // the loser reloads a few milliseconds later and asks again.
        Instant winnerNow = ROTATED;
        Session reloaded = rotatedAt(winnerNow, SEALED);

        assertThat(RefreshDecisions.afterLostRace(Optional.of(reloaded), PREVIOUS, winnerNow.plusMillis(3), POLICY))
                .isEqualTo(new ReplayWithinGrace(reloaded));
        // Another instance whose clock lags the winner's still lands inside the window.
        assertThat(RefreshDecisions.afterLostRace(Optional.of(reloaded), PREVIOUS, winnerNow.minusMillis(200), POLICY))
                .isInstanceOf(ReplayWithinGrace.class);
    }

    @Test
    void afterLostRaceReportsARevocationThatHappenedMeanwhile() {
        Session reloaded = revoked(rotated(), ROTATED);

        assertThat(RefreshDecisions.afterLostRace(Optional.of(reloaded), PREVIOUS, ROTATED.plusMillis(3), POLICY))
                .isInstanceOf(Revoked.class);
        assertThat(RefreshDecisions.afterLostRace(Optional.empty(), PREVIOUS, ROTATED.plusMillis(3), POLICY))
                .isInstanceOf(Invalid.class);
    }

    @Test
    void refusalsCarryTheirErrorCodes() {
        Session s = rotated();
        assertThat(new Reused(s).errorCode()).isEqualTo(ErrorCode.REFRESH_TOKEN_REUSED);
        assertThat(new Invalid().errorCode()).isEqualTo(ErrorCode.REFRESH_TOKEN_INVALID);
        assertThat(new Expired(s).errorCode()).isEqualTo(ErrorCode.SESSION_EXPIRED);
        assertThat(new Revoked(s).errorCode()).isEqualTo(ErrorCode.REFRESH_TOKEN_INVALID);
    }

    @Test
    void policyDefaultsMatchTheSpec() {
        assertThat(RefreshPolicy.defaults())
                .isEqualTo(new RefreshPolicy(Duration.ofDays(7), Duration.ofDays(30), Duration.ofSeconds(10)));
    }

    @Test
    void policyRefusesNonPositiveDurations() {
        assertThatThrownBy(() -> new RefreshPolicy(Duration.ZERO, Duration.ofDays(30), Duration.ofSeconds(10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idleTtl");
        assertThatThrownBy(() -> new RefreshPolicy(Duration.ofDays(7), Duration.ofDays(-1), Duration.ofSeconds(10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("absoluteMaxAge");
        assertThatThrownBy(() -> new RefreshPolicy(Duration.ofDays(7), Duration.ofDays(30), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reuseGrace");
        assertThatThrownBy(() -> new RefreshPolicy(null, Duration.ofDays(30), Duration.ofSeconds(10)))
                .isInstanceOf(NullPointerException.class);
    }

    private static Session sessionOf(RefreshDecision decision) {
        return switch (decision) {
            case Rotate r -> r.session();
            case ReplayWithinGrace r -> r.session();
            case Reused r -> r.session();
            case Expired e -> e.session();
            case Revoked r -> r.session();
            case Invalid i -> null;
        };
    }
}
