package dev.latchkey.store.jdbc;

import dev.latchkey.core.secrets.SecretStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;

/** {@link SecretStore} on the {@code secrets} table. */
public final class JdbcSecretStore implements SecretStore {

    private final DataSource dataSource;

    public JdbcSecretStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Insert-if-absent, then read back whatever is stored: when instances race, the first
     * insert wins, the others' inserts do nothing, and every one returns the winner's value.
     * The generator runs only when the secret looked absent.
     */
    @Override
    public byte[] getOrCreate(String name, Supplier<byte[]> generator) {
        return Sql.withConnection(dataSource, connection -> {
            Optional<byte[]> existing = read(connection, name);
            if (existing.isPresent()) {
                return existing.get();
            }
            byte[] candidate = generator.get();
            try (PreparedStatement statement = connection.prepareStatement(
                    "INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING")) {
                statement.setString(1, name);
                statement.setBytes(2, candidate);
                statement.executeUpdate();
            }
            return read(connection, name).orElseThrow(() -> new SQLException("secret vanished after insert"));
        });
    }

    private static Optional<byte[]> read(Connection connection, String name) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT value FROM secrets WHERE name = ?")) {
            statement.setString(1, name);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(rows.getBytes(1)) : Optional.empty();
            }
        }
    }
}
