package dev.latchkey.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latchkey.testkit.PostgresServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The store contract on a real PostgreSQL (one fresh database per test), plus connection behaviour. */
class PostgresStoreTest extends StoreContract {

    private String jdbcUrl;

    @Override
    protected Database openDatabase() {
        jdbcUrl = PostgresServer.shared().createDatabase();
        return Database.open(new DatabaseSettings(jdbcUrl, null, 10));
    }

    @Override
    protected void takeDatabaseAway(Database database) {
        PostgresServer.shared().dropDatabase(jdbcUrl);
    }

    @Test
    void opensThePostgresUrlFormOperatorsWrite() {
        PostgresServer server = PostgresServer.shared();
        String url = server.postgresUrl(server.databaseName(jdbcUrl));
        try (Database viaPostgresUrl = Database.open(new DatabaseSettings(url, null, 2))) {
            assertThat(viaPostgresUrl.engine()).isEqualTo("postgresql");
            assertThat(viaPostgresUrl.ping()).isTrue();
            users.insert(user("u1", "a@example.com"));
            assertThat(viaPostgresUrl.users().findById("u1")).isPresent();
        }
    }

    @Test
    void openFailsFastAndClearlyWhenNothingListens() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String url = "postgres://latchkey:s3cret-pw@127.0.0.1:" + closedPort + "/latchkey";

        long started = System.nanoTime();
        assertThatThrownBy(() -> Database.open(new DatabaseSettings(url, null, 2)))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("127.0.0.1:" + closedPort)
                .hasMessageNotContaining("s3cret-pw");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(6));
    }

    @Test
    void engineIsPostgresql() {
        assertThat(database.engine()).isEqualTo("postgresql");
    }
}
