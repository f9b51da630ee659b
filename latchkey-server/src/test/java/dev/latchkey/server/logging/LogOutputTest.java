package dev.latchkey.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.latchkey.server.Browser;
import dev.latchkey.server.Client;
import dev.latchkey.server.ProcessServer;
import dev.latchkey.server.TestServer;
import dev.latchkey.testkit.LatchkeyProcess;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The logs of a real server process configured by the production logback.xml: JSON lines (or
 * text) as chosen by {@code LATCHKEY_LOG_FORMAT}, one access line per request with its request
 * id, and no secret anywhere after a full register, login, refresh, logout flow.
 */
class LogOutputTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> PRODUCTION_LOGGING = List.of("-Dlogback.configurationFile=logback.xml");
    private static final String PASSWORD = "correct horse battery staple";

    @Test
    void jsonLinesWithRequestIdsAndNoSecretsThroughAFullFlow() throws IOException {
        List<String> secrets = new ArrayList<>();
        String log;
        try (LatchkeyProcess server = ProcessServer.start(null, TestServer.tempDirectory(),
                Map.of("LATCHKEY_LOG_FORMAT", "json"), PRODUCTION_LOGGING)) {
            Client client = new Client(server.baseUrl());
            Browser browser = new Browser(client);
            String password = PASSWORD + " logged-nowhere";
            secrets.add(password);
            assertThat(browser.register("logs@example.com", password).status()).isEqualTo(201);
            collect(browser, secrets);
            assertThat(browser.login("logs@example.com", password).status()).isEqualTo(200);
            collect(browser, secrets);
            assertThat(new Browser(client).login("logs@example.com", "a wrong password, never logged").status()).isEqualTo(401);
            secrets.add("a wrong password, never logged");
            assertThat(browser.refresh().status()).isEqualTo(200);
            collect(browser, secrets);
            assertThat(client.get("/api/me?access_token=" + browser.accessToken, "Authorization", "Bearer " + browser.accessToken,
                    "X-Request-Id", "flow-me-1").status()).isEqualTo(200);
            assertThat(browser.logout().status()).isEqualTo(204);
            log = server.logText();
        }

        List<JsonNode> lines = new ArrayList<>();
        for (String line : log.lines().toList()) {
            if (line.isBlank() || line.startsWith("WARNING: ")) {
                continue; // the JVM's own warnings
            }
            JsonNode node = JSON.readTree(line);
            assertThat(node.isObject()).as(line).isTrue();
            assertThat(node.has("level") && node.has("logger") && node.has("message") && node.has("timestamp")).as(line).isTrue();
            lines.add(node);
        }
        List<JsonNode> access = lines.stream().filter(n -> n.get("logger").asText().equals("latchkey.access")).toList();
        assertThat(access).as("one access line per request").hasSizeGreaterThanOrEqualTo(7);
        for (JsonNode line : access) {
            assertThat(line.get("level").asText()).isEqualTo("INFO");
            assertThat(RequestIds.isSane(line.path("request_id").asText())).as(line.toString()).isTrue();
            assertThat(line.has("method") && line.has("route") && line.has("path") && line.has("status")
                    && line.has("duration_ms") && line.has("client_ip") && line.has("user_agent")).as(line.toString()).isTrue();
        }
        JsonNode me = access.stream().filter(n -> n.get("request_id").asText().equals("flow-me-1")).findFirst().orElseThrow();
        assertThat(me.get("route").asText()).isEqualTo("/api/me");
        assertThat(me.get("path").asText()).as("no query string").isEqualTo("/api/me");
        assertThat(me.get("status").asInt()).isEqualTo(200);
        assertThat(access).anySatisfy(n -> assertThat(n.get("route").asText()).isEqualTo("/auth/refresh"));

        assertThat(secrets).hasSizeGreaterThanOrEqualTo(8).allSatisfy(secret -> assertThat(secret).isNotBlank());
        for (String secret : secrets) {
            assertThat(log).as("the log never contains a password or token").doesNotContain(secret);
        }
        assertThat(log).doesNotContainIgnoringCase("authorization").doesNotContainIgnoringCase("set-cookie")
                .doesNotContain("refresh_token=").doesNotContain("Bearer ");
    }

    @Test
    void textWhenAskedFor() {
        String log;
        try (LatchkeyProcess server = ProcessServer.start(null, TestServer.tempDirectory(),
                Map.of("LATCHKEY_LOG_FORMAT", "text"), PRODUCTION_LOGGING)) {
            assertThat(new Client(server.baseUrl()).get("/healthz", "X-Request-Id", "text-1").status()).isEqualTo(200);
            log = server.logText();
        }

        assertThat(log.lines().filter(line -> !line.startsWith("WARNING: ") && !line.isBlank()))
                .isNotEmpty()
                .allSatisfy(line -> assertThat(line).doesNotStartWith("{").matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} [A-Z]+ +.*"));
        assertThat(log).contains("latchkey.access - GET /healthz 200 ").contains("[text-1]");
    }

    @Test
    void autoIsJsonWithoutATerminal() {
        String log;
        try (LatchkeyProcess server = ProcessServer.start(null, TestServer.tempDirectory(), Map.of(), PRODUCTION_LOGGING)) {
            log = server.logText();
        }

        assertThat(log.lines().filter(line -> !line.startsWith("WARNING: ") && !line.isBlank()))
                .isNotEmpty().allSatisfy(line -> assertThat(line).startsWith("{\"timestamp\":"));
    }

    private static void collect(Browser browser, List<String> secrets) {
        secrets.add(browser.accessToken);
        secrets.add(browser.refreshToken);
        secrets.add(browser.csrfToken);
    }
}
