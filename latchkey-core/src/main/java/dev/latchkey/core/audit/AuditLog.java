package dev.latchkey.core.audit;

/**
 * Where audit events go: one call per event, e.g.
 * {@code audit.record(AuditEvent.of(now, AuditEventType.ROLE_CHANGE, AuditOutcome.SUCCESS).withUser(id))}.
 * The server's implementation writes a JSON log line ({@code latchkey.audit}) and a row of
 * {@code audit_events}; recording never fails the action it records.
 */
public interface AuditLog {

    void record(AuditEvent event);

    /** Drops every event (for code paths and tests that do not audit). */
    static AuditLog discarding() {
        return event -> { };
    }
}
