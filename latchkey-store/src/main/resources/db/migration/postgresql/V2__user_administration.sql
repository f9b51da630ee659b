-- User administration: the admin listing's keyset order, and deletion records.

-- keyset pagination of the admin user listing: ORDER BY created_at, id
CREATE INDEX users_created_at_id_idx ON users (created_at, id);

-- A deleted user's access tokens must be refused by every instance, yet the users row that
-- held the revocation mark is gone: the deletion is recorded here (deleted_at is the mark) and
-- read with the other revocations. Rows older than one access-token lifetime are purged.
CREATE TABLE user_deletions (
    user_id    TEXT   NOT NULL PRIMARY KEY,
    deleted_at BIGINT NOT NULL
);

CREATE INDEX user_deletions_deleted_at_idx ON user_deletions (deleted_at);
