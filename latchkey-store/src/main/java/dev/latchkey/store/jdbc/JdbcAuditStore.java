package dev.latchkey.store.jdbc;

import static dev.latchkey.store.jdbc.Sql.getInstant;
import static dev.latchkey.store.jdbc.Sql.setInstant;

import dev.latchkey.core.audit.AuditEvent;
import dev.latchkey.core.audit.AuditEventType;
import dev.latchkey.core.audit.AuditOutcome;
import dev.latchkey.core.audit.AuditQuery;
import dev.latchkey.core.audit.AuditStore;
import dev.latchkey.core.audit.StoredAuditEvent;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * {@link AuditStore} on the {@code audit_events} table, same SQL on both engines. Details are
 * stored as the JSON text the event renders and read back as that text.
 */
public final class JdbcAuditStore implements AuditStore {
    private static final String COLUMNS = "id, occurred_at, type, outcome, user_id, session_id, ip, user_agent, details";

    private final DataSource dataSource;

    public JdbcAuditStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public void insertAll(List<AuditEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        String sql = "INSERT INTO audit_events (occurred_at, type, outcome, user_id, session_id, ip, user_agent, details)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
        Sql.inTransaction(dataSource, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                for (AuditEvent event : events) {
                    setInstant(statement, 1, event.occurredAt());
                    statement.setString(2, event.type().wireName());
                    statement.setString(3, event.outcome().wireName());
                    statement.setString(4, event.userId());
                    statement.setString(5, event.sessionId());
                    statement.setString(6, event.ip());
                    statement.setString(7, event.userAgent());
                    statement.setString(8, event.detailsJson());
                    statement.addBatch();
                }
                statement.executeBatch();
                return null;
            }
        });
    }

    @Override
    public List<StoredAuditEvent> find(AuditQuery query) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM audit_events WHERE 1 = 1");
        List<Object> params = new ArrayList<>();
        if (query.userId() != null) {
            sql.append(" AND user_id = ?");
            params.add(query.userId());
        }
        if (query.type() != null) {
            sql.append(" AND type = ?");
            params.add(query.type().wireName());
        }
        if (query.before() != null) {
            sql.append(" AND (occurred_at < ? OR (occurred_at = ? AND id < ?))");
            params.add(query.before().occurredAtMillis());
            params.add(query.before().occurredAtMillis());
            params.add(query.before().id());
        }
        sql.append(" ORDER BY occurred_at DESC, id DESC LIMIT ?");
        params.add(query.limit());
        return Sql.withConnection(dataSource, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql.toString())) {
                for (int i = 0; i < params.size(); i++) {
                    Object p = params.get(i);
                    if (p instanceof String s) {
                        statement.setString(i + 1, s);
                    } else if (p instanceof Long l) {
                        statement.setLong(i + 1, l);
                    } else {
                        statement.setInt(i + 1, (Integer) p);
                    }
                }
                List<StoredAuditEvent> events = new ArrayList<>();
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        events.add(map(rows));
                    }
                }
                return events;
            }
        });
    }

    @Override
    public int purgeBefore(Instant before, int batchSize) {
        String sql = "DELETE FROM audit_events WHERE id IN"
                + " (SELECT id FROM audit_events WHERE occurred_at < ? ORDER BY occurred_at LIMIT ?)";
        return Sql.withConnection(dataSource, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                setInstant(statement, 1, before);
                statement.setInt(2, batchSize);
                return statement.executeUpdate();
            }
        });
    }

    private static StoredAuditEvent map(ResultSet rows) throws SQLException {
        AuditEventType type = AuditEventType.fromWireName(rows.getString("type"))
                .orElseThrow(() -> new SQLException("unknown audit event type"));
        AuditEvent event = new AuditEvent(getInstant(rows, "occurred_at"), type,
                AuditOutcome.fromWireName(rows.getString("outcome")), rows.getString("user_id"),
                rows.getString("session_id"), rows.getString("ip"), rows.getString("user_agent"),
                Map.of());
        return new StoredAuditEvent(rows.getLong("id"), event, rows.getString("details"));
    }
}
