-- Latchkey schema, PostgreSQL.
--
-- Times are BIGINT milliseconds since the epoch (UTC), as in the SQLite schema: one mapping in
-- the Java code for both engines, no time-zone or driver conversion, cheap integer comparison
-- in the expiry indexes, and the same values whichever engine holds them. Instants are
-- therefore stored truncated to milliseconds.

CREATE TABLE users (
    id                    TEXT    NOT NULL PRIMARY KEY,
    -- the normalized (lowercased) email; the constraint name is what the store recognizes
    email                 TEXT    NOT NULL CONSTRAINT users_email_key UNIQUE,
    role                  TEXT    NOT NULL,
    password_hash         TEXT    NOT NULL,
    created_at            BIGINT  NOT NULL,
    disabled_at           BIGINT,
    tokens_revoked_before BIGINT
);

-- revocation set rebuild at start: users logged out everywhere recently
CREATE INDEX users_tokens_revoked_before_idx ON users (tokens_revoked_before) WHERE tokens_revoked_before IS NOT NULL;

-- One row per login session, which is also one refresh-token family.
CREATE TABLE sessions (
    id                  TEXT    NOT NULL PRIMARY KEY,
    user_id             TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    current_hash        TEXT    NOT NULL CONSTRAINT sessions_current_hash_key UNIQUE,
    previous_hash       TEXT,
    rotated_at          BIGINT,
    sealed_successor    BYTEA,
    created_at          BIGINT  NOT NULL,
    last_used_at        BIGINT  NOT NULL,
    idle_expires_at     BIGINT  NOT NULL,
    absolute_expires_at BIGINT  NOT NULL,
    revoked_at          BIGINT,
    user_agent          TEXT,
    ip                  TEXT
);

CREATE INDEX sessions_user_id_idx ON sessions (user_id, created_at DESC);
CREATE INDEX sessions_revoked_at_idx ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;
CREATE INDEX sessions_idle_expires_at_idx ON sessions (idle_expires_at);
CREATE INDEX sessions_absolute_expires_at_idx ON sessions (absolute_expires_at);

-- Every hash that was ever current for a session (current, previous and retired ones), so
-- that presenting any token of a family finds the family with one primary-key lookup.
CREATE TABLE session_tokens (
    hash       TEXT NOT NULL PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE
);

-- makes the cascade from a purged session cheap
CREATE INDEX session_tokens_session_id_idx ON session_tokens (session_id);

CREATE TABLE secrets (
    name  TEXT  NOT NULL PRIMARY KEY,
    value BYTEA NOT NULL
);
