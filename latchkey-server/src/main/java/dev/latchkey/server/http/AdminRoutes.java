package dev.latchkey.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.latchkey.core.accounts.Emails;
import dev.latchkey.core.accounts.Roles;
import dev.latchkey.core.accounts.User;
import dev.latchkey.core.accounts.UserQuery;
import dev.latchkey.core.administration.UserAdministration;
import dev.latchkey.core.audit.AuditEventType;
import dev.latchkey.core.audit.AuditOutcome;
import dev.latchkey.core.administration.UserCursor;
import dev.latchkey.core.errors.ErrorCode;
import dev.latchkey.core.errors.LatchkeyException;
import dev.latchkey.core.tokens.AccessTokenClaims;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The admin API under {@code /api/admin}: every route needs a valid token with role
 * {@code admin} ({@code 401} without one, {@code 403 FORBIDDEN} for another role).
 */
final class AdminRoutes {
    private static final Set<String> ADMINS = Set.of(Roles.ADMIN);

    private final UserAdministration administration;
    private final Authenticator authenticator;
    private final Audits audits;
    private final ObjectMapper json;

    AdminRoutes(UserAdministration administration, Authenticator authenticator, Audits audits, ObjectMapper json) {
        this.audits = audits;
        this.administration = administration;
        this.authenticator = authenticator;
        this.json = json;
    }

    void register(RoutesConfig routes) {
        routes.get("/api/admin/users", this::list);
        routes.put("/api/admin/users/{id}/role", this::changeRole);
        routes.post("/api/admin/users/{id}/logout", userAction(AuditEventType.FORCED_LOGOUT, administration::logout));
        routes.post("/api/admin/users/{id}/disable", userAction(AuditEventType.USER_DISABLE, administration::disable));
        routes.post("/api/admin/users/{id}/enable", userAction(AuditEventType.USER_ENABLE, administration::enable));
        routes.delete("/api/admin/users/{id}", userAction(AuditEventType.USER_DELETE, administration::delete));
    }

    /** {@code ?limit=1..200 (50)&cursor=...&email=<prefix>&role=<role>} → {@code {users, nextCursor}}. */
    private void list(Context ctx) {
        authenticator.requireRole(ctx, ADMINS);
        Map<String, String> problems = new LinkedHashMap<>();
        PageRequest<UserQuery.Position> page = PageRequest.read(ctx, UserCursor::decode, problems);
        String email = ctx.queryParam("email");
        String emailPrefix = email == null ? null : email.strip().toLowerCase(Locale.ROOT);
        if (emailPrefix != null && emailPrefix.length() > Emails.MAX_LENGTH) {
            problems.put("email", "is longer than an email address can be");
        }
        String role = ctx.queryParam("role");
        if (role != null && !role.isEmpty() && !Roles.ALL.contains(role)) {
            problems.put("role", "must be one of " + Roles.sorted());
        }
        if (!problems.isEmpty()) {
            throw new LatchkeyException(ErrorCode.VALIDATION_FAILED, "The request is not valid.", problems);
        }
        UserAdministration.Page found = administration.list(new UserQuery(emailPrefix, role, page.after(), page.limit()));
        List<Map<String, Object>> views = new ArrayList<>();
        found.users().forEach(u -> views.add(view(u)));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("users", views);
        body.put("nextCursor", found.next() == null ? null : UserCursor.encode(found.next()));
        ctx.json(body);
    }

    private void changeRole(Context ctx) {
        AccessTokenClaims admin = authenticator.requireRole(ctx, ADMINS);
        JsonBody body = JsonBody.read(ctx, json);
        String role = body.requiredString("role");
        body.validate();
        User changed = administration.changeRole(ctx.pathParam("id"), role);
        audited(ctx, admin, AuditEventType.ROLE_CHANGE, changed.id(), Map.of("role", changed.role()));
        ctx.json(view(changed));
    }

    /**
     * An action on the user named in the path: admins only, recorded in the audit trail naming
     * the admin, then {@code 204} with no body.
     */
    private Handler userAction(AuditEventType type, Consumer<String> action) {
        return ctx -> {
            AccessTokenClaims admin = authenticator.requireRole(ctx, ADMINS);
            String userId = ctx.pathParam("id");
            action.accept(userId);
            audited(ctx, admin, type, userId, Map.of());
            ctx.status(204);
        };
    }

    /** Records an administrative action against {@code userId}, naming the admin who took it. */
    private void audited(Context ctx, AccessTokenClaims admin, AuditEventType type, String userId,
                         Map<String, String> details) {
        Map<String, String> all = new LinkedHashMap<>(details);
        all.put("by", admin.subject());
        audits.record(ctx, type, AuditOutcome.SUCCESS, userId, admin.sessionId(), all);
    }

    /** {@code {id, email, role, createdAt}} as the contract says, plus {@code disabledAt} (null while enabled). */
    static Map<String, Object> view(User user) {
        Map<String, Object> view = UserViews.of(user);
        view.put("createdAt", user.createdAt().toString());
        view.put("disabledAt", user.disabledAt() == null ? null : user.disabledAt().toString());
        return view;
    }
}
