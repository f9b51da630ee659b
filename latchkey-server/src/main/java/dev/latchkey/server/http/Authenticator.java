package dev.latchkey.server.http;

import dev.latchkey.core.errors.ErrorCode;
import dev.latchkey.core.errors.LatchkeyException;
import dev.latchkey.core.sessions.SessionService;
import dev.latchkey.core.tokens.AccessTokenClaims;
import dev.latchkey.core.tokens.AccessTokenVerifier;
import dev.latchkey.core.tokens.TokenVerification;
import io.javalin.http.Context;
import java.util.Set;

/**
 * Bearer authentication for Latchkey's own protected routes: the stateless checks of the
 * verifier, then the in-memory revocation list (no database call per request), then, for
 * guarded routes, the token's role.
 */
final class Authenticator {
    static final String CLAIMS_ATTRIBUTE = "latchkey.claims";

    private final AccessTokenVerifier verifier;
    private final SessionService sessions;

    Authenticator(AccessTokenVerifier verifier, SessionService sessions) {
        this.verifier = verifier;
        this.sessions = sessions;
    }

    AccessTokenClaims require(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new BearerFailure(ErrorCode.TOKEN_MISSING, "An access token is required.");
        }
        String token = header.substring(7).trim();
        AccessTokenClaims claims = switch (verifier.verify(token)) {
            case TokenVerification.Valid valid -> valid.claims();
            case TokenVerification.Expired expired ->
                    throw new BearerFailure(ErrorCode.TOKEN_EXPIRED, "The access token has expired.");
            case TokenVerification.Invalid invalid ->
                    throw new BearerFailure(ErrorCode.TOKEN_INVALID, "The access token is not valid.");
        };
        if (sessions.isRevoked(claims)) {
            throw new BearerFailure(ErrorCode.TOKEN_REVOKED, "The access token has been revoked.");
        }
        ctx.attribute(CLAIMS_ATTRIBUTE, claims);
        return claims;
    }

    /**
     * A valid, unrevoked token whose {@code role} is one of {@code allowed}: else {@code 401} as
     * {@link #require} answers, or {@code 403 FORBIDDEN}. The role is the token's: a role change
     * revokes the user's tokens, so a token never outlives its role by more than the revocation sync.
     */
    AccessTokenClaims requireRole(Context ctx, Set<String> allowed) {
        AccessTokenClaims claims = require(ctx);
        if (!allowed.contains(claims.role())) {
            throw new LatchkeyException(ErrorCode.FORBIDDEN, "Your role does not allow this.");
        }
        return claims;
    }

    /** A 401 from a protected route, answered with {@code WWW-Authenticate} (RFC 6750). */
    static final class BearerFailure extends RuntimeException {
        final LatchkeyException error;

        BearerFailure(ErrorCode code, String message) {
            super(message, null, false, false);
            this.error = new LatchkeyException(code, message);
        }

        String challenge() {
            return switch (error.code()) {
                case TOKEN_MISSING -> "Bearer realm=\"latchkey\"";
                default -> "Bearer realm=\"latchkey\", error=\"invalid_token\", error_description=\""
                        + error.getMessage() + "\"";
            };
        }
    }
}
