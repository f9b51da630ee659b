package dev.latchkey.core.audit;

/**
 * A page of the audit trail, newest first.
 *
 * @param userId only this user's events, or null for all
 * @param type only this type, or null for all
 * @param before keyset position: events strictly older than it (null for the first page)
 * @param limit at most this many
 */
public record AuditQuery(String userId, AuditEventType type, Position before, int limit) {

    /** Where a page ended: the last event's time (epoch millis) and id. */
    public record Position(long occurredAtMillis, long id) {}
}
