package dev.latchkey.core.audit;

import java.time.Instant;
import java.util.List;

/** Port for the {@code audit_events} table. */
public interface AuditStore {

    /** Inserts the events in one transaction, in order. */
    void insertAll(List<AuditEvent> events);

    /** Newest first (by time, then id), filtered and paged as the query says. */
    List<StoredAuditEvent> find(AuditQuery query);

    /** Deletes up to {@code batchSize} events that occurred before {@code before}; returns how many. */
    int purgeBefore(Instant before, int batchSize);
}
