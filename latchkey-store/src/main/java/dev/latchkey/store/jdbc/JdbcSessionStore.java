package dev.latchkey.store.jdbc;

import static dev.latchkey.store.jdbc.Sql.getInstant;
import static dev.latchkey.store.jdbc.Sql.setBytes;
import static dev.latchkey.store.jdbc.Sql.setInstant;

import dev.latchkey.core.sessions.OwnedSession;
import dev.latchkey.core.sessions.Session;
import dev.latchkey.core.sessions.SessionStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * {@link SessionStore} on {@code sessions} (one row per token family) and
 * {@code session_tokens} (every hash the family ever had as current). Same SQL on both engines,
 * except the rotation, which PostgreSQL does in one statement (see {@link #rotate}).
 */
public final class JdbcSessionStore implements SessionStore {

    private static final String COLUMNS = "id, user_id, current_hash, previous_hash, rotated_at, sealed_successor,"
            + " created_at, last_used_at, idle_expires_at, absolute_expires_at, revoked_at, user_agent, ip";

    /**
     * The compare-and-set and the record of the new hash as one statement: the UPDATE's
     * RETURNING feeds the INSERT, so the insert happens exactly when the compare succeeded, and a
     * single statement is atomic without an explicit transaction (one round trip instead of
     * three: UPDATE, INSERT, COMMIT).
     */
    private static final String ROTATE_POSTGRESQL = "WITH rotated AS ("
            + "UPDATE sessions SET current_hash = ?, previous_hash = current_hash, rotated_at = ?,"
            + " sealed_successor = ?, last_used_at = ?, idle_expires_at = ?"
            + " WHERE id = ? AND current_hash = ? AND revoked_at IS NULL RETURNING id)"
            + " INSERT INTO session_tokens (hash, session_id) SELECT ?, id FROM rotated";

    /** How the owner's columns are labelled in {@link #FIND_WITH_OWNER}, apart from the session's. */
    private static final String OWNER = "owner_";

    /** The session (alias s) that ever had the hash given as the one parameter. */
    private static final String BY_TOKEN_HASH = " FROM session_tokens t JOIN sessions s ON s.id = t.session_id";

    private static final String FIND_BY_TOKEN_HASH = "SELECT " + prefixed("s") + BY_TOKEN_HASH + " WHERE t.hash = ?";

    /** The same with its user (see {@link #findWithOwnerByTokenHash}). */
    private static final String FIND_WITH_OWNER = "SELECT " + prefixed("s") + ", " + JdbcUserStore.columnsAs("u", OWNER)
            + BY_TOKEN_HASH + " JOIN users u ON u.id = s.user_id WHERE t.hash = ?";

    private final DataSource dataSource;
    private final Engine engine;

    public JdbcSessionStore(DataSource dataSource, Engine engine) {
        this.dataSource = dataSource;
        this.engine = engine;
    }

    @Override
    public void insert(Session session) {
        String sql = "INSERT INTO sessions (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        Sql.inTransaction(dataSource, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, session.id());
                statement.setString(2, session.userId());
                statement.setString(3, session.currentHash());
                statement.setString(4, session.previousHash());
                setInstant(statement, 5, session.rotatedAt());
                setBytes(statement, 6, session.sealedSuccessor());
                setInstant(statement, 7, session.createdAt());
                setInstant(statement, 8, session.lastUsedAt());
                setInstant(statement, 9, session.idleExpiresAt());
                setInstant(statement, 10, session.absoluteExpiresAt());
                setInstant(statement, 11, session.revokedAt());
                statement.setString(12, session.userAgent());
                statement.setString(13, session.ip());
                statement.executeUpdate();
            }
            recordHash(connection, session.currentHash(), session.id());
            if (session.previousHash() != null) {
                recordHash(connection, session.previousHash(), session.id());
            }
            return null;
        });
    }

    @Override
    public Optional<Session> findById(String sessionId) {
        return findOne("SELECT " + COLUMNS + " FROM sessions WHERE id = ?", sessionId);
    }

    @Override
    public Optional<Session> findByTokenHash(String tokenHash) {
        return findOne(FIND_BY_TOKEN_HASH, tokenHash);
    }

    @Override
    public Optional<OwnedSession> findWithOwnerByTokenHash(String tokenHash) {
        return Sql.withConnection(dataSource, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(FIND_WITH_OWNER)) {
                statement.setString(1, tokenHash);
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next() ? Optional.of(new OwnedSession(map(rows), JdbcUserStore.map(rows, OWNER)))
                            : Optional.empty();
                }
            }
        });
    }

    /**
     * One compare-and-set UPDATE decides the race: the database serializes writers on the row,
     * and a loser's WHERE no longer matches once the winner's new current hash is committed
     * (PostgreSQL re-checks the condition after waiting on the row lock; SQLite has a single
     * writer). No row lock outlives this short transaction, and nothing is read first.
     */
    @Override
    public boolean rotate(String sessionId, String expectedCurrentHash, String newHash, byte[] sealedSuccessor,
                          Instant now, Instant newIdleExpiresAt) {
        if (engine == Engine.POSTGRESQL) {
            return Sql.withConnection(dataSource, connection -> {
                try (PreparedStatement statement = connection.prepareStatement(ROTATE_POSTGRESQL)) {
                    bindRotation(statement, sessionId, expectedCurrentHash, newHash, sealedSuccessor, now, newIdleExpiresAt);
                    statement.setString(8, newHash);
                    return statement.executeUpdate() == 1;
                }
            });
        }
        String sql = "UPDATE sessions SET current_hash = ?, previous_hash = current_hash, rotated_at = ?,"
                + " sealed_successor = ?, last_used_at = ?, idle_expires_at = ?"
                + " WHERE id = ? AND current_hash = ? AND revoked_at IS NULL";
        return Sql.inTransaction(dataSource, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                bindRotation(statement, sessionId, expectedCurrentHash, newHash, sealedSuccessor, now, newIdleExpiresAt);
                if (statement.executeUpdate() != 1) {
                    return false;
                }
            }
            recordHash(connection, newHash, sessionId);
            return true;
        });
    }

    /** The compare-and-set UPDATE's seven parameters, in the order both engines' statements take them. */
    private static void bindRotation(PreparedStatement statement, String sessionId, String expectedCurrentHash,
                                     String newHash, byte[] sealedSuccessor, Instant now, Instant newIdleExpiresAt)
            throws SQLException {
        statement.setString(1, newHash);
        setInstant(statement, 2, now);
        setBytes(statement, 3, sealedSuccessor);
        setInstant(statement, 4, now);
        setInstant(statement, 5, newIdleExpiresAt);
        statement.setString(6, sessionId);
        statement.setString(7, expectedCurrentHash);
    }

    @Override
    public boolean revoke(String sessionId, Instant now) {
        return Sql.withConnection(dataSource, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(
                    "UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
                setInstant(statement, 1, now);
                statement.setString(2, sessionId);
                return statement.executeUpdate() == 1;
            }
        });
    }

    /**
     * Revokes every not yet revoked session of the user, expired ones included: an access token
     * minted just before a session expired is still valid for its short lifetime, and listing
     * the session as revoked is what rejects it.
     */
    @Override
    public List<String> revokeAllForUser(String userId, String keepSessionId, Instant now) {
        String sql = "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL"
                + (keepSessionId == null ? "" : " AND id <> ?") + " RETURNING id";
        return Sql.withConnection(dataSource, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                setInstant(statement, 1, now);
                statement.setString(2, userId);
                if (keepSessionId != null) {
                    statement.setString(3, keepSessionId);
                }
                List<String> ids = new ArrayList<>();
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        ids.add(rows.getString(1));
                    }
                }
                return ids;
            }
        });
    }

    @Override
    public List<Session> listLive(String userId, Instant now) {
        String sql = "SELECT " + COLUMNS + " FROM sessions WHERE user_id = ? AND revoked_at IS NULL"
                + " AND idle_expires_at > ? AND absolute_expires_at > ? ORDER BY created_at DESC, id DESC";
        return Sql.withConnection(dataSource, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, userId);
                setInstant(statement, 2, now);
                setInstant(statement, 3, now);
                return mapAll(statement);
            }
        });
    }

    @Override
    public long countLive(Instant now) {
        String sql = "SELECT COUNT(*) FROM sessions WHERE revoked_at IS NULL AND idle_expires_at > ? AND absolute_expires_at > ?";
        return Sql.withConnection(dataSource, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                setInstant(statement, 1, now);
                setInstant(statement, 2, now);
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    return rows.getLong(1);
                }
            }
        });
    }

    @Override
    public List<Revocation> revokedSince(Instant since) {
        String sql = "SELECT id, user_id, revoked_at FROM sessions WHERE revoked_at >= ? ORDER BY revoked_at";
        return Sql.withConnection(dataSource, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                setInstant(statement, 1, since);
                List<Revocation> revocations = new ArrayList<>();
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        revocations.add(new Revocation(rows.getString("id"), rows.getString("user_id"),
                                getInstant(rows, "revoked_at")));
                    }
                }
                return revocations;
            }
        });
    }

    /**
     * One bounded batch, so a large backlog never becomes one long transaction holding locks
     * (on SQLite: the single write lock). Callers loop until it returns less than the batch
     * size. The sessions' hashes go with them by ON DELETE CASCADE.
     */
    @Override
    public int purgeEnded(Instant before, int batchSize) {
        String sql = "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions"
                + " WHERE absolute_expires_at < ? OR idle_expires_at < ? OR revoked_at < ? LIMIT ?)";
        return Sql.withConnection(dataSource, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                setInstant(statement, 1, before);
                setInstant(statement, 2, before);
                setInstant(statement, 3, before);
                statement.setInt(4, batchSize);
                return statement.executeUpdate();
            }
        });
    }

    private static void recordHash(Connection connection, String hash, String sessionId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "INSERT INTO session_tokens (hash, session_id) VALUES (?, ?)")) {
            statement.setString(1, hash);
            statement.setString(2, sessionId);
            statement.executeUpdate();
        }
    }

    private Optional<Session> findOne(String sql, String key) {
        return Sql.withConnection(dataSource, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, key);
                List<Session> sessions = mapAll(statement);
                return sessions.isEmpty() ? Optional.empty() : Optional.of(sessions.getFirst());
            }
        });
    }

    private static List<Session> mapAll(PreparedStatement statement) throws SQLException {
        List<Session> sessions = new ArrayList<>();
        try (ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                sessions.add(map(rows));
            }
        }
        return sessions;
    }

    private static Session map(ResultSet rows) throws SQLException {
        return new Session(
                rows.getString("id"),
                rows.getString("user_id"),
                rows.getString("current_hash"),
                rows.getString("previous_hash"),
                getInstant(rows, "rotated_at"),
                rows.getBytes("sealed_successor"),
                getInstant(rows, "created_at"),
                getInstant(rows, "last_used_at"),
                getInstant(rows, "idle_expires_at"),
                getInstant(rows, "absolute_expires_at"),
                getInstant(rows, "revoked_at"),
                rows.getString("user_agent"),
                rows.getString("ip"));
    }

    private static String prefixed(String alias) {
        return alias + "." + COLUMNS.replace(", ", ", " + alias + ".");
    }
}
