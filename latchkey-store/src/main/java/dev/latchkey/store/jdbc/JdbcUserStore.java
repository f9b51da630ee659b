package dev.latchkey.store.jdbc;

import static dev.latchkey.store.jdbc.Sql.getInstant;
import static dev.latchkey.store.jdbc.Sql.setInstant;

import dev.latchkey.core.accounts.EmailTakenException;
import dev.latchkey.core.accounts.User;
import dev.latchkey.core.accounts.UserQuery;
import dev.latchkey.core.accounts.UserStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/** {@link UserStore} on the {@code users} table, same SQL on both engines. */
public final class JdbcUserStore implements UserStore {

    private static final String COLUMNS = "id, email, role, password_hash, created_at, disabled_at, tokens_revoked_before,"
            + " email_verified_at";
    private static final String ADMIN = "'admin'";
    /** True for the row {@code users} when changing it away from an enabled admin leaves another enabled admin. */
    private static final String ANOTHER_ENABLED_ADMIN = "EXISTS (SELECT 1 FROM users o WHERE o.role = " + ADMIN
            + " AND o.disabled_at IS NULL AND o.id <> users.id)";
    /** The row is not an enabled admin, or is not the last one. */
    private static final String NOT_LAST_ADMIN = "(role <> " + ADMIN + " OR disabled_at IS NOT NULL OR " + ANOTHER_ENABLED_ADMIN + ")";

    private final DataSource dataSource;
    private final Engine engine;

    public JdbcUserStore(DataSource dataSource, Engine engine) {
        this.dataSource = dataSource;
        this.engine = engine;
    }

    /**
     * The unique constraint decides, not a look-up before the insert (which two concurrent
     * registrations would both pass). Emails are lowercased here too, so the constraint is
     * case-insensitive even if a caller forgot to normalize.
     */
    @Override
    public void insert(User user) {
        String sql = "INSERT INTO users (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
        Sql.withConnection(dataSource, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, user.id());
                statement.setString(2, normalize(user.email()));
                statement.setString(3, user.role());
                statement.setString(4, user.passwordHash());
                setInstant(statement, 5, user.createdAt());
                setInstant(statement, 6, user.disabledAt());
                setInstant(statement, 7, user.tokensRevokedBefore());
                setInstant(statement, 8, user.emailVerifiedAt());
                statement.executeUpdate();
                return null;
            } catch (SQLException e) {
                if (engine.isUniqueViolation(e, "users", "email")) {
                    throw new EmailTakenException();
                }
                throw e;
            }
        });
    }

    @Override
    public Optional<User> findByEmail(String normalizedEmail) {
        return findOne("SELECT " + COLUMNS + " FROM users WHERE email = ?", normalize(normalizedEmail));
    }

    @Override
    public Optional<User> findById(String id) {
        return findOne("SELECT " + COLUMNS + " FROM users WHERE id = ?", id);
    }

    /**
     * Keyset pagination on {@code (created_at, id)} (indexed): the position carries the sort key,
     * so pages neither skip nor repeat users whatever is inserted or deleted between them.
     */
    @Override
    public List<User> list(UserQuery query) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM users WHERE 1 = 1");
        List<Object> parameters = new ArrayList<>();
        if (query.emailPrefix() != null) {
            sql.append(" AND email LIKE ? ESCAPE '\\'");
            parameters.add(likePrefix(normalize(query.emailPrefix())));
        }
        if (query.role() != null) {
            sql.append(" AND role = ?");
            parameters.add(query.role());
        }
        if (query.after() != null) {
            sql.append(" AND (created_at > ? OR (created_at = ? AND id > ?))");
            parameters.add(query.after().createdAt());
            parameters.add(query.after().createdAt());
            parameters.add(query.after().id());
        }
        sql.append(" ORDER BY created_at, id LIMIT ?");
        parameters.add(query.limit());
        return Sql.withConnection(dataSource, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql.toString())) {
                for (int i = 0; i < parameters.size(); i++) {
                    Object value = parameters.get(i);
                    switch (value) {
                        case Instant instant -> setInstant(statement, i + 1, instant);
                        case Integer number -> statement.setInt(i + 1, number);
                        default -> statement.setString(i + 1, (String) value);
                    }
                }
                List<User> users = new ArrayList<>();
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        users.add(map(rows));
                    }
                }
                return users;
            }
        });
    }

    @Override
    public Change changeRole(String userId, String role, Instant revokeTokensBefore) {
        String sql = "UPDATE users SET role = ?, tokens_revoked_before = CASE"
                + " WHEN tokens_revoked_before IS NULL OR tokens_revoked_before < ? THEN ? ELSE tokens_revoked_before END"
                + " WHERE id = ? AND (? = " + ADMIN + " OR " + NOT_LAST_ADMIN + ")";
        return guarded(userId, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, role);
                setInstant(statement, 2, revokeTokensBefore);
                setInstant(statement, 3, revokeTokensBefore);
                statement.setString(4, userId);
                statement.setString(5, role);
                return statement.executeUpdate();
            }
        });
    }

    /** Disabling keeps the first {@code disabled_at}; enabling clears it. */
    @Override
    public Change setDisabled(String userId, Instant disabledAt) {
        String sql = disabledAt == null
                ? "UPDATE users SET disabled_at = NULL WHERE id = ?"
                : "UPDATE users SET disabled_at = COALESCE(disabled_at, ?) WHERE id = ? AND " + NOT_LAST_ADMIN;
        return guarded(userId, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                int index = 1;
                if (disabledAt != null) {
                    setInstant(statement, index++, disabledAt);
                }
                statement.setString(index, userId);
                return statement.executeUpdate();
            }
        });
    }

    /** The sessions go with the user (ON DELETE CASCADE); the deletion is recorded for the revocation sync. */
    @Override
    public Change delete(String userId, Instant at) {
        return guarded(userId, connection -> {
            int deleted;
            try (PreparedStatement statement = connection.prepareStatement(
                    "DELETE FROM users WHERE id = ? AND " + NOT_LAST_ADMIN)) {
                statement.setString(1, userId);
                deleted = statement.executeUpdate();
            }
            if (deleted == 1) {
                try (PreparedStatement statement = connection.prepareStatement(
                        "INSERT INTO user_deletions (user_id, deleted_at) VALUES (?, ?)")) {
                    statement.setString(1, userId);
                    setInstant(statement, 2, at);
                    statement.executeUpdate();
                }
            }
            return deleted;
        });
    }

    /**
     * Runs a change that must not remove the last enabled admin, in one transaction. The guard is
     * part of the statement's WHERE; on SQLite that statement, the transaction's first, takes the
     * database's single write lock, so guarded changes run one after the other. PostgreSQL lets
     * writers run side by side, so there the enabled admins' rows are locked first: two admins
     * demoting each other at the same moment cannot both see the other one still admin.
     */
    private Change guarded(String userId, Sql.Work<Integer> change) {
        return Sql.inTransaction(dataSource, connection -> {
            if (engine == Engine.POSTGRESQL) {
                try (PreparedStatement lock = connection.prepareStatement(
                        "SELECT id FROM users WHERE role = " + ADMIN + " AND disabled_at IS NULL ORDER BY id FOR UPDATE");
                     ResultSet ignored = lock.executeQuery()) {
                    // the rows stay locked until the transaction ends
                }
            }
            if (change.run(connection) == 1) {
                return Change.DONE;
            }
            try (PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM users WHERE id = ?")) {
                exists.setString(1, userId);
                try (ResultSet rows = exists.executeQuery()) {
                    return rows.next() ? Change.LAST_ADMIN : Change.NOT_FOUND;
                }
            }
        });
    }

    @Override
    public boolean updatePasswordHash(String userId, String newHash) {
        return updateOne("UPDATE users SET password_hash = ? WHERE id = ?", newHash, userId);
    }

    @Override
    public boolean updateRole(String userId, String role) {
        return updateOne("UPDATE users SET role = ? WHERE id = ?", role, userId);
    }

    @Override
    public long count() {
        return Sql.withConnection(dataSource, connection -> {
            try (PreparedStatement statement = connection.prepareStatement("SELECT COUNT(*) FROM users");
                 ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        });
    }

    @Override
    public boolean markEmailVerified(String userId, Instant at) {
        String sql = "UPDATE users SET email_verified_at = COALESCE(email_verified_at, ?) WHERE id = ?";
        return Sql.withConnection(dataSource, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                setInstant(statement, 1, at);
                statement.setString(2, userId);
                return statement.executeUpdate() == 1;
            }
        });
    }

    /** Never moves the mark backwards: a later, earlier-dated call must not un-revoke tokens. */
    @Override
    public boolean revokeTokensIssuedBefore(String userId, Instant at) {
        String sql = "UPDATE users SET tokens_revoked_before = CASE"
                + " WHEN tokens_revoked_before IS NULL OR tokens_revoked_before < ? THEN ? ELSE tokens_revoked_before END"
                + " WHERE id = ?";
        return Sql.withConnection(dataSource, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                setInstant(statement, 1, at);
                setInstant(statement, 2, at);
                statement.setString(3, userId);
                return statement.executeUpdate() == 1;
            }
        });
    }

    /** Marks of live users and deletions (a deleted user's tokens are all revoked), oldest first. */
    @Override
    public List<TokenRevocation> tokenRevocationsSince(Instant since) {
        String sql = "SELECT id AS user_id, tokens_revoked_before AS mark FROM users WHERE tokens_revoked_before >= ?"
                + " UNION ALL SELECT user_id, deleted_at AS mark FROM user_deletions WHERE deleted_at >= ?"
                + " ORDER BY mark";
        return Sql.withConnection(dataSource, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                setInstant(statement, 1, since);
                setInstant(statement, 2, since);
                List<TokenRevocation> revocations = new ArrayList<>();
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        revocations.add(new TokenRevocation(rows.getString("user_id"), getInstant(rows, "mark")));
                    }
                }
                return revocations;
            }
        });
    }

    @Override
    public int purgeDeletionRecords(Instant before) {
        return Sql.withConnection(dataSource, connection -> {
            try (PreparedStatement statement = connection.prepareStatement("DELETE FROM user_deletions WHERE deleted_at < ?")) {
                setInstant(statement, 1, before);
                return statement.executeUpdate();
            }
        });
    }

    private Optional<User> findOne(String sql, String key) {
        return Sql.withConnection(dataSource, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, key);
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next() ? Optional.of(map(rows)) : Optional.empty();
                }
            }
        });
    }

    private boolean updateOne(String sql, String value, String id) {
        return Sql.withConnection(dataSource, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, value);
                statement.setString(2, id);
                return statement.executeUpdate() == 1;
            }
        });
    }

    private static User map(ResultSet rows) throws SQLException {
        return map(rows, "");
    }

    /** The user of a row whose user columns are labelled {@code prefix + column} (see {@link #columnsAs}). */
    static User map(ResultSet rows, String prefix) throws SQLException {
        return new User(rows.getString(prefix + "id"), rows.getString(prefix + "email"), rows.getString(prefix + "role"),
                rows.getString(prefix + "password_hash"), getInstant(rows, prefix + "created_at"),
                getInstant(rows, prefix + "disabled_at"), getInstant(rows, prefix + "tokens_revoked_before"),
                getInstant(rows, prefix + "email_verified_at"));
    }

    /** The user columns of table alias {@code alias}, each labelled {@code prefix + column}, for a join. */
    static String columnsAs(String alias, String prefix) {
        return Arrays.stream(COLUMNS.split(",\\s*"))
                .map(column -> alias + "." + column + " AS " + prefix + column)
                .collect(Collectors.joining(", "));
    }

    /** A LIKE pattern matching values that start with {@code prefix} literally. */
    private static String likePrefix(String prefix) {
        return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }

    private static String normalize(String email) {
        return email == null ? null : email.toLowerCase(Locale.ROOT);
    }
}
