-- Latchkey schema, SQLite.
--
-- Times are INTEGER milliseconds since the epoch (UTC), as in the PostgreSQL schema: SQLite
-- has no date type, integers compare and index cheaply, and one mapping in the Java code
-- serves both engines. Instants are therefore stored truncated to milliseconds.
-- Foreign keys are enforced because every connection turns PRAGMA foreign_keys on.

CREATE TABLE users (
    id                    TEXT    NOT NULL PRIMARY KEY,
    -- the normalized (lowercased) email; SQLite reports violations as users.email
    email                 TEXT    NOT NULL UNIQUE,
    role                  TEXT    NOT NULL,
    password_hash         TEXT    NOT NULL,
    created_at            INTEGER NOT NULL,
    disabled_at           INTEGER,
    tokens_revoked_before INTEGER
);

CREATE INDEX users_tokens_revoked_before_idx ON users (tokens_revoked_before) WHERE tokens_revoked_before IS NOT NULL;

CREATE TABLE sessions (
    id                  TEXT    NOT NULL PRIMARY KEY,
    user_id             TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    current_hash        TEXT    NOT NULL UNIQUE,
    previous_hash       TEXT,
    rotated_at          INTEGER,
    sealed_successor    BLOB,
    created_at          INTEGER NOT NULL,
    last_used_at        INTEGER NOT NULL,
    idle_expires_at     INTEGER NOT NULL,
    absolute_expires_at INTEGER NOT NULL,
    revoked_at          INTEGER,
    user_agent          TEXT,
    ip                  TEXT
);

CREATE INDEX sessions_user_id_idx ON sessions (user_id, created_at DESC);
CREATE INDEX sessions_revoked_at_idx ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;
CREATE INDEX sessions_idle_expires_at_idx ON sessions (idle_expires_at);
CREATE INDEX sessions_absolute_expires_at_idx ON sessions (absolute_expires_at);

-- Every hash that was ever current for a session, so any token of a family finds it in one lookup.
CREATE TABLE session_tokens (
    hash       TEXT NOT NULL PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE INDEX session_tokens_session_id_idx ON session_tokens (session_id);

CREATE TABLE secrets (
    name  TEXT NOT NULL PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;
