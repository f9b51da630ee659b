package dev.latchkey.core.sessions;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The refresh decision as a pure function of (session state, presented hash, now, policy): no
 * I/O, no clock, no randomness, so every branch is tested with fixed instants.
 *
 * <h2>Order of checks</h2>
 * The first rule that matches wins:
 * <ol>
 *   <li>no session issued the token ({@code found} is empty) &rarr; {@link RefreshDecision.Invalid};</li>
 *   <li>the session is revoked &rarr; {@link RefreshDecision.Revoked}, whatever generation the
 *       token is: a revoked family is over, and there is nothing left to revoke;</li>
 *   <li>{@code now} is at or past the idle or the absolute expiry &rarr;
 *       {@link RefreshDecision.Expired}, whatever generation the token is: once the session has
 *       ended, "it expired" is the honest answer, and there is no live family left to protect
 *       by revoking it;</li>
 *   <li>the presented hash is the current one &rarr; {@link RefreshDecision.Rotate};</li>
 *   <li>it is the previous one, {@code now} is inside the grace window and a sealed successor
 *       is stored &rarr; {@link RefreshDecision.ReplayWithinGrace};</li>
 *   <li>anything else the session issued (the previous one after the window or without a sealed
 *       successor, or any retired one) &rarr; {@link RefreshDecision.Reused}.</li>
 * </ol>
 *
 * <h2>Boundaries</h2>
 * All windows are half-open, so each instant belongs to exactly one side:
 * <ul>
 *   <li>a session is expired when {@code now >= idleExpiresAt} or {@code now >= absoluteExpiresAt};</li>
 *   <li>the grace window is {@code now < rotatedAt + reuseGrace}: exactly at
 *       {@code rotatedAt + reuseGrace} the window is closed and the predecessor counts as reused.
 *       There is deliberately no lower bound: with several instances, the winner's
 *       {@code rotatedAt} comes from its own clock and may be slightly ahead of the loser's
 *       {@code now}; such a request is inside the window, not outside it.</li>
 * </ul>
 *
 * <h2>Why no successor without a seal</h2>
 * The predecessor inside the window without a sealed successor (a store that lost or purged it
 * early) is {@code Reused}, not a fresh rotation: the spec allows one successor per token, and
 * an answer with any other successor would fork the family. Failing closed is the only answer
 * that keeps that promise.
 */
public final class RefreshDecisions {

    private RefreshDecisions() {}

    /**
     * Decides what a presented refresh token gets.
     *
     * @param found         the session that ever issued {@code presentedHash}, that is the result
     *                      of {@link SessionStore#findByTokenHash(String)} for it; the decision
     *                      trusts that every hash it is asked about belongs to {@code found}
     * @param presentedHash SHA-256 (base64url) of the presented raw refresh token
     * @param now           the current instant
     * @param policy        lifetimes and grace window
     */
    public static RefreshDecision decide(Optional<Session> found, String presentedHash, Instant now,
                                         RefreshPolicy policy) {
        Objects.requireNonNull(found, "found");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(policy, "policy");
        if (found.isEmpty() || presentedHash == null) {
            return new RefreshDecision.Invalid();
        }
        Session session = found.get();
        if (session.revoked()) {
            return new RefreshDecision.Revoked(session);
        }
        if (isExpired(session, now)) {
            return new RefreshDecision.Expired(session);
        }
        // Hashes of high-entropy tokens, already used as the lookup key: plain equality leaks nothing.
        if (presentedHash.equals(session.currentHash())) {
            return new RefreshDecision.Rotate(session);
        }
        if (presentedHash.equals(session.previousHash())
                && insideGrace(session, now, policy)
                && hasSealedSuccessor(session)) {
            return new RefreshDecision.ReplayWithinGrace(session);
        }
        return new RefreshDecision.Reused(session);
    }

    /**
     * Decides again after {@link SessionStore#rotate} returned false, i.e. another request
     * rotated the same token first (or the session was revoked meanwhile), with the session
     * reloaded from the store.
     *
     * <p>This is {@link #decide} unchanged: the presented token is now the predecessor, and the
     * winner's {@code rotatedAt} is the winner's "now", a few milliseconds before (or, across
     * instances with slightly skewed clocks, even after) the loser's {@code now}. The grace
     * window is measured in seconds and has no lower bound, so the loser always lands inside it
     * and gets {@link RefreshDecision.ReplayWithinGrace}: every racer is answered with the one
     * successor. If the session was revoked meanwhile the answer is
     * {@link RefreshDecision.Revoked}.
     *
     * <p>A {@link RefreshDecision.Rotate} here means the store claimed a lost race while the
     * presented token is still current and the session live; the store contract rules that out,
     * so the edge should retry at most once and otherwise fail, never loop.
     */
    public static RefreshDecision afterLostRace(Optional<Session> reloaded, String presentedHash, Instant now,
                                                RefreshPolicy policy) {
        return decide(reloaded, presentedHash, now, policy);
    }

    /** True when {@code now} is at or past either expiry of the session. */
    public static boolean isExpired(Session session, Instant now) {
        return !now.isBefore(session.idleExpiresAt()) || !now.isBefore(session.absoluteExpiresAt());
    }

    private static boolean insideGrace(Session session, Instant now, RefreshPolicy policy) {
        Instant rotatedAt = session.rotatedAt();
        return rotatedAt != null && now.isBefore(rotatedAt.plus(policy.reuseGrace()));
    }

    private static boolean hasSealedSuccessor(Session session) {
        byte[] sealed = session.sealedSuccessor();
        return sealed != null && sealed.length > 0;
    }
}
