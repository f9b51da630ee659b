-- Audit trail: one row per security event (register, logins, refreshes, reuse, logouts,
-- password and role changes, revocations, refusals by the rate limits). Times are BIGINT epoch
-- milliseconds as everywhere else. No password, token or CSRF value is ever stored here.
-- Not tied to users by a foreign key: the trail outlives a deleted account. Rows older than
-- LATCHKEY_AUDIT_RETENTION are purged by the housekeeping job.

CREATE TABLE audit_events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at BIGINT NOT NULL,
    type        TEXT   NOT NULL,
    outcome     TEXT   NOT NULL,
    user_id     TEXT,
    session_id  TEXT,
    ip          TEXT,
    user_agent  TEXT,
    -- a small JSON object of strings (reason, limit name...)
    details     TEXT   NOT NULL DEFAULT '{}'
);

-- newest first, keyset pagination, and the retention purge
CREATE INDEX audit_events_occurred_at_idx ON audit_events (occurred_at, id);
CREATE INDEX audit_events_user_idx ON audit_events (user_id, occurred_at, id) WHERE user_id IS NOT NULL;
CREATE INDEX audit_events_type_idx ON audit_events (type, occurred_at, id);
