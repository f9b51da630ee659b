package dev.latchkey.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.latchkey.core.accounts.AccountRecovery;
import dev.latchkey.core.accounts.AccountService;
import dev.latchkey.core.accounts.User;
import dev.latchkey.core.audit.AuditEventType;
import dev.latchkey.core.audit.AuditOutcome;
import dev.latchkey.core.errors.ErrorCode;
import dev.latchkey.core.ratelimit.RateLimit;
import dev.latchkey.core.tokens.AccessTokenClaims;
import dev.latchkey.server.mail.AccountMail;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Map;

/**
 * Email verification and password reset by email.
 *
 * <p>A reset request answers {@code 202} with the same body whether or not the address has an
 * account, after the same work (rate limits, one lookup, one token generated and hashed, one
 * audit record, one job handed to the mail threads); storing the token and sending happen in that
 * job, off the request thread.
 */
final class EmailRoutes {
    static final Map<String, String> RESET_ACCEPTED = Map.of("message",
            "If an account exists for this address, a link to reset its password has been sent to it.");

    private final AccountMail mail;
    private final AccountRecovery recovery;
    private final AccountService accounts;
    private final Authenticator authenticator;
    private final RequestContext requests;
    private final Limits limits;
    private final Audits audits;
    private final ObjectMapper json;
    private final RateLimit verifyPerUser;

    EmailRoutes(AccountMail mail, AccountService accounts, Authenticator authenticator, RequestContext requests,
                Limits limits, Audits audits, ObjectMapper json) {
        this.mail = mail;
        this.recovery = mail.recovery();
        this.accounts = accounts;
        this.authenticator = authenticator;
        this.requests = requests;
        this.limits = limits;
        this.audits = audits;
        this.json = json;
        this.verifyPerUser = verifyPerUser(mail);
    }

    /** Verification mails per user share the reset-per-account rate, in a bucket of their own. */
    static RateLimit verifyPerUser(AccountMail mail) {
        RateLimit perAccount = mail.settings().resetPerAccount();
        return new RateLimit("verify-user", perAccount.capacity(), perAccount.period());
    }

    void register(RoutesConfig routes) {
        routes.post("/auth/verify-email/request", this::requestVerification);
        routes.post("/auth/verify-email", this::verify);
        routes.post("/auth/password-reset", this::requestReset);
        routes.post("/auth/password-reset/confirm", this::confirmReset);
    }

    private void requestVerification(Context ctx) {
        AccessTokenClaims claims = authenticator.require(ctx);
        limits.check(ctx, verifyPerUser, claims.subject(), claims.subject());
        User user = accounts.find(claims.subject())
                .orElseThrow(() -> new Authenticator.BearerFailure(ErrorCode.TOKEN_REVOKED, "The access token has been revoked."));
        if (user.emailVerified()) {
            ctx.status(202).json(Map.of("message", "The email address is already verified.", "emailVerified", true));
            return;
        }
        mail.sendVerification(user);
        ctx.status(202).json(Map.of("message", "A verification link has been sent to the account's email address.",
                "emailVerified", false));
    }

    private void verify(Context ctx) {
        JsonBody body = JsonBody.read(ctx, json);
        String token = body.requiredString("token");
        body.validate();
        String userId = recovery.verifyEmail(token);
        audits.record(ctx, AuditEventType.EMAIL_VERIFIED, AuditOutcome.SUCCESS, userId, null);
        ctx.status(204);
    }

    private void requestReset(Context ctx) {
        limits.check(ctx, mail.settings().resetPerIp(), requests.clientIp(ctx), null);
        JsonBody body = JsonBody.read(ctx, json);
        String email = body.requiredString("email");
        body.validate();
        limits.check(ctx, mail.settings().resetPerAccount(), Limits.accountKey(email), null);
        AccountRecovery.PreparedReset reset = recovery.prepareReset(email);
        // Recorded for unknown addresses too (user id null): admins see probing, and both paths do the same work.
        audits.record(ctx, AuditEventType.PASSWORD_RESET_REQUESTED, AuditOutcome.SUCCESS,
                reset.user().map(User::id).orElse(null), null, Map.of("email", reset.email()));
        mail.sendReset(reset);
        ctx.status(202).json(RESET_ACCEPTED);
    }

    private void confirmReset(Context ctx) {
        JsonBody body = JsonBody.read(ctx, json);
        String token = body.requiredString("token");
        String newPassword = body.requiredString("newPassword");
        body.validate();
        AccountRecovery.ResetDone done = recovery.resetPassword(token, newPassword);
        audits.record(ctx, AuditEventType.PASSWORD_RESET, AuditOutcome.SUCCESS, done.userId(), null,
                Map.of("sessionsEnded", Integer.toString(done.sessionsEnded())));
        ctx.status(204);
    }
}
