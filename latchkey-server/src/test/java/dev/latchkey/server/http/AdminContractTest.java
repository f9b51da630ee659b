package dev.latchkey.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latchkey.server.Browser;
import dev.latchkey.server.Client;
import dev.latchkey.server.Client.Reply;
import dev.latchkey.testkit.MutableClock;
import dev.latchkey.server.TestServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The admin API over real HTTP: route guards, role change, forced logout, disable, enable,
 * delete, the last-admin guard and pagination. Runs on SQLite and PostgreSQL through the subclasses.
 */
abstract class AdminContractTest extends ContractSuite {
    static final String ADMIN_EMAIL = "root@example.com";
    static final String ADMIN_PASSWORD = "an admin password that is long enough";

    Browser admin;

    /** Stays inside one second (not at its end) so "same second" is what the tests say it is. */
    AdminContractTest() {
        super(new MutableClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).plusMillis(400)));
    }

    @Override
    Map<String, String> settings() {
        return Map.of("LATCHKEY_BOOTSTRAP_ADMIN_EMAIL", ADMIN_EMAIL, "LATCHKEY_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD);
    }

    /** Runs after {@link ContractSuite#startServer}: JUnit runs a superclass's {@code @BeforeAll} first. */
    @BeforeAll
    void loginAdmin() {
        admin = new Browser(client);
        assertThat(admin.login(ADMIN_EMAIL, ADMIN_PASSWORD).status()).isEqualTo(200);
    }

    Browser newUser() {
        Browser browser = new Browser(client);
        assertThat(browser.register(newEmail("user"), PASSWORD).status()).isEqualTo(201);
        return browser;
    }

    String idOf(Browser browser) {
        return browser.get("/api/me").json().get("id").asText();
    }

    Reply asAdmin(String method, String path, String json) {
        return call(admin.accessToken, method, path, json);
    }

    Reply call(String token, String method, String path, String json) {
        List<String> headers = new ArrayList<>();
        if (token != null) {
            headers.add("Authorization");
            headers.add("Bearer " + token);
        }
        return client.send(method, path, json == null ? null : "application/json",
                json == null ? null : json.getBytes(StandardCharsets.UTF_8), headers.toArray(String[]::new));
    }

    static String claim(String accessToken, String name) throws Exception {
        String payload = new String(Base64.getUrlDecoder().decode(accessToken.split("\\.")[1]), StandardCharsets.UTF_8);
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(payload).get(name).asText();
    }

    // ---- guards ----

    record Route(String method, String path, String body, int success) {}

    List<Route> everyRoute(Function<String, String> pathFor) {
        return List.of(
                new Route("GET", "/api/admin/users", null, 200),
                new Route("PUT", pathFor.apply("/role"), Client.json("role", "user"), 200),
                new Route("POST", pathFor.apply("/logout"), null, 204),
                new Route("POST", pathFor.apply("/disable"), null, 204),
                new Route("POST", pathFor.apply("/enable"), null, 204),
                new Route("DELETE", pathFor.apply(""), null, 204));
    }

    @Test
    void everyAdminRouteAnswersAnAdminAndRefusesAUserWith403AndNoTokenWith401() {
        Browser user = newUser();
        String targetId = idOf(newUser());
        for (Route route : everyRoute(suffix -> "/api/admin/users/" + targetId + suffix)) {
            String what = route.method() + " " + route.path();

            Reply anonymous = call(null, route.method(), route.path(), route.body());
            assertThat(anonymous.status()).as(what).isEqualTo(401);
            assertThat(anonymous.code()).as(what).isEqualTo("TOKEN_MISSING");
            assertThat(anonymous.header("WWW-Authenticate")).as(what).hasValueSatisfying(h -> assertThat(h).startsWith("Bearer"));

            Reply forged = call("not.a.token", route.method(), route.path(), route.body());
            assertThat(forged.code()).as(what).isEqualTo("TOKEN_INVALID");
            assertThat(forged.header("WWW-Authenticate")).as(what).isPresent();

            Reply forbidden = call(user.accessToken, route.method(), route.path(), route.body());
            assertThat(forbidden.status()).as(what).isEqualTo(403);
            assertThat(forbidden.code()).as(what).isEqualTo("FORBIDDEN");
            assertThat(forbidden.header("X-Content-Type-Options")).hasValue("nosniff");

            Reply allowed = asAdmin(route.method(), route.path(), route.body());
            assertThat(allowed.status()).as(what + " " + allowed.body()).isEqualTo(route.success());
        }
        // the target is gone now: every route on it is 404 for an admin
        for (Route route : everyRoute(suffix -> "/api/admin/users/" + targetId + suffix).subList(1, 6)) {
            Reply missing = asAdmin(route.method(), route.path(), route.body());
            assertThat(missing.status()).as(route.method() + " " + route.path()).isEqualTo(404);
            assertThat(missing.code()).isEqualTo("NOT_FOUND");
        }
    }

    @Test
    void theUserViewIsTheContractsShape() {
        Browser user = newUser();
        String id = idOf(user);
        Reply reply = asAdmin("PUT", "/api/admin/users/" + id + "/role", Client.json("role", "user"));

        JsonNode view = reply.json();
        assertThat(view.get("id").asText()).isEqualTo(id);
        assertThat(view.get("email").asText()).endsWith("@example.com");
        assertThat(view.get("role").asText()).isEqualTo("user");
        assertThat(Instant.parse(view.get("createdAt").asText())).isNotNull();
        assertThat(view.has("passwordHash")).isFalse();
        assertThat(user.get("/api/me").status()).as("same role: nothing revoked").isEqualTo(200);
    }

    // ---- role change ----

    @Test
    void aRoleChangeRevokesTheTokensKeepsTheSessionAndTheNextRefreshCarriesTheNewRoleAtOnce() throws Exception {
        Browser user = newUser();
        String id = idOf(user);
        String oldToken = user.accessToken;
        assertThat(claim(oldToken, "role")).isEqualTo("user");

        Reply changed = asAdmin("PUT", "/api/admin/users/" + id + "/role", Client.json("role", "admin"));
        assertThat(changed.status()).isEqualTo(200);
        assertThat(changed.json().get("role").asText()).isEqualTo("admin");

        Reply revoked = user.get("/api/me");
        assertThat(revoked.status()).isEqualTo(401);
        assertThat(revoked.code()).isEqualTo("TOKEN_REVOKED");
        assertThat(revoked.header("WWW-Authenticate")).isPresent();

        // The clock has not moved: the refresh happens in the very second of the change.
        Reply refreshed = user.refresh();
        assertThat(refreshed.status()).isEqualTo(200);
        assertThat(claim(user.accessToken, "role")).isEqualTo("admin");
        assertThat(Long.parseLong(claim(user.accessToken, "iat"))).isLessThanOrEqualTo(clock.instant().getEpochSecond() + 2);
        assertThat(user.get("/api/me").status()).isEqualTo(200);
        assertThat(user.get("/api/me").json().get("role").asText()).isEqualTo("admin");
        assertThat(user.get("/api/admin/users?limit=1").status()).isEqualTo(200);
        assertThat(call(oldToken, "GET", "/api/me", null).code()).isEqualTo("TOKEN_REVOKED");

        // back to user, again within the same second: the admin token just issued is revoked too
        assertThat(asAdmin("PUT", "/api/admin/users/" + id + "/role", Client.json("role", "user")).status()).isEqualTo(200);
        assertThat(user.get("/api/admin/users").code()).isEqualTo("TOKEN_REVOKED");
        assertThat(user.refresh().status()).isEqualTo(200);
        assertThat(claim(user.accessToken, "role")).isEqualTo("user");
        assertThat(user.get("/api/me").status()).isEqualTo(200);
        assertThat(user.get("/api/admin/users").code()).isEqualTo("FORBIDDEN");
    }

    @Test
    void aRoleChangeRefusesAnUnknownRoleAndAnUnknownUser() {
        String id = idOf(newUser());
        Reply unknownRole = asAdmin("PUT", "/api/admin/users/" + id + "/role", Client.json("role", "root"));
        assertThat(unknownRole.status()).isEqualTo(400);
        assertThat(unknownRole.code()).isEqualTo("VALIDATION_FAILED");
        assertThat(unknownRole.json().get("fields").has("role")).isTrue();

        Reply missingRole = asAdmin("PUT", "/api/admin/users/" + id + "/role", "{}");
        assertThat(missingRole.code()).isEqualTo("VALIDATION_FAILED");
        Reply notJson = asAdmin("PUT", "/api/admin/users/" + id + "/role", "role=admin");
        assertThat(notJson.status()).isEqualTo(400);

        Reply unknownUser = asAdmin("PUT", "/api/admin/users/nobody/role", Client.json("role", "admin"));
        assertThat(unknownUser.status()).isEqualTo(404);
        assertThat(unknownUser.code()).isEqualTo("NOT_FOUND");
    }

    // ---- forced logout, disable, delete ----

    @Test
    void aForcedLogoutEndsEverySessionAndTokenOfThatUserOnly() {
        Browser user = newUser();
        Browser otherDevice = new Browser(client);
        String email = user.get("/api/me").json().get("email").asText();
        otherDevice.login(email, PASSWORD);
        Browser bystander = newUser();

        assertThat(asAdmin("POST", "/api/admin/users/" + idOf(user) + "/logout", null).status()).isEqualTo(204);

        assertThat(user.get("/api/me").code()).isEqualTo("TOKEN_REVOKED");
        assertThat(otherDevice.get("/api/me").code()).isEqualTo("TOKEN_REVOKED");
        assertThat(user.refresh().status()).isEqualTo(401);
        assertThat(otherDevice.refresh().status()).isEqualTo(401);
        assertThat(bystander.get("/api/me").status()).isEqualTo(200);
        // logging in again works
        assertThat(new Browser(client).login(email, PASSWORD).status()).isEqualTo(200);
        assertThat(asAdmin("POST", "/api/admin/users/nobody/logout", null).status()).isEqualTo(404);
    }

    @Test
    void aDisabledUserCanNeitherLogInNorRefreshUntilEnabled() {
        Browser user = newUser();
        String id = idOf(user);
        String email = user.get("/api/me").json().get("email").asText();

        assertThat(asAdmin("POST", "/api/admin/users/" + id + "/disable", null).status()).isEqualTo(204);

        assertThat(user.get("/api/me").code()).isEqualTo("TOKEN_REVOKED");
        Reply refresh = user.refresh();
        assertThat(refresh.status()).isEqualTo(401);
        Reply login = new Browser(client).login(email, PASSWORD);
        assertThat(login.status()).isEqualTo(401);
        assertThat(login.code()).isEqualTo("INVALID_CREDENTIALS");
        JsonNode listed = asAdmin("GET", "/api/admin/users?email=" + email, null).json().get("users").get(0);
        assertThat(listed.get("disabledAt").isNull()).isFalse();
        // disabling twice is harmless
        assertThat(asAdmin("POST", "/api/admin/users/" + id + "/disable", null).status()).isEqualTo(204);

        assertThat(asAdmin("POST", "/api/admin/users/" + id + "/enable", null).status()).isEqualTo(204);
        Browser again = new Browser(client);
        assertThat(again.login(email, PASSWORD).status()).isEqualTo(200);
        assertThat(again.refresh().status()).isEqualTo(200);
        assertThat(asAdmin("POST", "/api/admin/users/nobody/disable", null).status()).isEqualTo(404);
        assertThat(asAdmin("POST", "/api/admin/users/nobody/enable", null).status()).isEqualTo(404);
    }

    @Test
    void deleteRemovesTheUserTheirSessionsAndTokens() {
        Browser user = newUser();
        String id = idOf(user);
        String email = user.get("/api/me").json().get("email").asText();

        assertThat(asAdmin("DELETE", "/api/admin/users/" + id, null).status()).isEqualTo(204);

        assertThat(user.get("/api/me").code()).isEqualTo("TOKEN_REVOKED");
        assertThat(user.get("/auth/sessions").code()).isEqualTo("TOKEN_REVOKED");
        assertThat(user.refresh().status()).isEqualTo(401);
        assertThat(new Browser(client).login(email, PASSWORD).code()).isEqualTo("INVALID_CREDENTIALS");
        assertThat(asAdmin("GET", "/api/admin/users?email=" + email, null).json().get("users")).isEmpty();
        assertThat(asAdmin("DELETE", "/api/admin/users/" + id, null).status()).isEqualTo(404);
        // the email can be registered again, as a new account
        Browser reborn = new Browser(client);
        assertThat(reborn.register(email, PASSWORD).status()).isEqualTo(201);
        assertThat(idOf(reborn)).isNotEqualTo(id);
    }

    // ---- the last admin ----

    @Test
    void theLastEnabledAdminCannotDemoteDisableOrDeleteThemselves() throws Exception {
        try (TestServer fresh = TestServer.start(engine(), clock, Map.of("LATCHKEY_BOOTSTRAP_ADMIN_EMAIL", ADMIN_EMAIL,
                "LATCHKEY_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD))) {
            Client freshClient = new Client(fresh.baseUrl());
            Browser root = new Browser(freshClient);
            root.login(ADMIN_EMAIL, ADMIN_PASSWORD);
            String rootId = root.get("/api/me").json().get("id").asText();
            String auth = "Bearer " + root.accessToken;

            for (Reply refused : List.of(
                    freshClient.send("PUT", "/api/admin/users/" + rootId + "/role", "application/json",
                            Client.json("role", "user").getBytes(StandardCharsets.UTF_8), "Authorization", auth),
                    freshClient.post("/api/admin/users/" + rootId + "/disable", "Authorization", auth),
                    freshClient.delete("/api/admin/users/" + rootId, "Authorization", auth))) {
                assertThat(refused.status()).isEqualTo(409);
                assertThat(refused.code()).isEqualTo("LAST_ADMIN");
                assertThat(refused.json().get("error").asText()).isNotBlank();
            }
            assertThat(root.get("/api/admin/users").status()).as("nothing changed, nothing revoked").isEqualTo(200);

            Browser second = new Browser(freshClient);
            second.register("second@example.com", PASSWORD);
            String secondId = second.get("/api/me").json().get("id").asText();
            assertThat(freshClient.send("PUT", "/api/admin/users/" + secondId + "/role", "application/json",
                    Client.json("role", "admin").getBytes(StandardCharsets.UTF_8), "Authorization", auth).status()).isEqualTo(200);
            // with another admin, stepping down is allowed
            Reply stepDown = freshClient.send("PUT", "/api/admin/users/" + rootId + "/role", "application/json",
                    Client.json("role", "user").getBytes(StandardCharsets.UTF_8), "Authorization", auth);
            assertThat(stepDown.status()).isEqualTo(200);
            assertThat(root.get("/api/admin/users").code()).isEqualTo("TOKEN_REVOKED");
            second.refresh();
            assertThat(claim(second.accessToken, "role")).isEqualTo("admin");
            Reply last = freshClient.post("/api/admin/users/" + secondId + "/disable", "Authorization", "Bearer " + second.accessToken);
            assertThat(last.code()).isEqualTo("LAST_ADMIN");
        }
    }

    // ---- listing ----

    @Test
    void theListingPagesStablyWithoutDuplicatesOrGapsAndFilters() {
        String tag = "page" + System.nanoTime() + "-";
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            Browser b = new Browser(client);
            b.register(tag + i + "@example.com", PASSWORD);
            expected.add(idOf(b));
            if (i % 2 == 0) {
                clock.advance(Duration.ofMillis(1));
            }
        }
        String promoted = expected.get(3);
        asAdmin("PUT", "/api/admin/users/" + promoted + "/role", Client.json("role", "admin"));

        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Reply page = asAdmin("GET", "/api/admin/users?limit=3&email=" + tag.toUpperCase()
                    + (cursor == null ? "" : "&cursor=" + cursor), null);
            assertThat(page.status()).isEqualTo(200);
            JsonNode body = page.json();
            body.get("users").forEach(u -> seen.add(u.get("id").asText()));
            cursor = body.get("nextCursor").isNull() ? null : body.get("nextCursor").asText();
            pages++;
        } while (cursor != null && pages < 10);
        assertThat(pages).isEqualTo(3);
        // users created in the same millisecond are ordered by id: compare with one big page
        List<String> onePage = new ArrayList<>();
        asAdmin("GET", "/api/admin/users?limit=200&email=" + tag, null).json().get("users")
                .forEach(u -> onePage.add(u.get("id").asText()));
        assertThat(seen).containsExactlyElementsOf(onePage).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(new HashSet<>(seen)).hasSize(7);

        JsonNode admins = asAdmin("GET", "/api/admin/users?role=admin&email=" + tag, null).json();
        assertThat(admins.get("users")).hasSize(1);
        assertThat(admins.get("users").get(0).get("id").asText()).isEqualTo(promoted);
        assertThat(admins.get("nextCursor").isNull()).isTrue();

        JsonNode all = asAdmin("GET", "/api/admin/users?limit=200", null).json();
        Set<String> allIds = new HashSet<>();
        all.get("users").forEach(u -> allIds.add(u.get("id").asText()));
        assertThat(allIds).containsAll(expected);
        JsonNode first = asAdmin("GET", "/api/admin/users", null).json();
        assertThat(first.get("users").size()).isLessThanOrEqualTo(50);
        assertThat(first.has("nextCursor")).isTrue();
    }

    @Test
    void badListingParametersAre400() {
        for (String query : List.of("limit=0", "limit=201", "limit=abc", "cursor=!!!", "cursor=bm90LWEtY3Vyc29y",
                "role=root")) {
            Reply reply = asAdmin("GET", "/api/admin/users?" + query, null);
            assertThat(reply.status()).as(query).isEqualTo(400);
            assertThat(reply.code()).as(query).isEqualTo("VALIDATION_FAILED");
            assertThat(reply.json().get("fields").size()).as(query).isEqualTo(1);
        }
        assertThat(asAdmin("GET", "/api/admin/users?limit=200", null).status()).isEqualTo(200);
        // blank is absent, as for the audit trail's listing: the default page from the start
        assertThat(asAdmin("GET", "/api/admin/users?limit=%20&cursor=", null).status()).isEqualTo(200);
    }
}
