package dev.latchkey.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.latchkey.core.accounts.AccountService;
import dev.latchkey.core.accounts.User;
import dev.latchkey.core.errors.ErrorCode;
import dev.latchkey.core.errors.LatchkeyException;
import dev.latchkey.core.sessions.OpenedSession;
import dev.latchkey.core.sessions.SessionService;
import dev.latchkey.core.tokens.AccessTokenClaims;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/** Register, login, the caller's profile and password change. */
final class AccountRoutes {
    private final AccountService accounts;
    private final SessionService sessions;
    private final Authenticator authenticator;
    private final TokenResponses tokens;
    private final RequestContext requests;
    private final ObjectMapper json;

    AccountRoutes(AccountService accounts, SessionService sessions, Authenticator authenticator, TokenResponses tokens,
                  RequestContext requests, ObjectMapper json) {
        this.accounts = accounts;
        this.sessions = sessions;
        this.authenticator = authenticator;
        this.tokens = tokens;
        this.requests = requests;
        this.json = json;
    }

    void register(RoutesConfig routes) {
        routes.post("/auth/register", this::registerUser);
        routes.post("/auth/login", this::login);
        routes.get("/api/me", this::me);
        routes.post("/auth/password", this::changePassword);
    }

    private void registerUser(Context ctx) {
        Credentials credentials = Credentials.read(ctx, json);
        User user = accounts.register(credentials.email(), credentials.password());
        OpenedSession opened = sessions.open(user.id(), requests.userAgent(ctx), requests.clientIp(ctx));
        tokens.answer(ctx, 201, user, opened, true);
    }

    private void login(Context ctx) {
        Credentials credentials = Credentials.read(ctx, json);
        User user = accounts.authenticate(credentials.email(), credentials.password());
        OpenedSession opened = sessions.open(user.id(), requests.userAgent(ctx), requests.clientIp(ctx));
        tokens.answer(ctx, 200, user, opened, true);
    }

    private void me(Context ctx) {
        AccessTokenClaims claims = authenticator.require(ctx);
        User user = accounts.find(claims.subject())
                .orElseThrow(() -> new Authenticator.BearerFailure(ErrorCode.TOKEN_REVOKED, "The access token has been revoked."));
        ctx.json(UserViews.of(user));
    }

    private void changePassword(Context ctx) {
        AccessTokenClaims claims = authenticator.require(ctx);
        JsonBody body = JsonBody.read(ctx, json);
        String current = body.requiredString("currentPassword");
        String next = body.requiredString("newPassword");
        body.validate();
        accounts.changePassword(claims.subject(), current, next);
        sessions.revokeAll(claims.subject(), claims.sessionId());
        ctx.status(204);
    }

    /** The {@code {email, password}} body of register and login. */
    record Credentials(String email, String password) {
        static Credentials read(Context ctx, ObjectMapper json) {
            JsonBody body = JsonBody.read(ctx, json);
            String email = body.requiredString("email");
            String password = body.requiredString("password");
            body.validate();
            return new Credentials(email, password);
        }

        @Override
        public String toString() {
            return "Credentials[email=" + email + ", password=<redacted>]";
        }
    }

    static LatchkeyException invalidCredentials() {
        return new LatchkeyException(ErrorCode.INVALID_CREDENTIALS, "The email or password is not correct.");
    }
}
