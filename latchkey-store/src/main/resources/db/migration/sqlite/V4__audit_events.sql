-- Audit trail, SQLite: see the PostgreSQL migration. INTEGER PRIMARY KEY is the rowid, so ids
-- grow with insertion order.

CREATE TABLE audit_events (
    id          INTEGER PRIMARY KEY,
    occurred_at INTEGER NOT NULL,
    type        TEXT    NOT NULL,
    outcome     TEXT    NOT NULL,
    user_id     TEXT,
    session_id  TEXT,
    ip          TEXT,
    user_agent  TEXT,
    details     TEXT    NOT NULL DEFAULT '{}'
);

CREATE INDEX audit_events_occurred_at_idx ON audit_events (occurred_at, id);
CREATE INDEX audit_events_user_idx ON audit_events (user_id, occurred_at, id) WHERE user_id IS NOT NULL;
CREATE INDEX audit_events_type_idx ON audit_events (type, occurred_at, id);
