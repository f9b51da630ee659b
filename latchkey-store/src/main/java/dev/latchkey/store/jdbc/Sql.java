package dev.latchkey.store.jdbc;

import dev.latchkey.store.StoreException;
import dev.latchkey.store.StoreUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Types;
import java.time.Instant;
import javax.sql.DataSource;

/**
 * The little JDBC plumbing the stores share: time mapping, transactions, and turning
 * {@link SQLException}s into unchecked exceptions whose message reveals nothing.
 *
 * <p>Times are epoch milliseconds in both engines (see the V1 migrations), so an {@link Instant}
 * comes back truncated to milliseconds.
 */
final class Sql {

    private Sql() {
    }

    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    static <T> T withConnection(DataSource dataSource, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            return work.run(connection);
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /**
     * Runs {@code work} in one transaction: committed when it returns, rolled back when it
     * throws. On SQLite the transaction is DEFERRED, so every write transaction here starts with
     * its write: the write lock is then taken (waiting up to busy_timeout) by that first
     * statement, and a transaction never has to upgrade a read snapshot, the case where SQLite
     * fails at once with SQLITE_BUSY instead of waiting.
     */
    static <T> T inTransaction(DataSource dataSource, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(connection, e);
                throw e;
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    private static void rollbackQuietly(Connection connection, Exception cause) {
        try {
            connection.rollback();
        } catch (SQLException rollbackFailure) {
            cause.addSuppressed(rollbackFailure);
        }
    }

    /** A generic, caller-safe exception; the SQL details stay in the cause for the logs. */
    static StoreException failure(SQLException e) {
        String state = e.getSQLState();
        // 08: connection exceptions; 57P01-57P03: the server is shutting down, or the database was
        // dropped under an open connection ("terminating connection due to administrator command")
        if (e instanceof SQLTransientConnectionException || (state != null
                && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")))) {
            return new StoreUnavailableException(e);
        }
        return new StoreException(e);
    }

    static void setInstant(PreparedStatement statement, int index, Instant instant) throws SQLException {
        if (instant == null) {
            statement.setNull(index, Types.BIGINT);
        } else {
            statement.setLong(index, instant.toEpochMilli());
        }
    }

    static Instant getInstant(ResultSet rows, String column) throws SQLException {
        long millis = rows.getLong(column);
        return rows.wasNull() ? null : Instant.ofEpochMilli(millis);
    }

    static void setBytes(PreparedStatement statement, int index, byte[] bytes) throws SQLException {
        if (bytes == null) {
            statement.setNull(index, Types.BINARY);
        } else {
            statement.setBytes(index, bytes);
        }
    }
}
