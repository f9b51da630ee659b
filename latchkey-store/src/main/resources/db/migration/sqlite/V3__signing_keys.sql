-- Signing keys shared by every instance on this database (V2 is taken by the roles work).
--
-- private_key is PKCS#8 PEM, or that PEM sealed with AES-256-GCM under the key-encryption key
-- (LATCHKEY_KEY_ENCRYPTION_KEY), as "lk-aesgcm-v1:<base64>". Times are epoch milliseconds.
-- activated_at NULL: published in the JWKS but not signing yet (pre-published).
-- retired_at: when a newer key took over; the key stays published for the access-token
-- lifetime plus the clock leeway after that.

CREATE TABLE signing_keys (
    kid          TEXT    NOT NULL PRIMARY KEY,
    algorithm    TEXT    NOT NULL,
    private_key  TEXT    NOT NULL,
    source       TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    activated_at INTEGER,
    retired_at   INTEGER
) WITHOUT ROWID;

CREATE INDEX signing_keys_created_at_idx ON signing_keys (created_at);
