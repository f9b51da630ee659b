package dev.latchkey.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.core.accounts.User;
import dev.latchkey.core.sessions.Session;
import dev.latchkey.core.sessions.SessionStore;
import dev.latchkey.store.Database;
import dev.latchkey.store.DatabaseSettings;
import dev.latchkey.testkit.PostgresServer;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * On PostgreSQL a refresh's rotation updates the session's row in place (a heap-only tuple
 * update), writing no index: no index of {@code sessions} covers a column the rotation changes
 * (see the V7 migration). Checked from PostgreSQL's own counters after real rotations.
 */
class RotationInPlaceTest {
    private static final Instant NOW = Instant.parse("2030-01-10T00:00:00Z");
    private static final int ROTATIONS = 40;

    @Test
    void everyRotationIsAHeapOnlyUpdate() throws Exception {
        String url = PostgresServer.shared().createDatabase();
        DatabaseSettings settings = new DatabaseSettings(url, Files.createTempDirectory("latchkey-store-test"), 2);
        try (Database database = Database.open(settings)) {
            SessionStore sessions = database.sessions();
            String userId = UUID.randomUUID().toString();
            database.users().insert(new User(userId, userId + "@example.com", "user", "$argon2id$x", NOW, null));
            String[] ids = new String[4];
            String[] current = new String[ids.length];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = UUID.randomUUID().toString();
                current[i] = UUID.randomUUID().toString();
                sessions.insert(new Session(ids[i], userId, current[i], null, null, null, NOW, NOW,
                        NOW.plus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(30)), null, "test", "127.0.0.1"));
            }
            for (int n = 0; n < ROTATIONS; n++) {
                int i = n % ids.length;
                String next = UUID.randomUUID().toString();
                Instant at = NOW.plusSeconds(n);
                assertThat(sessions.rotate(ids[i], current[i], next, new byte[] {1, 2, 3}, at, at.plus(Duration.ofDays(1)))).isTrue();
                current[i] = next;
            }
        }
        // A backend publishes its counters when it ends, so the pool that rotated is closed first.
        try (Database database = Database.open(settings)) {
            long[] counted = updates(database);
            assertThat(counted[0]).as("rotations counted").isEqualTo(ROTATIONS);
            assertThat(counted[1]).as("of which heap-only").isEqualTo(ROTATIONS);
        } finally {
            PostgresServer.shared().dropDatabase(url);
        }
    }

    /** {n_tup_upd, n_tup_hot_upd} of sessions, once the ended backends' counters are in. */
    private static long[] updates(Database database) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        try (Connection connection = database.dataSource().getConnection(); Statement statement = connection.createStatement()) {
            while (true) {
                statement.execute("SELECT pg_stat_clear_snapshot()");
                try (ResultSet rows = statement.executeQuery(
                        "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'sessions'")) {
                    rows.next();
                    long[] counted = {rows.getLong(1), rows.getLong(2)};
                    if (counted[0] >= ROTATIONS || System.nanoTime() > deadline) {
                        return counted;
                    }
                }
                Thread.sleep(100);
            }
        }
    }
}
