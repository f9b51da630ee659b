-- A refresh rotates its session's row: current_hash, previous_hash, rotated_at, sealed_successor,
-- last_used_at and idle_expires_at change on every use. While any index covered one of those
-- columns, every rotation wrote a new entry into each of the table's indexes (four of them) and
-- left as many dead entries for vacuum. With none indexed, PostgreSQL updates the row in place on
-- its page (a heap-only tuple update) and touches no index at all.
--
-- What the two dropped indexes gave:
-- - sessions_current_hash_key: uniqueness of the current hash, which session_tokens' primary key
--   already enforces for every hash a session ever had (rotation inserts the new hash there in
--   the same statement), and lookups by hash go through session_tokens.
-- - sessions_idle_expires_at_idx: the housekeeping purge's search for idle-expired sessions. The
--   purge runs every 10 minutes, in batches, and now reads the table for that part; the live
--   sessions gauge already counts over the table.
--
-- fillfactor 85 leaves room on each new page for the next version of its rows, so that in-place
-- updates find space without waiting for pruning.

ALTER TABLE sessions DROP CONSTRAINT sessions_current_hash_key;
DROP INDEX sessions_idle_expires_at_idx;
ALTER TABLE sessions SET (fillfactor = 85);
