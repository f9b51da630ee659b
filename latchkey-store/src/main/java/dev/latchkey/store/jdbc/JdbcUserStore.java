package dev.latchkey.store.jdbc;

import static dev.latchkey.store.jdbc.Sql.getInstant;
import static dev.latchkey.store.jdbc.Sql.setInstant;

import dev.latchkey.core.accounts.EmailTakenException;
import dev.latchkey.core.accounts.User;
import dev.latchkey.core.accounts.UserStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.sql.DataSource;

/** {@link UserStore} on the {@code users} table, same SQL on both engines. */
public final class JdbcUserStore implements UserStore {

    private static final String COLUMNS = "id, email, role, password_hash, created_at, disabled_at";

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
        String sql = "INSERT INTO users (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)";
        Sql.withConnection(dataSource, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, user.id());
                statement.setString(2, normalize(user.email()));
                statement.setString(3, user.role());
                statement.setString(4, user.passwordHash());
                setInstant(statement, 5, user.createdAt());
                setInstant(statement, 6, user.disabledAt());
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
     * Users ordered by creation, oldest first, for the admin listing (not on the port yet).
     *
     * @param afterId keyset cursor: the last id of the previous page, or null for the first page
     */
    public List<User> list(String afterId, int limit) {
        String sql = "SELECT " + COLUMNS + " FROM users"
                + (afterId == null ? "" : " WHERE (created_at, id) > (SELECT created_at, id FROM users WHERE id = ?)")
                + " ORDER BY created_at, id LIMIT ?";
        return Sql.withConnection(dataSource, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                int index = 1;
                if (afterId != null) {
                    statement.setString(index++, afterId);
                }
                statement.setInt(index, limit);
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

    @Override
    public List<TokenRevocation> tokenRevocationsSince(Instant since) {
        String sql = "SELECT id, tokens_revoked_before FROM users WHERE tokens_revoked_before >= ?"
                + " ORDER BY tokens_revoked_before";
        return Sql.withConnection(dataSource, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                setInstant(statement, 1, since);
                List<TokenRevocation> revocations = new ArrayList<>();
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        revocations.add(new TokenRevocation(rows.getString("id"), getInstant(rows, "tokens_revoked_before")));
                    }
                }
                return revocations;
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
        return new User(rows.getString("id"), rows.getString("email"), rows.getString("role"),
                rows.getString("password_hash"), getInstant(rows, "created_at"), getInstant(rows, "disabled_at"));
    }

    private static String normalize(String email) {
        return email == null ? null : email.toLowerCase(Locale.ROOT);
    }
}
