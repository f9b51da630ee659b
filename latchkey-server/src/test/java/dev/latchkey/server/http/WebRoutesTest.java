package dev.latchkey.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.server.Client;
import dev.latchkey.server.Client.Reply;
import dev.latchkey.testkit.MutableClock;
import dev.latchkey.server.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The demo page, the browser client and the OpenAPI document over HTTP, and their headers. */
class WebRoutesTest {
    /** Any use of web storage (a mention in a comment is fine). */
    private static final String STORAGE_USE = "(localStorage|sessionStorage)\\s*[.\\[]";
    private static final String API_POLICY = "default-src 'none'; frame-ancestors 'none'";

    @Test
    void theDemoPageIsServedWhenDemoIsOn() {
        try (TestServer server = TestServer.start(TestServer.Engine.SQLITE, new MutableClock(), Map.of())) {
            Client client = new Client(server.baseUrl());
            Reply page = client.get("/");
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.header("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
            assertThat(page.body()).contains("<main", "<label for=\"email\"", "aria-live=\"polite\"",
                    "<script type=\"module\" src=\"/demo.js\"></script>");
            assertThat(page.body()).doesNotContainPattern("<script(?![^>]*\\bsrc=)[^>]*>");
            assertPageHeaders(page);
            for (String asset : new String[] {"/demo.js", "/demo.css"}) {
                Reply reply = client.get(asset);
                assertThat(reply.status()).as(asset).isEqualTo(200);
                assertPageHeaders(reply);
            }
            assertThat(client.get("/demo.js").header("Content-Type")).hasValueSatisfying(
                    t -> assertThat(t).startsWith("text/javascript"));
            assertThat(client.get("/demo.css").header("Content-Type")).hasValueSatisfying(
                    t -> assertThat(t).startsWith("text/css"));
            assertThat(client.get("/demo.js").body()).doesNotContainPattern(STORAGE_USE);
        }
    }

    @Test
    void theDemoIsOffWhenConfiguredOff() {
        try (TestServer server = TestServer.start(TestServer.Engine.SQLITE, new MutableClock(), Map.of("LATCHKEY_DEMO", "false"))) {
            Client client = new Client(server.baseUrl());
            for (String path : new String[] {"/", "/demo.js", "/demo.css"}) {
                Reply reply = client.get(path);
                assertThat(reply.status()).as(path).isEqualTo(404);
                assertThat(reply.code()).isEqualTo("NOT_FOUND");
                assertThat(reply.header("Content-Security-Policy")).hasValue(API_POLICY);
            }
            assertThat(client.get("/latchkey.js").status()).isEqualTo(200);
            assertThat(client.get("/openapi.json").status()).isEqualTo(200);
        }
    }

    @Test
    void theBrowserClientIsTheOneInClientsJs() throws IOException {
        try (TestServer server = TestServer.start(TestServer.Engine.SQLITE, new MutableClock(), Map.of())) {
            Reply script = new Client(server.baseUrl()).get("/latchkey.js");
            assertThat(script.status()).isEqualTo(200);
            assertThat(script.header("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/javascript"));
            assertPageHeaders(script);
            Path published = Path.of("..", "clients", "js", "latchkey.js");
            assertThat(script.body()).isEqualTo(Files.readString(published));
            // Many times the buffer responses are copied through, and still one whole response with its length.
            assertThat(Files.size(published)).isGreaterThan(4L * HttpApi.RESPONSE_COPY_BUFFER);
            assertThat(script.header("Content-Length")).hasValue(Long.toString(Files.size(published)));
            assertThat(script.body()).contains("export function createClient", "navigator.locks",
                    "new BroadcastChannel(CHANNEL_NAME)").doesNotContainPattern(STORAGE_USE).doesNotContain("document.cookie =");
        }
    }

    @Test
    void theApiKeepsItsStrictPolicy() {
        try (TestServer server = TestServer.start(TestServer.Engine.SQLITE, new MutableClock(), Map.of())) {
            Client client = new Client(server.baseUrl());
            assertThat(client.get("/api/me").header("Content-Security-Policy")).hasValue(API_POLICY);
            Reply openapi = client.get("/openapi.json");
            assertThat(openapi.status()).isEqualTo(200);
            assertThat(openapi.header("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
            assertThat(openapi.header("Content-Security-Policy")).hasValue(API_POLICY);
            assertThat(openapi.json().path("openapi").asText()).startsWith("3.1");
        }
    }

    /** The page policy instead of the API's, and every other security header kept. */
    private static void assertPageHeaders(Reply reply) {
        assertThat(reply.header("Content-Security-Policy")).hasValue(WebRoutes.PAGE_POLICY);
        assertThat(reply.headers().allValues("Content-Security-Policy")).hasSize(1);
        assertThat(reply.header("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(reply.header("X-Frame-Options")).hasValue("DENY");
        assertThat(reply.header("Referrer-Policy")).hasValue("no-referrer");
        assertThat(reply.header("Cache-Control")).hasValue("no-store");
        assertThat(reply.header("Strict-Transport-Security")).isPresent();
    }
}
