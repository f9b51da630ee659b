package dev.latchkey.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.server.Browser;
import dev.latchkey.server.Client;
import dev.latchkey.server.Client.Reply;
import dev.latchkey.testkit.MutableClock;
import dev.latchkey.server.TestServer;
import dev.latchkey.testkit.PostgresServer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The database going away: readiness says so, requests that need it answer 503, never a stack trace. */
class DatabaseOutageTest {

    @Test
    void readinessAndRequestsReportAnUnreachableDatabase() {
        String url = TestServer.freshDatabase(TestServer.Engine.POSTGRES);
        try (TestServer server = TestServer.start(url, TestServer.tempDirectory(), new MutableClock(), Map.of())) {
            Client client = new Client(server.baseUrl());
            Browser browser = new Browser(client);
            assertThat(browser.register("outage-" + System.nanoTime() + "@example.com", "correct horse battery staple").status())
                    .isEqualTo(201);
            assertThat(client.get("/readyz").status()).isEqualTo(200);

            PostgresServer.shared().dropDatabase(url);

            Reply ready = client.get("/readyz");
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.json().get("database").asText()).isEqualTo("down");
            assertThat(client.get("/healthz").status()).isEqualTo(200);

            Reply login = browser.login("someone@example.com", "correct horse battery staple");
            assertThat(login.status()).isEqualTo(503);
            assertThat(login.code()).isEqualTo("SERVICE_UNAVAILABLE");
            assertThat(login.header("Retry-After")).isPresent();
            assertThat(login.body()).doesNotContain("SQL").doesNotContain("Exception").doesNotContain("postgres");

            Reply refresh = browser.refresh();
            assertThat(refresh.status()).isEqualTo(503);
            assertThat(refresh.setCookies()).isEmpty();
        }
    }
}
