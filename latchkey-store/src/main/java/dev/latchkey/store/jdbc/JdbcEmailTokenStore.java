package dev.latchkey.store.jdbc;

import static dev.latchkey.store.jdbc.Sql.setInstant;

import dev.latchkey.core.accounts.EmailTokenPurpose;
import dev.latchkey.core.accounts.EmailTokenStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;

/** {@link EmailTokenStore} on the {@code email_tokens} table, same SQL on both engines. */
public final class JdbcEmailTokenStore implements EmailTokenStore {

    private final DataSource dataSource;

    public JdbcEmailTokenStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public void insert(EmailToken token) {
        String sql = "INSERT INTO email_tokens (hash, purpose, user_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)";
        Sql.withConnection(dataSource, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, token.hash());
                statement.setString(2, token.purpose().stored());
                statement.setString(3, token.userId());
                setInstant(statement, 4, token.createdAt());
                setInstant(statement, 5, token.expiresAt());
                statement.executeUpdate();
                return null;
            }
        });
    }

    @Override
    public Optional<String> findUsable(String hash, EmailTokenPurpose purpose, Instant now) {
        String sql = "SELECT user_id FROM email_tokens WHERE hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?";
        return userOf(sql, hash, purpose, now);
    }

    @Override
    public Optional<String> consume(String hash, EmailTokenPurpose purpose, Instant now) {
        String sql = "UPDATE email_tokens SET used_at = ? WHERE hash = ? AND purpose = ? AND used_at IS NULL"
                + " AND expires_at > ? RETURNING user_id";
        return Sql.withConnection(dataSource, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                setInstant(statement, 1, now);
                statement.setString(2, hash);
                statement.setString(3, purpose.stored());
                setInstant(statement, 4, now);
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public int invalidateAll(String userId, EmailTokenPurpose purpose, Instant now) {
        String sql = "UPDATE email_tokens SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL";
        return Sql.withConnection(dataSource, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                setInstant(statement, 1, now);
                statement.setString(2, userId);
                statement.setString(3, purpose.stored());
                return statement.executeUpdate();
            }
        });
    }

    @Override
    public int purgeExpired(Instant before, int limit) {
        String sql = "DELETE FROM email_tokens WHERE hash IN (SELECT hash FROM email_tokens WHERE expires_at < ? LIMIT ?)";
        return Sql.withConnection(dataSource, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                setInstant(statement, 1, before);
                statement.setInt(2, limit);
                return statement.executeUpdate();
            }
        });
    }

    private Optional<String> userOf(String sql, String hash, EmailTokenPurpose purpose, Instant now) {
        return Sql.withConnection(dataSource, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, hash);
                statement.setString(2, purpose.stored());
                setInstant(statement, 3, now);
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
                }
            }
        });
    }
}
