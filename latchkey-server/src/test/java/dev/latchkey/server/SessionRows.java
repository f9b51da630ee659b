package dev.latchkey.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.latchkey.core.tokens.RefreshTokens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Base64;
import javax.sql.DataSource;

/**
 * Reads what the database holds for a session, so tests can check what the server stored and
 * not only what it answered. Read-only, and only for assertions.
 */
public final class SessionRows {
    private static final ObjectMapper JSON = new ObjectMapper();

    @FunctionalInterface
    public interface Connections {
        Connection open() throws SQLException;
    }

    private final Connections connections;

    private SessionRows(Connections connections) {
        this.connections = connections;
    }

    public static SessionRows of(DataSource dataSource) {
        return new SessionRows(dataSource::getConnection);
    }

    /** For a database no in-process server owns (e.g. one used by a child process). */
    public static SessionRows of(String jdbcUrl) {
        return new SessionRows(() -> DriverManager.getConnection(jdbcUrl));
    }

    /** One session's token state. */
    public record Row(String currentHash, String previousHash, Long rotatedAt, Long revokedAt, int tokenCount) {}

    public Row session(String sessionId) {
        try (Connection connection = connections.open();
             PreparedStatement statement = connection.prepareStatement(
                     "SELECT current_hash, previous_hash, rotated_at, revoked_at,"
                             + " (SELECT COUNT(*) FROM session_tokens t WHERE t.session_id = s.id) AS token_count"
                             + " FROM sessions s WHERE s.id = ?")) {
            statement.setString(1, sessionId);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    throw new AssertionError("no session row " + sessionId);
                }
                long rotated = rows.getLong("rotated_at");
                Long rotatedAt = rows.wasNull() ? null : rotated;
                long revoked = rows.getLong("revoked_at");
                Long revokedAt = rows.wasNull() ? null : revoked;
                return new Row(rows.getString("current_hash"), rows.getString("previous_hash"), rotatedAt, revokedAt,
                        rows.getInt("token_count"));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The stored form of a raw refresh token. */
    public static String hash(String rawRefreshToken) {
        return RefreshTokens.hash(rawRefreshToken);
    }

    /** The {@code sid} claim of an access token (read without verifying: the server verified it). */
    public static String sessionIdOf(String accessToken) {
        String[] parts = accessToken.split("\\.");
        try {
            return JSON.readTree(Base64.getUrlDecoder().decode(parts[1])).get("sid").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
