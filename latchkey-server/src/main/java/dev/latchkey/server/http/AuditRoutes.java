package dev.latchkey.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.latchkey.core.audit.AuditEvent;
import dev.latchkey.core.audit.AuditEventType;
import dev.latchkey.core.audit.AuditQuery;
import dev.latchkey.core.audit.AuditStore;
import dev.latchkey.core.audit.StoredAuditEvent;
import dev.latchkey.core.errors.ErrorCode;
import dev.latchkey.core.errors.LatchkeyException;
import dev.latchkey.core.accounts.Roles;
import io.javalin.config.RoutesConfig;
import java.util.Set;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /api/admin/audit}: the audit trail, newest first, for admins. Filters {@code userId}
 * and {@code type}; pages of {@code limit} (1-200, default 50) continued with the opaque
 * {@code cursor} of the previous page's {@code nextCursor} (null on the last page).
 */
final class AuditRoutes {
    private final AuditStore store;
    private final Runnable flush;
    private final Authenticator authenticator;
    private final ObjectMapper json;

    /** @param flush makes events recorded so far readable (the writer batches them behind requests) */
    AuditRoutes(AuditStore store, Runnable flush, Authenticator authenticator, ObjectMapper json) {
        this.store = store;
        this.flush = flush;
        this.authenticator = authenticator;
        this.json = json;
    }

    void register(RoutesConfig routes) {
        routes.get("/api/admin/audit", this::list);
    }

    private void list(Context ctx) {
        authenticator.requireRole(ctx, Set.of(Roles.ADMIN));
        Map<String, String> problems = new LinkedHashMap<>();
        String userId = PageRequest.optionalParam(ctx, "userId");
        AuditEventType type = null;
        String typeName = PageRequest.optionalParam(ctx, "type");
        if (typeName != null) {
            type = AuditEventType.fromWireName(typeName).orElse(null);
            if (type == null) {
                problems.put("type", "is not an audit event type");
            }
        }
        PageRequest<AuditQuery.Position> page = PageRequest.read(ctx, AuditRoutes::decodeCursor, problems);
        if (!problems.isEmpty()) {
            throw new LatchkeyException(ErrorCode.VALIDATION_FAILED, "The request is not valid.", problems);
        }
        flush.run();
        // one more than asked tells whether a next page exists
        List<StoredAuditEvent> found = store.find(new AuditQuery(userId, type, page.after(), page.limit() + 1));
        boolean more = found.size() > page.limit();
        List<StoredAuditEvent> shown = more ? found.subList(0, page.limit()) : found;
        List<Map<String, Object>> events = new ArrayList<>();
        for (StoredAuditEvent stored : shown) {
            events.add(view(stored));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("events", events);
        body.put("nextCursor", more ? encodeCursor(shown.get(shown.size() - 1)) : null);
        ctx.json(body);
    }

    private Map<String, Object> view(StoredAuditEvent stored) {
        AuditEvent e = stored.event();
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", stored.id());
        view.put("occurredAt", e.occurredAt().toString());
        view.put("type", e.type().wireName());
        view.put("outcome", e.outcome().wireName());
        view.put("userId", e.userId());
        view.put("sessionId", e.sessionId());
        view.put("ip", ClientAddress.canonical(e.ip()));
        view.put("userAgent", e.userAgent());
        view.put("details", details(stored.detailsJson()));
        return view;
    }

    private JsonNode details(String text) {
        try {
            return json.readTree(text == null ? "{}" : text);
        } catch (IOException e) {
            return json.createObjectNode();
        }
    }

    static String encodeCursor(StoredAuditEvent last) {
        String raw = "v1:" + last.event().occurredAt().toEpochMilli() + ":" + last.id();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    static Optional<AuditQuery.Position> decodeCursor(String cursor) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            String[] parts = raw.split(":");
            if (parts.length != 3 || !parts[0].equals("v1")) {
                return Optional.empty();
            }
            return Optional.of(new AuditQuery.Position(Long.parseLong(parts[1]), Long.parseLong(parts[2])));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
