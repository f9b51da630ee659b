package dev.latchkey.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.latchkey.core.accounts.AccountService;
import dev.latchkey.core.accounts.Emails;
import dev.latchkey.core.accounts.LoginAttempt;
import dev.latchkey.core.accounts.User;
import dev.latchkey.core.audit.AuditEventType;
import dev.latchkey.core.audit.AuditOutcome;
import dev.latchkey.core.errors.ErrorCode;
import dev.latchkey.core.errors.LatchkeyException;
import dev.latchkey.core.sessions.OpenedSession;
import dev.latchkey.core.sessions.SessionService;
import dev.latchkey.core.tokens.AccessTokenClaims;
import dev.latchkey.server.mail.AccountMail;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Map;

/** Register, login, the caller's profile and password change. */
final class AccountRoutes {
    private final AccountService accounts;
    private final SessionService sessions;
    private final Authenticator authenticator;
    private final TokenResponses tokens;
    private final RequestContext requests;
    private final Limits limits;
    private final Audits audits;
    private final ObjectMapper json;
    private final AccountMail mail;

    AccountRoutes(AccountService accounts, SessionService sessions, Authenticator authenticator, TokenResponses tokens,
                  RequestContext requests, Limits limits, Audits audits, ObjectMapper json, AccountMail mail) {
        this.accounts = accounts;
        this.sessions = sessions;
        this.authenticator = authenticator;
        this.tokens = tokens;
        this.requests = requests;
        this.limits = limits;
        this.audits = audits;
        this.json = json;
        this.mail = mail;
    }

    void register(RoutesConfig routes) {
        routes.post("/auth/register", this::registerUser);
        routes.post("/auth/login", this::login);
        routes.get("/api/me", this::me);
        routes.post("/auth/password", this::changePassword);
    }

    private void registerUser(Context ctx) {
        String ip = requests.clientIp(ctx);
        limits.check(ctx, limits.configured().registerPerIp(), ip, null);
        Credentials credentials = Credentials.read(ctx, json);
        limits.check(ctx, limits.configured().registerPerAccount(), Limits.accountKey(credentials.email()), null);
        User user = accounts.register(credentials.email(), credentials.password());
        mail.sendVerification(user);
        OpenedSession opened = sessions.open(user.id(), requests.userAgent(ctx), ip);
        audits.record(ctx, AuditEventType.REGISTER, AuditOutcome.SUCCESS, user.id(), opened.session().id());
        tokens.answer(ctx, 201, user, opened, true);
    }

    /**
     * The limits come first, before the body is parsed (per IP) and before the password is
     * verified (per account, and the lockout after repeated failures): a refused attempt costs no
     * hashing, and is refused whether or not its password is right.
     */
    private void login(Context ctx) {
        String ip = requests.clientIp(ctx);
        limits.check(ctx, limits.configured().loginPerIp(), ip, null);
        Credentials credentials = Credentials.read(ctx, json);
        String account = Limits.accountKey(credentials.email());
        limits.checkLockout(ctx, account);
        limits.check(ctx, limits.configured().loginPerAccount(), account, null);
        switch (accounts.attemptLogin(credentials.email(), credentials.password())) {
            case LoginAttempt.Succeeded succeeded -> {
                limits.loginSucceeded(account);
                User user = succeeded.user();
                if (mail.settings().requireVerifiedEmail() && !user.emailVerified()) {
                    refuseUnverified(ctx, user);
                }
                OpenedSession opened = sessions.open(user.id(), requests.userAgent(ctx), ip);
                audits.record(ctx, AuditEventType.LOGIN_SUCCESS, AuditOutcome.SUCCESS, user.id(), opened.session().id());
                tokens.answer(ctx, 200, user, opened, true);
            }
            case LoginAttempt.Failed failed -> {
                limits.loginFailed(account);
                // The address tried is kept only when it is one: a password typed into the email field stays out.
                Map<String, String> details = Emails.normalize(credentials.email())
                        .map(email -> Map.of("reason", "invalid_credentials", "email", email))
                        .orElse(Map.of("reason", "invalid_credentials"));
                audits.record(ctx, AuditEventType.LOGIN_FAILURE, AuditOutcome.FAILURE, failed.userId(), null, details);
                throw invalidCredentials();
            }
        }
    }

    /**
     * LATCHKEY_REQUIRE_VERIFIED_EMAIL: the password was right (so this tells nothing to someone
     * without it), but the address is not verified yet. A new verification mail goes out, at most
     * as often as the verification rate allows.
     */
    private void refuseUnverified(Context ctx, User user) {
        if (limits.allows(EmailRoutes.verifyPerUser(mail), user.id())) {
            mail.sendVerification(user);
        }
        audits.record(ctx, AuditEventType.LOGIN_FAILURE, AuditOutcome.DENIED, user.id(), null,
                Map.of("reason", "email_not_verified"));
        throw new LatchkeyException(ErrorCode.EMAIL_NOT_VERIFIED,
                "Confirm your email address first with the link we mailed you (a new one is on its way unless one was sent recently).");
    }

    private void me(Context ctx) {
        AccessTokenClaims claims = authenticator.require(ctx);
        User user = accounts.find(claims.subject())
                .orElseThrow(() -> new Authenticator.BearerFailure(ErrorCode.TOKEN_REVOKED, "The access token has been revoked."));
        Map<String, Object> view = UserViews.of(user);
        view.put("emailVerified", user.emailVerified());
        ctx.json(view);
    }

    private void changePassword(Context ctx) {
        AccessTokenClaims claims = authenticator.require(ctx);
        limits.check(ctx, limits.configured().passwordChangePerUser(), claims.subject(), claims.subject());
        JsonBody body = JsonBody.read(ctx, json);
        String current = body.requiredString("currentPassword");
        String next = body.requiredString("newPassword");
        body.validate();
        try {
            accounts.changePassword(claims.subject(), current, next);
        } catch (LatchkeyException e) {
            if (e.code() == ErrorCode.INVALID_CREDENTIALS) {
                audits.record(ctx, AuditEventType.PASSWORD_CHANGE, AuditOutcome.FAILURE, claims.subject(),
                        claims.sessionId(), Map.of("reason", "invalid_current_password"));
            }
            throw e;
        }
        mail.recovery().passwordChanged(claims.subject());
        int ended = sessions.revokeAll(claims.subject(), claims.sessionId()).size();
        audits.record(ctx, AuditEventType.PASSWORD_CHANGE, AuditOutcome.SUCCESS, claims.subject(), claims.sessionId(),
                Map.of("otherSessionsEnded", Integer.toString(ended)));
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
