package dev.latchkey.server.http;

import dev.latchkey.core.accounts.User;
import dev.latchkey.core.audit.AuditEventType;
import dev.latchkey.core.audit.AuditOutcome;
import dev.latchkey.core.errors.ErrorCode;
import dev.latchkey.core.errors.LatchkeyException;
import dev.latchkey.core.sessions.OwnedSession;
import dev.latchkey.core.sessions.RefreshOutcome;
import dev.latchkey.core.sessions.Session;
import dev.latchkey.core.sessions.SessionService;
import dev.latchkey.core.tokens.AccessTokenClaims;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Refresh, logout, logout everywhere and the sessions list.
 *
 * <p>On the two cookie routes the order of checks is fixed: the {@code Origin} first, then the
 * cookie, then the CSRF token bound to the session. A {@code 403} never touches cookies (a
 * cross-site form post would otherwise be able to log a user out); a {@code 401} from refresh
 * clears them.
 */
final class SessionRoutes {
    private final SessionService sessions;
    private final Authenticator authenticator;
    private final TokenResponses tokens;
    private final Cookies cookies;
    private final OriginCheck origins;
    private final RequestContext requests;
    private final Limits limits;
    private final Audits audits;
    /** Refreshes take their turn here (see {@link FairGate}). */
    private final FairGate refreshGate;
    private final Clock clock;

    SessionRoutes(SessionService sessions, Authenticator authenticator, TokenResponses tokens,
                  Cookies cookies, OriginCheck origins, RequestContext requests, Limits limits, Audits audits,
                  FairGate refreshGate, Clock clock) {
        this.sessions = sessions;
        this.authenticator = authenticator;
        this.tokens = tokens;
        this.cookies = cookies;
        this.origins = origins;
        this.requests = requests;
        this.limits = limits;
        this.audits = audits;
        this.refreshGate = refreshGate;
        this.clock = clock;
    }

    void register(RoutesConfig routes) {
        routes.post("/auth/refresh", this::refresh);
        routes.post("/auth/logout", this::logout);
        routes.post("/auth/logout-all", this::logoutAll);
        routes.get("/auth/sessions", this::list);
        routes.delete("/auth/sessions/{id}", this::revoke);
    }

    private void refresh(Context ctx) {
        refuseForeignOrigin(ctx);
        limits.check(ctx, limits.configured().refreshPerIp(), requests.clientIp(ctx), null);
        String refreshToken = ctx.cookie(Cookies.REFRESH);
        if (refreshToken == null || refreshToken.isEmpty()) {
            throw refused(ctx, ErrorCode.REFRESH_TOKEN_MISSING, "No refresh token was sent.");
        }
        refreshGate.run(() -> refresh(ctx, refreshToken));
    }

    /**
     * The database and signing part of a refresh, in its turn. The session and its user come
     * from one read, before the rotation: disabling or deleting a user ends their sessions, so a
     * user changed after that read can no longer rotate (the compare-and-set refuses a revoked
     * session), exactly as when the user was read after the rotation.
     */
    private void refresh(Context ctx, String refreshToken) {
        Optional<OwnedSession> found = sessions.findWithOwnerByRefreshToken(refreshToken);
        if (found.isEmpty()) {
            throw refused(ctx, ErrorCode.REFRESH_TOKEN_INVALID, "The refresh token is not valid.");
        }
        Session session = found.get().session();
        User user = found.get().owner();
        requireCsrf(ctx, session);
        limits.check(ctx, limits.configured().refreshPerSession(), session.id(), session.userId());
        switch (sessions.refresh(refreshToken, Optional.of(session))) {
            case RefreshOutcome.Refreshed refreshed -> {
                if (user.disabled()) {
                    sessions.revoke(session.id(), clock.instant());
                    throw refused(ctx, ErrorCode.REFRESH_TOKEN_INVALID, "The refresh token is not valid.");
                }
                audits.record(ctx, AuditEventType.REFRESH, AuditOutcome.SUCCESS, user.id(),
                        refreshed.session().session().id(), refreshed.replayed() ? Map.of("replayed", "true") : Map.of());
                ctx.attribute(RequestTelemetry.REFRESH_OUTCOME, refreshed.replayed() ? "replayed_in_grace" : "rotated");
                tokens.answer(ctx, 200, user, refreshed.session(), false);
            }
            case RefreshOutcome.Refused r -> {
                if (r.code() == ErrorCode.REFRESH_TOKEN_REUSED && r.session() != null) {
                    audits.record(ctx, AuditEventType.REFRESH_REUSE_DETECTED, AuditOutcome.FAILURE, r.session().userId(),
                            r.session().id(), Map.of("action", "session_revoked"));
                }
                throw refused(ctx, r.code(), refusalMessage(r.code()));
            }
        }
    }

    private void logout(Context ctx) {
        refuseForeignOrigin(ctx);
        String refreshToken = ctx.cookie(Cookies.REFRESH);
        if (refreshToken != null && !refreshToken.isEmpty()) {
            Optional<Session> session = sessions.findByRefreshToken(refreshToken);
            if (session.isPresent()) {
                requireCsrf(ctx, session.get());
                if (sessions.revoke(session.get().id(), clock.instant())) {
                    audits.record(ctx, AuditEventType.LOGOUT, AuditOutcome.SUCCESS, session.get().userId(), session.get().id());
                }
            }
        }
        cookies.clear(ctx);
        ctx.status(204);
    }

    private void logoutAll(Context ctx) {
        AccessTokenClaims claims = authenticator.require(ctx);
        int ended = sessions.revokeAll(claims.subject(), null).size();
        audits.record(ctx, AuditEventType.LOGOUT_ALL, AuditOutcome.SUCCESS, claims.subject(), claims.sessionId(),
                Map.of("sessionsEnded", Integer.toString(ended)));
        cookies.clear(ctx);
        ctx.status(204);
    }

    private void list(Context ctx) {
        AccessTokenClaims claims = authenticator.require(ctx);
        List<Map<String, Object>> views = new ArrayList<>();
        for (Session s : sessions.listLive(claims.subject())) {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("id", s.id());
            view.put("createdAt", s.createdAt().toString());
            view.put("lastUsedAt", s.lastUsedAt().toString());
            view.put("expiresAt", s.idleExpiresAt().toString());
            view.put("absoluteExpiresAt", s.absoluteExpiresAt().toString());
            view.put("userAgent", s.userAgent());
            view.put("ip", ClientAddress.canonical(s.ip())); // rows from before addresses were stored canonical
            view.put("current", s.id().equals(claims.sessionId()));
            views.add(view);
        }
        ctx.json(views);
    }

    private void revoke(Context ctx) {
        AccessTokenClaims claims = authenticator.require(ctx);
        String sessionId = ctx.pathParam("id");
        if (!sessions.revokeOwn(claims.subject(), sessionId)) {
            throw new LatchkeyException(ErrorCode.NOT_FOUND, "No such session.");
        }
        audits.record(ctx, AuditEventType.SESSION_REVOKE, AuditOutcome.SUCCESS, claims.subject(), sessionId,
                Map.of("by", claims.sessionId()));
        ctx.status(204);
    }

    private void refuseForeignOrigin(Context ctx) {
        if (origins.refuses(ctx.header("Origin"), ctx.header("Sec-Fetch-Site"))) {
            throw new LatchkeyException(ErrorCode.CSRF_FAILED, "The request's origin is not allowed.");
        }
    }

    private void requireCsrf(Context ctx, Session session) {
        if (!sessions.csrfMatches(session, ctx.header("X-CSRF-Token"))) {
            throw new LatchkeyException(ErrorCode.CSRF_FAILED, "The CSRF token is missing or does not match the session.");
        }
    }

    /** A 401 from refresh: it clears the session cookies. */
    private LatchkeyException refused(Context ctx, ErrorCode code, String message) {
        cookies.clear(ctx);
        return new LatchkeyException(code, message);
    }

    private static String refusalMessage(ErrorCode code) {
        return switch (code) {
            case REFRESH_TOKEN_REUSED -> "The refresh token was already used; the session has been ended.";
            case SESSION_EXPIRED -> "The session has expired; log in again.";
            default -> "The refresh token is not valid.";
        };
    }
}
