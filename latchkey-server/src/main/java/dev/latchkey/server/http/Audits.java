package dev.latchkey.server.http;

import dev.latchkey.core.audit.AuditEvent;
import dev.latchkey.core.audit.AuditEventType;
import dev.latchkey.core.audit.AuditLog;
import dev.latchkey.core.audit.AuditOutcome;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.Map;

/** Records audit events with the caller's address and user agent taken from the request. */
final class Audits {
    private final AuditLog log;
    private final RequestContext requests;
    private final Clock clock;

    Audits(AuditLog log, RequestContext requests, Clock clock) {
        this.log = log;
        this.requests = requests;
        this.clock = clock;
    }

    void record(Context ctx, AuditEventType type, AuditOutcome outcome, String userId, String sessionId) {
        record(ctx, type, outcome, userId, sessionId, Map.of());
    }

    void record(Context ctx, AuditEventType type, AuditOutcome outcome, String userId, String sessionId,
                Map<String, String> details) {
        log.record(new AuditEvent(clock.instant(), type, outcome, userId, sessionId, requests.clientIp(ctx),
                requests.userAgent(ctx), details));
    }
}
