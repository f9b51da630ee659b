package dev.latchkey.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on the embedded SQLite file, plus what only SQLite has. */
class SqliteStoreTest extends StoreContract {

    @TempDir
    Path temp;

    @Override
    protected Database openDatabase() {
        return Database.open(DatabaseSettings.embedded(temp.resolve("data")));
    }

    /** An embedded database cannot go down on its own; closing the pool is the closest. */
    @Override
    protected void takeDatabaseAway(Database database) {
        database.close();
    }

    @Test
    void createsTheFileInTheDataDirectory() {
        assertThat(Files.isRegularFile(temp.resolve("data").resolve(Database.SQLITE_FILE))).isTrue();
        assertThat(database.engine()).isEqualTo("sqlite");
    }

    @Test
    void everyConnectionHasTheConfiguredPragmas() throws SQLException {
        try (Connection connection = database.dataSource().getConnection()) {
            assertThat(pragma(connection, "journal_mode")).isEqualTo("wal");
            assertThat(pragma(connection, "foreign_keys")).isEqualTo("1");
            assertThat(pragma(connection, "busy_timeout")).isEqualTo("5000");
            assertThat(pragma(connection, "synchronous")).isEqualTo("1"); // NORMAL
        }
    }

    @Test
    void opensAnExplicitJdbcSqliteUrl() {
        String url = "jdbc:sqlite:" + temp.resolve("explicit.db");
        try (Database explicit = Database.open(new DatabaseSettings(url, null, 10))) {
            assertThat(explicit.ping()).isTrue();
            assertThat(explicit.users().count()).isZero();
        }
    }

    @Test
    void canOpenWithoutMigratingAndMigrateLater() throws SQLException {
        Path other = temp.resolve("later");
        try (Database unmigrated = Database.open(new DatabaseSettings(null, other, 4, false))) {
            assertThat(tableCount(unmigrated)).isZero();
            unmigrated.migrate();
            assertThat(unmigrated.users().count()).isZero();
        }
    }

    private static String pragma(Connection connection, String name) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("PRAGMA " + name)) {
            rows.next();
            return rows.getString(1);
        }
    }

    private static int tableCount(Database database) throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'")) {
            rows.next();
            return rows.getInt(1);
        }
    }
}
