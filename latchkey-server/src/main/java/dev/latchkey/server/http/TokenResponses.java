package dev.latchkey.server.http;

import dev.latchkey.core.accounts.User;
import dev.latchkey.core.sessions.OpenedSession;
import dev.latchkey.core.tokens.AccessTokenIssuer;
import dev.latchkey.core.tokens.IssuedAccessToken;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Answers with the token body and the session cookies, the same way for register, login and refresh. */
final class TokenResponses {
    private final AccessTokenIssuer issuer;
    private final Cookies cookies;

    TokenResponses(AccessTokenIssuer issuer, Cookies cookies) {
        this.issuer = issuer;
        this.cookies = cookies;
    }

    void answer(Context ctx, int status, User user, OpenedSession opened, boolean includeUser) {
        // iat not before the user's revocation mark (rounded up), so a token issued right after a
        // role change, in the same second, is not refused by that change
        IssuedAccessToken token = issuer.issue(user.id(), user.role(), opened.session().id(), user.tokensRevokedBefore());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("accessToken", token.value());
        body.put("tokenType", "Bearer");
        body.put("expiresIn", Duration.between(token.issuedAt(), token.expiresAt()).toSeconds());
        body.put("csrfToken", opened.csrfToken());
        if (includeUser) {
            body.put("user", UserViews.of(user));
        }
        Instant now = token.issuedAt();
        cookies.set(ctx, opened.refreshToken(), opened.csrfToken(), Duration.between(now, opened.session().idleExpiresAt()));
        ctx.status(status).json(body);
    }
}
