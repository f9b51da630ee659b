package dev.latchkey.core.audit;

/**
 * An audit event as stored: the id the store gave it, and its details as the stored JSON object
 * ({@code event.details()} is empty on events read back).
 */
public record StoredAuditEvent(long id, AuditEvent event, String detailsJson) {}
