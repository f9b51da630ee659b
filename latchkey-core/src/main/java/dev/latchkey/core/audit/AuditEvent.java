package dev.latchkey.core.audit;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One security-relevant event. Never carries a password, a raw token (access, refresh) or a
 * CSRF token: only ids (user, session), the client's address and user agent, and a few short
 * {@code details} such as a reason or a limit's name. Values are cut to bounded lengths.
 */
public record AuditEvent(
        Instant occurredAt,
        AuditEventType type,
        AuditOutcome outcome,
        String userId,
        String sessionId,
        String ip,
        String userAgent,
        Map<String, String> details) {

    public static final int MAX_DETAILS = 8;
    public static final int MAX_DETAIL_LENGTH = 200;
    public static final int MAX_USER_AGENT_LENGTH = 512;

    public AuditEvent {
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(outcome, "outcome");
        ip = cut(ip, 64);
        userAgent = cut(userAgent, MAX_USER_AGENT_LENGTH);
        Map<String, String> bounded = new LinkedHashMap<>();
        if (details != null) {
            for (Map.Entry<String, String> e : details.entrySet()) {
                if (bounded.size() == MAX_DETAILS) {
                    break;
                }
                if (e.getKey() != null && e.getValue() != null) {
                    bounded.put(cut(e.getKey(), 40), cut(e.getValue(), MAX_DETAIL_LENGTH));
                }
            }
        }
        details = java.util.Collections.unmodifiableMap(bounded);
    }

    public static AuditEvent of(Instant occurredAt, AuditEventType type, AuditOutcome outcome) {
        return new AuditEvent(occurredAt, type, outcome, null, null, null, null, Map.of());
    }

    public AuditEvent withUser(String userId) {
        return new AuditEvent(occurredAt, type, outcome, userId, sessionId, ip, userAgent, details);
    }

    public AuditEvent withSession(String sessionId) {
        return new AuditEvent(occurredAt, type, outcome, userId, sessionId, ip, userAgent, details);
    }

    public AuditEvent withClient(String ip, String userAgent) {
        return new AuditEvent(occurredAt, type, outcome, userId, sessionId, ip, userAgent, details);
    }

    public AuditEvent withDetail(String key, String value) {
        Map<String, String> more = new LinkedHashMap<>(details);
        more.put(key, value);
        return new AuditEvent(occurredAt, type, outcome, userId, sessionId, ip, userAgent, more);
    }

    /** The details as a small JSON object, as stored. */
    public String detailsJson() {
        StringBuilder json = new StringBuilder("{");
        for (Map.Entry<String, String> e : details.entrySet()) {
            if (json.length() > 1) {
                json.append(',');
            }
            Json.string(json, e.getKey()).append(':');
            Json.string(json, e.getValue());
        }
        return json.append('}').toString();
    }

    /** The event as one JSON object, for the log line. */
    public String toJson() {
        StringBuilder json = new StringBuilder("{\"event\":\"audit\",\"occurredAt\":");
        Json.string(json, occurredAt.toString());
        json.append(",\"type\":");
        Json.string(json, type.wireName());
        json.append(",\"outcome\":");
        Json.string(json, outcome.wireName());
        field(json, "userId", userId);
        field(json, "sessionId", sessionId);
        field(json, "ip", ip);
        field(json, "userAgent", userAgent);
        json.append(",\"details\":").append(detailsJson());
        return json.append('}').toString();
    }

    private static void field(StringBuilder json, String name, String value) {
        if (value != null) {
            json.append(",\"").append(name).append("\":");
            Json.string(json, value);
        }
    }

    private static String cut(String value, int max) {
        if (value == null) {
            return null;
        }
        return value.length() <= max ? value : value.substring(0, max);
    }
}
