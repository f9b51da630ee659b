package dev.latchkey.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latchkey.server.Browser;
import dev.latchkey.server.Client;
import dev.latchkey.server.Client.Reply;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every line of the contract's refresh semantics, the CSRF rules of the cookie routes, and the
 * session endpoints, over real HTTP on a real database. The clock is moved by hand (only ever
 * forward) instead of sleeping; sessions here live 1 h idle and 3 h at most.
 */
abstract class SessionsContractTest extends ContractSuite {
    @Override
    Map<String, String> settings() {
        return Map.of("LATCHKEY_REFRESH_TOKEN_TTL", "1h", "LATCHKEY_SESSION_MAX_AGE", "3h");
    }

    Browser loggedIn() {
        Browser browser = new Browser(client);
        String email = newEmail("s");
        assertThat(browser.register(email, PASSWORD).status()).isEqualTo(201);
        return browser;
    }

    Browser secondLogin(Browser first) {
        String email = first.get("/api/me").json().get("email").asText();
        Browser other = new Browser(client);
        assertThat(other.login(email, PASSWORD).status()).isEqualTo(200);
        return other;
    }

    static void assertClearsCookies(Reply reply) {
        assertThat(reply.setCookie("refresh_token").orElseThrow()).startsWith("refresh_token=;").contains("Max-Age=0")
                .contains("Path=/auth");
        assertThat(reply.setCookie("csrf_token").orElseThrow()).startsWith("csrf_token=;").contains("Max-Age=0");
    }

    // --- Refresh semantics ---------------------------------------------------------------

    @Test
    void theCurrentTokenRotates() {
        Browser browser = loggedIn();
        String first = browser.refreshToken;
        String csrf = browser.csrfToken;
        Reply reply = browser.refresh();

        assertThat(reply.status()).isEqualTo(200);
        JsonNode body = reply.json();
        assertThat(body.get("tokenType").asText()).isEqualTo("Bearer");
        assertThat(body.get("accessToken").asText()).isNotBlank();
        assertThat(body.get("csrfToken").asText()).isEqualTo(csrf);
        assertThat(body.has("user")).isFalse();
        assertThat(browser.refreshToken).isNotEqualTo(first).hasSize(43);
        assertThat(reply.setCookie("refresh_token").orElseThrow()).contains("Max-Age=3600; Path=/auth; HttpOnly; Secure; SameSite=Strict");
        assertThat(reply.header("Cache-Control")).hasValue("no-store");
        assertThat(browser.get("/api/me").status()).isEqualTo(200);
    }

    @Test
    void thePredecessorInsideTheGraceWindowGetsTheSameSuccessor() {
        Browser browser = loggedIn();
        String first = browser.refreshToken;
        Reply rotated = browser.refresh();
        String successor = browser.refreshToken;

        clock.advance(Duration.ofSeconds(5));
        Reply replay = browser.refreshWith(first);
        assertThat(replay.status()).isEqualTo(200);
        assertThat(replay.cookieValue("refresh_token")).hasValue(successor);
        assertThat(replay.json().get("accessToken").asText()).isNotEqualTo(rotated.json().get("accessToken").asText());

        // Nothing was revoked and no second successor exists: the one successor still rotates.
        Reply next = browser.refresh();
        assertThat(next.status()).isEqualTo(200);
        assertThat(browser.refreshToken).isNotEqualTo(successor);
    }

    @Test
    void thePredecessorAfterTheGraceWindowRevokesTheFamily() {
        Browser browser = loggedIn();
        Browser otherSession = secondLogin(browser);
        String first = browser.refreshToken;
        browser.refresh();
        String accessToken = browser.accessToken;

        clock.advance(Duration.ofSeconds(11));
        Reply reused = browser.refreshWith(first);
        assertThat(reused.status()).isEqualTo(401);
        assertThat(reused.code()).isEqualTo("REFRESH_TOKEN_REUSED");
        assertClearsCookies(reused);

        assertThat(browser.refresh().code()).isEqualTo("REFRESH_TOKEN_INVALID");
        Reply me = client.get("/api/me", "Authorization", "Bearer " + accessToken);
        assertThat(me.status()).isEqualTo(401);
        assertThat(me.code()).isEqualTo("TOKEN_REVOKED");
        // Only that family: the user's other session lives on.
        assertThat(otherSession.refresh().status()).isEqualTo(200);
        assertThat(otherSession.get("/api/me").status()).isEqualTo(200);
    }

    @Test
    void anOlderTokenRevokesTheFamilyEvenInsideTheWindow() {
        Browser browser = loggedIn();
        String first = browser.refreshToken;
        browser.refresh();
        browser.refresh(); // first is now two generations old
        String accessToken = browser.accessToken;

        Reply reused = browser.refreshWith(first);
        assertThat(reused.status()).isEqualTo(401);
        assertThat(reused.code()).isEqualTo("REFRESH_TOKEN_REUSED");
        assertThat(browser.refresh().status()).isEqualTo(401);
        assertThat(client.get("/api/me", "Authorization", "Bearer " + accessToken).code()).isEqualTo("TOKEN_REVOKED");
    }

    @Test
    void anUnknownTokenIsInvalidAndClearsCookies() {
        Browser browser = loggedIn();
        Reply reply = browser.refreshWith("A".repeat(43));
        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.code()).isEqualTo("REFRESH_TOKEN_INVALID");
        assertClearsCookies(reply);
        // The real session was not touched.
        assertThat(browser.refresh().status()).isEqualTo(200);
    }

    @Test
    void aMissingCookieIsRefreshTokenMissing() {
        Reply reply = client.post("/auth/refresh", "Origin", Browser.ORIGIN);
        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.code()).isEqualTo("REFRESH_TOKEN_MISSING");
        assertClearsCookies(reply);
    }

    @Test
    void theIdleLifetimeEndsAnUnusedSession() {
        Browser browser = loggedIn();
        clock.advance(Duration.ofMinutes(61));
        Reply reply = browser.refresh();
        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.code()).isEqualTo("SESSION_EXPIRED");
        assertClearsCookies(reply);
    }

    @Test
    void rotationRenewsTheIdleLifetimeButNeverTheAbsoluteOne() {
        Browser browser = loggedIn();
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofMinutes(50));
            assertThat(browser.refresh().status()).as("rotation %d", i).isEqualTo(200);
        }
        // 150 minutes in: idle would allow another 60, the absolute limit (180) cuts the cookie short.
        Reply last = browser.refresh();
        assertThat(last.status()).isEqualTo(200);
        assertThat(last.setCookie("refresh_token").orElseThrow()).contains("Max-Age=1800;");
        clock.advance(Duration.ofMinutes(31));
        Reply expired = browser.refresh();
        assertThat(expired.status()).isEqualTo(401);
        assertThat(expired.code()).isEqualTo("SESSION_EXPIRED");
    }

    // --- CSRF on the cookie routes -----------------------------------------------------------

    @Test
    void aForeignOriginIsRefusedFirstAndTouchesNoCookie() {
        Browser browser = loggedIn();
        for (String origin : new String[] {"https://evil.example", "null", "http://localhost:8081"}) {
            for (String path : new String[] {"/auth/refresh", "/auth/logout"}) {
                Reply reply = client.post(path, "Origin", origin, "Cookie", browser.cookieHeader(), "X-CSRF-Token", browser.csrfToken);
                assertThat(reply.status()).as(origin + " " + path).isEqualTo(403);
                assertThat(reply.code()).isEqualTo("CSRF_FAILED");
                assertThat(reply.setCookies()).isEmpty();
            }
        }
        Reply noCookie = client.post("/auth/refresh", "Origin", "https://evil.example");
        assertThat(noCookie.status()).isEqualTo(403);
        assertThat(noCookie.setCookies()).isEmpty();
        Reply crossSite = client.post("/auth/logout", "Sec-Fetch-Site", "cross-site", "Cookie", browser.cookieHeader());
        assertThat(crossSite.status()).isEqualTo(403);
        assertThat(crossSite.setCookies()).isEmpty();
        // The session survived all of that.
        assertThat(browser.refresh().status()).isEqualTo(200);
    }

    @Test
    void aMissingOrWrongCsrfTokenIsRefusedWithoutTouchingCookies() {
        Browser browser = loggedIn();
        Browser other = loggedIn();
        for (String csrf : new String[] {null, "", "x", other.csrfToken, browser.csrfToken.substring(1) + "A"}) {
            Reply refresh = csrf == null
                    ? client.post("/auth/refresh", "Origin", Browser.ORIGIN, "Cookie", browser.cookieHeader())
                    : client.post("/auth/refresh", "Origin", Browser.ORIGIN, "Cookie", browser.cookieHeader(), "X-CSRF-Token", csrf);
            assertThat(refresh.status()).as("csrf " + csrf).isEqualTo(403);
            assertThat(refresh.code()).isEqualTo("CSRF_FAILED");
            assertThat(refresh.setCookies()).isEmpty();
            Reply logout = csrf == null
                    ? client.post("/auth/logout", "Origin", Browser.ORIGIN, "Cookie", browser.cookieHeader())
                    : client.post("/auth/logout", "Origin", Browser.ORIGIN, "Cookie", browser.cookieHeader(), "X-CSRF-Token", csrf);
            assertThat(logout.status()).isEqualTo(403);
            assertThat(logout.setCookies()).isEmpty();
        }
        assertThat(browser.refresh().status()).isEqualTo(200);
    }

    @Test
    void aRequestWithoutOriginButWithTheRightTokensIsAccepted() {
        Browser browser = loggedIn();
        Reply reply = client.post("/auth/refresh", "Cookie", browser.cookieHeader(), "X-CSRF-Token", browser.csrfToken);
        assertThat(reply.status()).isEqualTo(200);
    }

    // --- Logout, logout everywhere, sessions ---------------------------------------------------

    @Test
    void logoutRevokesTheSessionClearsCookiesAndIsIdempotent() {
        Browser browser = loggedIn();
        String accessToken = browser.accessToken;
        String cookies = browser.cookieHeader();
        String csrf = browser.csrfToken;

        Reply reply = browser.logout();
        assertThat(reply.status()).isEqualTo(204);
        assertClearsCookies(reply);
        assertThat(client.get("/api/me", "Authorization", "Bearer " + accessToken).code()).isEqualTo("TOKEN_REVOKED");
        Reply refreshAfter = client.post("/auth/refresh", "Origin", Browser.ORIGIN, "Cookie", cookies, "X-CSRF-Token", csrf);
        assertThat(refreshAfter.status()).isEqualTo(401);
        assertThat(refreshAfter.code()).isEqualTo("REFRESH_TOKEN_INVALID");

        Reply again = client.post("/auth/logout", "Origin", Browser.ORIGIN, "Cookie", cookies, "X-CSRF-Token", csrf);
        assertThat(again.status()).isEqualTo(204);
        Reply withoutCookie = client.post("/auth/logout", "Origin", Browser.ORIGIN);
        assertThat(withoutCookie.status()).isEqualTo(204);
    }

    @Test
    void logoutAllRevokesEverySessionOfTheUserOnly() {
        Browser first = loggedIn();
        Browser second = secondLogin(first);
        Browser stranger = loggedIn();

        Reply reply = client.post("/auth/logout-all", "Authorization", "Bearer " + first.accessToken);
        assertThat(reply.status()).isEqualTo(204);
        for (Browser b : new Browser[] {first, second}) {
            assertThat(b.get("/api/me").code()).isEqualTo("TOKEN_REVOKED");
            assertThat(b.refresh().status()).isEqualTo(401);
        }
        assertThat(stranger.get("/api/me").status()).isEqualTo(200);
        assertThat(stranger.refresh().status()).isEqualTo(200);
        assertThat(client.post("/auth/logout-all").code()).isEqualTo("TOKEN_MISSING");
    }

    @Test
    void aSessionOpenedOverIpv6ShowsTheAddressInItsCanonicalForm() {
        // Jetty gives the peer as [0:0:0:0:0:0:0:1]; RFC 5952 writes ::1
        Client overIpv6 = new Client("http://[::1]:" + URI.create(server.baseUrl()).getPort());
        Browser browser = new Browser(overIpv6);
        assertThat(browser.register(newEmail("v6-"), PASSWORD).status()).isEqualTo(201);

        JsonNode list = browser.get("/auth/sessions").json();

        assertThat(list).singleElement().satisfies(s -> assertThat(s.get("ip").asText()).isEqualTo("::1"));
    }

    @Test
    void sessionsListShowsDevicesAndTheCurrentOne() {
        Browser first = loggedIn();
        Browser second = secondLogin(first);
        Reply reply = first.get("/auth/sessions");
        assertThat(reply.status()).isEqualTo(200);
        JsonNode list = reply.json();
        assertThat(list).hasSize(2);
        int current = 0;
        for (JsonNode s : list) {
            assertThat(s.get("id").asText()).isNotBlank();
            assertThat(s.get("createdAt").asText()).isNotBlank();
            assertThat(s.get("lastUsedAt").asText()).isNotBlank();
            assertThat(s.get("expiresAt").asText()).isNotBlank();
            assertThat(s.get("ip").asText()).isIn("127.0.0.1", "::1");
            assertThat(s.has("userAgent")).isTrue();
            current += s.get("current").asBoolean() ? 1 : 0;
        }
        assertThat(current).isEqualTo(1);
        assertThat(second.get("/auth/sessions").json()).hasSize(2);
    }

    @Test
    void deletingASessionWorksOnlyForTheCallersOwn() {
        Browser first = loggedIn();
        Browser second = secondLogin(first);
        Browser stranger = loggedIn();
        String secondId = idOfCurrent(second);

        Reply foreign = stranger.get("/auth/sessions");
        assertThat(foreign.json()).hasSize(1);
        Reply notMine = client.delete("/auth/sessions/" + secondId, "Authorization", "Bearer " + stranger.accessToken);
        assertThat(notMine.status()).isEqualTo(404);
        assertThat(notMine.code()).isEqualTo("NOT_FOUND");
        assertThat(second.get("/api/me").status()).isEqualTo(200);

        Reply mine = client.delete("/auth/sessions/" + secondId, "Authorization", "Bearer " + first.accessToken);
        assertThat(mine.status()).isEqualTo(204);
        assertThat(second.get("/api/me").code()).isEqualTo("TOKEN_REVOKED");
        assertThat(second.refresh().status()).isEqualTo(401);
        assertThat(first.get("/auth/sessions").json()).hasSize(1);
        Reply gone = client.delete("/auth/sessions/" + secondId, "Authorization", "Bearer " + first.accessToken);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(client.delete("/auth/sessions/no-such-id", "Authorization", "Bearer " + first.accessToken).status())
                .isEqualTo(404);
    }

    @Test
    void passwordChangeRevokesEveryOtherSession() {
        Browser first = loggedIn();
        Browser second = secondLogin(first);
        String email = first.get("/api/me").json().get("email").asText();
        String newPassword = "an entirely different passphrase";

        Reply wrong = client.postJson("/auth/password", Client.json("currentPassword", "nope nope nope nope",
                "newPassword", newPassword), "Authorization", "Bearer " + first.accessToken);
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.code()).isEqualTo("INVALID_CREDENTIALS");

        Reply weak = client.postJson("/auth/password", Client.json("currentPassword", PASSWORD, "newPassword", "short"),
                "Authorization", "Bearer " + first.accessToken);
        assertThat(weak.status()).isEqualTo(400);
        assertThat(weak.json().get("fields").has("newPassword")).isTrue();

        Reply changed = client.postJson("/auth/password", Client.json("currentPassword", PASSWORD, "newPassword", newPassword),
                "Authorization", "Bearer " + first.accessToken);
        assertThat(changed.status()).isEqualTo(204);
        assertThat(first.get("/api/me").status()).isEqualTo(200);
        assertThat(first.refresh().status()).isEqualTo(200);
        assertThat(second.get("/api/me").code()).isEqualTo("TOKEN_REVOKED");
        assertThat(second.refresh().status()).isEqualTo(401);
        assertThat(new Browser(client).login(email, PASSWORD).status()).isEqualTo(401);
        assertThat(new Browser(client).login(email, newPassword).status()).isEqualTo(200);
    }

    private String idOfCurrent(Browser browser) {
        for (JsonNode s : browser.get("/auth/sessions").json()) {
            if (s.get("current").asBoolean()) {
                return s.get("id").asText();
            }
        }
        throw new AssertionError("no current session");
    }
}
