-- Email verification and password reset by email.
--
-- users.email_verified_at: when the account proved control of its mailbox (a verification link,
-- or a password reset through a mailed link), epoch milliseconds; null while unverified.
--
-- email_tokens: single-use tokens mailed to a user. Only the SHA-256 of a token is stored (the
-- tokens are 256 random bits, so a slow hash would buy nothing). purpose is 'verify' or 'reset';
-- a token is spent when used_at is set, and refused after expires_at. Rows go with their user,
-- and the housekeeping job purges them once expired.

ALTER TABLE users ADD COLUMN email_verified_at INTEGER;

CREATE TABLE email_tokens (
    hash       TEXT    NOT NULL PRIMARY KEY,
    purpose    TEXT    NOT NULL,
    user_id    TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
) WITHOUT ROWID;

CREATE INDEX email_tokens_user_idx ON email_tokens (user_id, purpose);
CREATE INDEX email_tokens_expires_at_idx ON email_tokens (expires_at);
