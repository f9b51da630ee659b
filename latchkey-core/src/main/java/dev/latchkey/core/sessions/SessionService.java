package dev.latchkey.core.sessions;

import dev.latchkey.core.errors.ErrorCode;
import dev.latchkey.core.tokens.AccessTokenClaims;
import dev.latchkey.core.tokens.RefreshTokens;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Carries out session decisions: opens sessions at login, rotates refresh tokens as
 * {@link RefreshDecisions} decides, revokes families. The decisions themselves live in the
 * pure {@link RefreshDecisions}; this class only performs them against the store.
 */
public final class SessionService {
    private final SessionStore store;
    private final RefreshPolicy policy;
    private final SuccessorSeal seal;
    private final CsrfTokens csrf;
    private final RevocationList revocations;
    private final Clock clock;
    private final SecureRandom random;

    public SessionService(SessionStore store, RefreshPolicy policy, SuccessorSeal seal, CsrfTokens csrf,
                          RevocationList revocations, Clock clock, SecureRandom random) {
        this.store = store;
        this.policy = policy;
        this.seal = seal;
        this.csrf = csrf;
        this.revocations = revocations;
        this.clock = clock;
        this.random = random;
    }

    public RefreshPolicy policy() {
        return policy;
    }

    /** Opens a new session (a new token family) for a user who just proved who they are. */
    public OpenedSession open(String userId, String userAgent, String ip) {
        Instant now = clock.instant();
        String refreshToken = RefreshTokens.generate(random);
        Instant absolute = now.plus(policy.absoluteMaxAge());
        Session session = new Session(UUID.randomUUID().toString(), userId, RefreshTokens.hash(refreshToken), null, null,
                null, now, now, earliest(now.plus(policy.idleTtl()), absolute), absolute, null,
                truncate(userAgent, 512), truncate(ip, 64));
        store.insert(session);
        return new OpenedSession(session, refreshToken, csrf.tokenFor(session.id()));
    }

    /** The session a presented refresh token belongs to (current, previous or retired), if any. */
    public Optional<Session> findByRefreshToken(String rawRefreshToken) {
        return store.findByTokenHash(RefreshTokens.hash(rawRefreshToken));
    }

    /** The same, with the session's user, in one read of the store. */
    public Optional<OwnedSession> findWithOwnerByRefreshToken(String rawRefreshToken) {
        return store.findWithOwnerByTokenHash(RefreshTokens.hash(rawRefreshToken));
    }

    public boolean csrfMatches(Session session, String presentedCsrfToken) {
        return csrf.matches(session.id(), presentedCsrfToken);
    }

    /** Decides what the presented refresh token means and carries it out. */
    public RefreshOutcome refresh(String rawRefreshToken) {
        return refresh(rawRefreshToken, findByRefreshToken(rawRefreshToken));
    }

    /**
     * The same, for a caller that already looked the session up by this token (the HTTP edge
     * does, to check the CSRF token first), so the hot path reads the session once.
     */
    public RefreshOutcome refresh(String rawRefreshToken, Optional<Session> found) {
        String presentedHash = RefreshTokens.hash(rawRefreshToken);
        Instant now = clock.instant();
        RefreshDecision decision = RefreshDecisions.decide(found, presentedHash, now, policy);
        if (decision instanceof RefreshDecision.Rotate rotate) {
            Session session = rotate.session();
            String successor = RefreshTokens.generate(random);
            String successorHash = RefreshTokens.hash(successor);
            byte[] sealed = seal.seal(rawRefreshToken, successor, session.id());
            Instant idle = earliest(now.plus(policy.idleTtl()), session.absoluteExpiresAt());
            if (store.rotate(session.id(), presentedHash, successorHash, sealed, now, idle)) {
                Session rotated = new Session(session.id(), session.userId(), successorHash, presentedHash, now, sealed,
                        session.createdAt(), now, idle, session.absoluteExpiresAt(), null, session.userAgent(), session.ip());
                return new RefreshOutcome.Refreshed(new OpenedSession(rotated, successor, csrf.tokenFor(session.id())), false);
            }
            // Another request rotated this token first: ask again against what it stored.
            decision = RefreshDecisions.afterLostRace(store.findById(session.id()), presentedHash, now, policy);
        }
        return carryOut(decision, rawRefreshToken, now);
    }

    private RefreshOutcome carryOut(RefreshDecision decision, String rawRefreshToken, Instant now) {
        return switch (decision) {
            case RefreshDecision.ReplayWithinGrace replay -> {
                Session session = replay.session();
                Optional<String> successor = seal.open(rawRefreshToken, session.sealedSuccessor(), session.id());
                if (successor.isEmpty()) {
                    // The hash matched the predecessor, so only a damaged seal gets here: refuse, revoke nothing.
                    yield new RefreshOutcome.Refused(ErrorCode.REFRESH_TOKEN_INVALID, session, decision);
                }
                yield new RefreshOutcome.Refreshed(new OpenedSession(session, successor.get(), csrf.tokenFor(session.id())), true);
            }
            case RefreshDecision.Reused reused -> {
                revoke(reused.session().id(), now);
                yield new RefreshOutcome.Refused(reused.errorCode(), reused.session(), decision);
            }
            case RefreshDecision.Refused refused -> new RefreshOutcome.Refused(refused.errorCode(), sessionOf(refused), decision);
            case RefreshDecision.Rotate rotate ->
                    // afterLostRace never answers Rotate for the token that just lost; refuse rather than loop.
                    new RefreshOutcome.Refused(ErrorCode.REFRESH_TOKEN_INVALID, rotate.session(), decision);
        };
    }

    private static Session sessionOf(RefreshDecision.Refused refused) {
        return switch (refused) {
            case RefreshDecision.Reused r -> r.session();
            case RefreshDecision.Expired e -> e.session();
            case RefreshDecision.Revoked r -> r.session();
            case RefreshDecision.Invalid i -> null;
        };
    }

    /** Revokes one session and refuses its access tokens from now on. True when it was live. */
    public boolean revoke(String sessionId, Instant now) {
        boolean changed = store.revoke(sessionId, now);
        revocations.revokeSession(sessionId, now);
        return changed;
    }

    /** Revokes the caller's own session by id; false (answered as not found) for anyone else's or an ended one. */
    public boolean revokeOwn(String userId, String sessionId) {
        Optional<Session> session = store.findById(sessionId);
        if (session.isEmpty() || !session.get().userId().equals(userId) || session.get().revoked()) {
            return false;
        }
        return revoke(sessionId, clock.instant());
    }

    /** Revokes every live session of the user except {@code keepSessionId} (null keeps none). */
    public List<String> revokeAll(String userId, String keepSessionId) {
        Instant now = clock.instant();
        List<String> revoked = store.revokeAllForUser(userId, keepSessionId, now);
        revoked.forEach(id -> revocations.revokeSession(id, now));
        return revoked;
    }

    public List<Session> listLive(String userId) {
        return store.listLive(userId, clock.instant());
    }

    public boolean isRevoked(String sessionId) {
        return revocations.isSessionRevoked(sessionId);
    }

    /** True when the token's session was revoked or its user's tokens were revoked after it was issued. */
    public boolean isRevoked(AccessTokenClaims claims) {
        return revocations.isRevoked(claims);
    }

    private static Instant earliest(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static String truncate(String value, int max) {
        if (value == null) {
            return null;
        }
        return value.length() <= max ? value : value.substring(0, max);
    }
}
