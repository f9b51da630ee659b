package dev.latchkey.store.jdbc;

import dev.latchkey.core.tokens.SigningKeyStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * {@link SigningKeyStore} on the {@code signing_keys} table.
 *
 * <p>Every state change runs in one transaction that first takes the key lock: a
 * transaction-scoped advisory lock on PostgreSQL (released by commit or rollback, so a crashed
 * instance never keeps it), and on SQLite the database's single write lock, taken up front by a
 * write that changes nothing. Under that lock the decision (is a key active? is rotation due?)
 * and the change are one step for every instance on the database.
 */
public final class JdbcSigningKeyStore implements SigningKeyStore {

    /** Advisory-lock id for key changes on PostgreSQL ("LKkeys" in ASCII). */
    static final long KEY_LOCK_ID = 0x4c4b6b657973L;

    private static final String COLUMNS = "kid, algorithm, private_key, source, created_at, activated_at, retired_at";

    private final DataSource dataSource;
    private final Engine engine;

    public JdbcSigningKeyStore(DataSource dataSource, Engine engine) {
        this.dataSource = dataSource;
        this.engine = engine;
    }

    @Override
    public List<StoredKey> all() {
        return Sql.withConnection(dataSource, JdbcSigningKeyStore::readAll);
    }

    @Override
    public Optional<StoredKey> find(String kid) {
        return Sql.withConnection(dataSource, connection -> find(connection, kid));
    }

    @Override
    public String version() {
        return Sql.withConnection(dataSource, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT COUNT(*), MAX(created_at), MAX(activated_at), MAX(retired_at) FROM signing_keys");
                 ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1) + ":" + rows.getLong(2) + ":" + rows.getLong(3) + ":" + rows.getLong(4);
            }
        });
    }

    @Override
    public boolean insertIfAbsent(StoredKey key) {
        return Sql.withConnection(dataSource, connection -> insert(connection, key));
    }

    @Override
    public boolean activate(String kid, Instant now) {
        return Sql.inTransaction(dataSource, connection -> {
            lock(connection, false);
            Optional<StoredKey> key = find(connection, kid);
            if (key.isEmpty()) {
                return false;
            }
            if (!key.get().active() || !active(readAll(connection)).map(StoredKey::kid).orElse("").equals(kid)) {
                activate(connection, kid, now);
            }
            return true;
        });
    }

    @Override
    public StoredKey activateIfNoneActive(StoredKey candidate, Instant now) {
        return Sql.inTransaction(dataSource, connection -> {
            lock(connection, false);
            Optional<StoredKey> active = active(readAll(connection));
            if (active.isPresent()) {
                return active.get();
            }
            insert(connection, candidate);
            activate(connection, candidate.kid(), now);
            return find(connection, candidate.kid()).orElseThrow(() -> new SQLException("key vanished after insert"));
        });
    }

    @Override
    public Optional<StoredKey> rotate(Instant now, Instant dueBefore, boolean skipIfBusy, Supplier<StoredKey> newKey) {
        return Sql.inTransaction(dataSource, connection -> {
            if (!lock(connection, skipIfBusy)) {
                return Optional.empty();
            }
            List<StoredKey> keys = readAll(connection);
            Optional<StoredKey> active = active(keys);
            if (dueBefore != null && active.isPresent() && !active.get().activatedAt().isBefore(dueBefore)) {
                return Optional.empty();
            }
            Optional<StoredKey> pending = keys.stream().filter(StoredKey::pending)
                    .max(Comparator.comparing(StoredKey::createdAt));
            String kid;
            if (pending.isPresent()) {
                kid = pending.get().kid();
            } else {
                StoredKey created = newKey.get();
                if (!insert(connection, created)) {
                    throw new SQLException("a key with the new key's kid exists already");
                }
                kid = created.kid();
            }
            activate(connection, kid, now);
            return find(connection, kid);
        });
    }

    @Override
    public boolean insertIfNonePending(StoredKey candidate) {
        return Sql.inTransaction(dataSource, connection -> {
            lock(connection, false);
            if (readAll(connection).stream().anyMatch(StoredKey::pending)) {
                return false;
            }
            return insert(connection, candidate);
        });
    }

    @Override
    public void updatePrivateKey(String kid, String privateKey) {
        Sql.withConnection(dataSource, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(
                    "UPDATE signing_keys SET private_key = ? WHERE kid = ?")) {
                statement.setString(1, privateKey);
                statement.setString(2, kid);
                return statement.executeUpdate();
            }
        });
    }

    /**
     * Takes the key lock for the current transaction; false only when {@code tryOnly} and
     * another transaction holds it (PostgreSQL). On SQLite a write that changes nothing takes the
     * write lock (waiting up to busy_timeout), so the reads that follow see the latest state.
     */
    private boolean lock(Connection connection, boolean tryOnly) throws SQLException {
        if (engine == Engine.POSTGRESQL) {
            String function = tryOnly ? "pg_try_advisory_xact_lock" : "pg_advisory_xact_lock";
            try (PreparedStatement statement = connection.prepareStatement("SELECT " + function + "(?)")) {
                statement.setLong(1, KEY_LOCK_ID);
                try (ResultSet rows = statement.executeQuery()) {
                    return !tryOnly || (rows.next() && rows.getBoolean(1));
                }
            }
        }
        try (PreparedStatement statement = connection.prepareStatement(
                "UPDATE signing_keys SET kid = kid WHERE kid IS NULL")) {
            statement.executeUpdate();
        }
        return true;
    }

    private static void activate(Connection connection, String kid, Instant now) throws SQLException {
        try (PreparedStatement retire = connection.prepareStatement(
                "UPDATE signing_keys SET retired_at = ? WHERE activated_at IS NOT NULL AND retired_at IS NULL AND kid <> ?")) {
            Sql.setInstant(retire, 1, now);
            retire.setString(2, kid);
            retire.executeUpdate();
        }
        try (PreparedStatement activate = connection.prepareStatement(
                "UPDATE signing_keys SET activated_at = ?, retired_at = NULL WHERE kid = ?")) {
            Sql.setInstant(activate, 1, now);
            activate.setString(2, kid);
            activate.executeUpdate();
        }
    }

    private static Optional<StoredKey> active(List<StoredKey> keys) {
        return keys.stream().filter(StoredKey::active).max(Comparator.comparing(StoredKey::activatedAt));
    }

    private static boolean insert(Connection connection, StoredKey key) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("INSERT INTO signing_keys (" + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kid) DO NOTHING")) {
            statement.setString(1, key.kid());
            statement.setString(2, key.algorithm());
            statement.setString(3, key.privateKey());
            statement.setString(4, key.source());
            Sql.setInstant(statement, 5, key.createdAt());
            Sql.setInstant(statement, 6, key.activatedAt());
            Sql.setInstant(statement, 7, key.retiredAt());
            return statement.executeUpdate() == 1;
        }
    }

    private static Optional<StoredKey> find(Connection connection, String kid) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT " + COLUMNS + " FROM signing_keys WHERE kid = ?")) {
            statement.setString(1, kid);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(read(rows)) : Optional.empty();
            }
        }
    }

    private static List<StoredKey> readAll(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT " + COLUMNS + " FROM signing_keys ORDER BY created_at, kid");
             ResultSet rows = statement.executeQuery()) {
            List<StoredKey> keys = new ArrayList<>();
            while (rows.next()) {
                keys.add(read(rows));
            }
            return keys;
        }
    }

    private static StoredKey read(ResultSet rows) throws SQLException {
        return new StoredKey(rows.getString("kid"), rows.getString("algorithm"), rows.getString("private_key"),
                rows.getString("source"), Sql.getInstant(rows, "created_at"), Sql.getInstant(rows, "activated_at"),
                Sql.getInstant(rows, "retired_at"));
    }
}
