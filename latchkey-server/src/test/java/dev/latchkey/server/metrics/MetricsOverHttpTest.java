package dev.latchkey.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.server.Browser;
import dev.latchkey.server.Client;
import dev.latchkey.server.Client.Reply;
import dev.latchkey.testkit.MutableClock;
import dev.latchkey.server.TestServer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code /metrics} after real traffic: the series operators alert on are there, with bounded labels. */
class MetricsOverHttpTest {
    static final String PASSWORD = "correct horse battery staple";

    @Test
    void exposesRequestsLoginsRefreshesSessionsPoolAndJvmSeries() {
        MutableClock clock = new MutableClock();
        try (TestServer server = TestServer.start(TestServer.Engine.SQLITE, clock, Map.of())) {
            Client client = new Client(server.baseUrl());
            Browser browser = new Browser(client);
            assertThat(browser.register("metrics@example.com", PASSWORD).status()).isEqualTo(201);
            assertThat(new Browser(client).login("metrics@example.com", "not the password at all").status()).isEqualTo(401);
            assertThat(browser.login("metrics@example.com", PASSWORD).status()).isEqualTo(200);

            String first = browser.refreshToken;
            assertThat(browser.refresh().status()).as("rotated").isEqualTo(200);
            assertThat(browser.refreshWith(first).status()).as("replayed in grace").isEqualTo(200);
            assertThat(browser.refresh().status()).as("rotated again").isEqualTo(200);
            clock.advance(Duration.ofMinutes(1));
            assertThat(browser.refreshWith(first).code()).as("reused").isEqualTo("REFRESH_TOKEN_REUSED");
            assertThat(client.post("/auth/refresh", "Origin", Browser.ORIGIN).code()).isEqualTo("REFRESH_TOKEN_MISSING");

            Browser other = new Browser(client);
            assertThat(other.login("metrics@example.com", PASSWORD).status()).isEqualTo(200);
            assertThat(client.post("/auth/refresh", "Origin", Browser.ORIGIN, "Cookie", other.cookieHeader(),
                    "X-CSRF-Token", "wrong").code()).isEqualTo("CSRF_FAILED");
            assertThat(other.get("/auth/sessions").status()).isEqualTo(200);
            assertThat(client.delete("/auth/sessions/no-such-session-1234", "Authorization", "Bearer " + other.accessToken)
                    .status()).isEqualTo(404);
            assertThat(client.get("/no/such/thing/" + System.nanoTime()).status()).isEqualTo(404);

            Reply scrape = client.get("/metrics");
            assertThat(scrape.status()).isEqualTo(200);
            assertThat(scrape.header("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
            Map<String, Double> series = parse(scrape.body());

            assertThat(series).containsEntry("http_server_requests_seconds_count{method=\"POST\",route=\"/auth/login\",status=\"200\"}", 2.0)
                    .containsEntry("http_server_requests_seconds_count{method=\"POST\",route=\"/auth/login\",status=\"401\"}", 1.0)
                    .containsKey("http_server_requests_seconds_bucket{method=\"POST\",route=\"/auth/login\",status=\"200\",le=\"0.1\"}")
                    .containsKey("http_server_requests_seconds_sum{method=\"POST\",route=\"/auth/login\",status=\"200\"}")
                    .containsEntry("http_server_requests_seconds_count{method=\"DELETE\",route=\"/auth/sessions/{id}\",status=\"404\"}", 1.0)
                    .containsEntry("http_server_requests_seconds_count{method=\"GET\",route=\"unmatched\",status=\"404\"}", 1.0);
            assertThat(series.keySet()).as("never a raw path as a label")
                    .noneMatch(name -> name.contains("no-such-session") || name.contains("/no/such/thing"));

            assertThat(series).containsEntry("latchkey_logins_total{outcome=\"success\"}", 2.0)
                    .containsEntry("latchkey_logins_total{outcome=\"invalid_credentials\"}", 1.0)
                    .containsEntry("latchkey_refreshes_total{outcome=\"rotated\"}", 2.0)
                    .containsEntry("latchkey_refreshes_total{outcome=\"replayed_in_grace\"}", 1.0)
                    .containsEntry("latchkey_refreshes_total{outcome=\"reused\"}", 1.0)
                    .containsEntry("latchkey_refreshes_total{outcome=\"missing\"}", 1.0)
                    .containsEntry("latchkey_refreshes_total{outcome=\"csrf_failed\"}", 1.0)
                    .containsEntry("latchkey_refreshes_total{outcome=\"invalid\"}", 0.0)
                    .containsEntry("latchkey_refreshes_total{outcome=\"expired\"}", 0.0)
                    .containsKey("latchkey_sessions_active")
                    .containsEntry("latchkey_refresh_queue", 0.0);

            assertThat(series.keySet()).as("pool and JVM series").anyMatch(name -> name.startsWith("hikaricp_connections_active{pool=\"latchkey-sqlite\""))
                    .anyMatch(name -> name.startsWith("hikaricp_connections_max{"))
                    .anyMatch(name -> name.startsWith("jvm_memory_used_bytes{"))
                    .anyMatch(name -> name.startsWith("jvm_gc_"))
                    .anyMatch(name -> name.startsWith("jvm_threads_live_threads"))
                    .anyMatch(name -> name.startsWith("jvm_classes_loaded_classes"))
                    .anyMatch(name -> name.startsWith("system_cpu_count"))
                    .anyMatch(name -> name.startsWith("process_uptime_seconds"));
        }
    }

    @Test
    void theLiveSessionsGaugeCountsTheDatabase() {
        MutableClock clock = new MutableClock();
        try (TestServer server = TestServer.start(TestServer.Engine.SQLITE, clock, Map.of())) {
            Browser browser = new Browser(new Client(server.baseUrl()));
            assertThat(browser.register("gauge@example.com", PASSWORD).status()).isEqualTo(201);
            assertThat(browser.login("gauge@example.com", PASSWORD).status()).isEqualTo(200);

            ActiveSessionsGauge gauge = new ActiveSessionsGauge(
                    () -> server.server().database().sessions().countLive(clock.instant()), Duration.ofSeconds(30));
            gauge.refresh();
            assertThat(gauge.value()).isEqualTo(2.0);
        }
    }

    @Test
    void openMetricsOnRequest() {
        try (TestServer server = TestServer.start(TestServer.Engine.SQLITE, new MutableClock(), Map.of())) {
            Reply scrape = new Client(server.baseUrl()).get("/metrics", "Accept", "application/openmetrics-text; version=1.0.0");

            assertThat(scrape.status()).isEqualTo(200);
            assertThat(scrape.header("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/openmetrics-text"));
            assertThat(scrape.body()).contains("latchkey_logins_total").endsWith("# EOF\n");
        }
    }

    @Test
    void turnedOffThereIsNoMetricsRoute() {
        try (TestServer server = TestServer.start(TestServer.Engine.SQLITE, new MutableClock(),
                Map.of("LATCHKEY_METRICS_ENABLED", "false"))) {
            Reply reply = new Client(server.baseUrl()).get("/metrics");

            assertThat(reply.status()).isEqualTo(404);
            assertThat(server.server().metrics()).isNull();
        }
    }

    /** Sample lines of the Prometheus text format: {@code name{labels} value}. */
    static Map<String, Double> parse(String text) {
        Map<String, Double> series = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return series;
    }
}
