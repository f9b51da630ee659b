package dev.latchkey.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.server.Browser;
import dev.latchkey.server.Client;
import dev.latchkey.server.Client.Reply;
import dev.latchkey.testkit.MutableClock;
import dev.latchkey.server.TestServer;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** CORS with credentials for the allowed origins only; the CSRF origin check is unchanged. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CorsTest {
    static final String APP = "https://app.example.com";
    static final String EVIL = "https://evil.example.net";

    TestServer server;
    Client client;

    @BeforeAll
    void start() {
        server = TestServer.start(TestServer.Engine.SQLITE, new MutableClock(), Map.of(
                "LATCHKEY_ALLOWED_ORIGINS", APP + ", " + Browser.ORIGIN));
        client = new Client(server.baseUrl());
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Test
    void anAllowedOriginIsEchoedWithCredentialsNeverAStar() {
        Reply reply = client.get("/.well-known/jwks.json", "Origin", APP);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("Access-Control-Allow-Origin")).hasValue(APP);
        assertThat(reply.header("Access-Control-Allow-Credentials")).hasValue("true");
        assertThat(reply.headers().allValues("Vary")).anyMatch(v -> v.contains("Origin"));
        assertThat(reply.header("Access-Control-Expose-Headers").orElseThrow()).contains("Retry-After");
    }

    @Test
    void errorsToAnAllowedOriginCarryTheHeadersTooSoThePageCanReadThem() {
        Reply reply = client.get("/api/me", "Origin", APP);
        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.header("Access-Control-Allow-Origin")).hasValue(APP);
    }

    @Test
    void aDisallowedOriginGetsNoCorsHeaders() {
        for (String origin : new String[] {EVIL, "null", "https://app.example.com.evil.net", "http://app.example.com"}) {
            Reply reply = client.get("/.well-known/jwks.json", "Origin", origin);
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.header("Access-Control-Allow-Origin")).as(origin).isEmpty();
            assertThat(reply.header("Access-Control-Allow-Credentials")).as(origin).isEmpty();
        }
        assertThat(client.get("/.well-known/jwks.json").header("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void aPreflightFromAnAllowedOriginIsAnswered() {
        Reply reply = client.send("OPTIONS", "/auth/refresh", null, null, "Origin", APP,
                "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type, x-csrf-token");

        assertThat(reply.status()).isEqualTo(204);
        assertThat(reply.header("Access-Control-Allow-Origin")).hasValue(APP);
        assertThat(reply.header("Access-Control-Allow-Credentials")).hasValue("true");
        assertThat(reply.header("Access-Control-Allow-Methods").orElseThrow()).contains("POST", "GET", "PUT", "DELETE");
        assertThat(reply.header("Access-Control-Allow-Headers").orElseThrow())
                .contains("Authorization", "Content-Type", "X-CSRF-Token");
        assertThat(reply.header("Access-Control-Max-Age")).hasValue("600");
        assertThat(reply.setCookies()).isEmpty();
    }

    @Test
    void aPreflightFromAnotherOriginGetsNoCorsHeaders() {
        Reply reply = client.send("OPTIONS", "/auth/login", null, null, "Origin", EVIL,
                "Access-Control-Request-Method", "POST");

        assertThat(reply.header("Access-Control-Allow-Origin")).isEmpty();
        assertThat(reply.header("Access-Control-Allow-Methods")).isEmpty();
        assertThat(reply.header("Access-Control-Allow-Credentials")).isEmpty();
    }

    @Test
    void theCsrfOriginCheckStillRefusesForeignOriginsOnTheCookieRoutes() {
        Browser browser = new Browser(client);
        assertThat(browser.register("cors-" + System.nanoTime() + "@example.com", "correct horse battery staple").status())
                .isEqualTo(201);
        Reply refresh = client.post("/auth/refresh", "Origin", EVIL, "Cookie", browser.cookieHeader(),
                "X-CSRF-Token", browser.csrfToken);
        assertThat(refresh.status()).isEqualTo(403);
        assertThat(refresh.code()).isEqualTo("CSRF_FAILED");
        assertThat(refresh.setCookies()).isEmpty();
        assertThat(refresh.header("Access-Control-Allow-Origin")).isEmpty();

        Reply fromApp = client.post("/auth/refresh", "Origin", APP, "Cookie", browser.cookieHeader(),
                "X-CSRF-Token", browser.csrfToken);
        assertThat(fromApp.status()).isEqualTo(200);
        assertThat(fromApp.header("Access-Control-Allow-Origin")).hasValue(APP);
    }

    @Test
    void unknownRoutesStillAnswer404WithCors() {
        assertThat(client.get("/nowhere", "Origin", APP).status()).isEqualTo(404);
    }
}
