package dev.latchkey.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.latchkey.server.Browser;
import dev.latchkey.server.Client;
import dev.latchkey.server.Client.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * The contract's register, login, profile, discovery, health and error rows over real HTTP.
 * Runs unchanged on SQLite and PostgreSQL through the two subclasses.
 */
abstract class AccountsContractTest extends ContractSuite {
    static String newEmail() {
        return newEmail("user");
    }

    @Test
    void registerAnswers201WithTokenBodyAndExactCookies() {
        String email = newEmail();
        Reply reply = new Browser(client).register("  " + email.toUpperCase() + " ", PASSWORD);

        assertThat(reply.status()).isEqualTo(201);
        JsonNode body = reply.json();
        assertThat(body.get("tokenType").asText()).isEqualTo("Bearer");
        assertThat(body.get("expiresIn").asLong()).isEqualTo(900);
        assertThat(body.get("accessToken").asText()).matches("[\\w-]+\\.[\\w-]+\\.[\\w-]+");
        assertThat(body.get("csrfToken").asText()).isNotBlank();
        assertThat(body.get("user").get("email").asText()).isEqualTo(email);
        assertThat(body.get("user").get("role").asText()).isEqualTo("user");
        assertThat(body.get("user").get("id").asText()).isNotBlank();
        assertThat(body.get("user").has("passwordHash")).isFalse();

        String refresh = reply.setCookie("refresh_token").orElseThrow();
        assertThat(refresh).matches("refresh_token=[A-Za-z0-9_-]{43}; Max-Age=604800; Path=/auth; HttpOnly; Secure; SameSite=Strict");
        String csrf = reply.setCookie("csrf_token").orElseThrow();
        assertThat(csrf).isEqualTo("csrf_token=" + body.get("csrfToken").asText() + "; Max-Age=604800; Path=/; Secure; SameSite=Strict");
        assertThat(reply.header("Cache-Control")).hasValue("no-store");
    }

    @Test
    void accessTokenCarriesTheContractClaimsAndNoPersonalData() throws Exception {
        String email = newEmail();
        Reply reply = new Browser(client).register(email, PASSWORD);
        String[] parts = reply.json().get("accessToken").asText().split("\\.");
        JsonNode header = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Base64.getUrlDecoder().decode(parts[0]));
        JsonNode claims = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Base64.getUrlDecoder().decode(parts[1]));

        assertThat(header.get("alg").asText()).isEqualTo("RS256");
        assertThat(header.get("typ").asText()).isEqualTo("at+jwt");
        assertThat(header.get("kid").asText()).isNotBlank();
        assertThat(claims.get("iss").asText()).isEqualTo("http://localhost:8080");
        assertThat(claims.get("aud").asText()).isEqualTo("latchkey");
        assertThat(claims.get("sub").asText()).isEqualTo(reply.json().get("user").get("id").asText());
        assertThat(claims.get("client_id").asText()).isEqualTo("latchkey-web");
        assertThat(claims.get("role").asText()).isEqualTo("user");
        assertThat(claims.get("sid").asText()).isNotBlank();
        assertThat(claims.get("jti").asText()).isNotBlank();
        assertThat(claims.get("exp").asLong() - claims.get("iat").asLong()).isEqualTo(900);
        assertThat(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)).doesNotContain(email);
    }

    @Test
    void duplicateEmailIsRefusedCaseInsensitively() {
        String email = newEmail();
        assertThat(new Browser(client).register(email, PASSWORD).status()).isEqualTo(201);
        Reply again = new Browser(client).register(email.toUpperCase(), PASSWORD + "x");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.code()).isEqualTo("EMAIL_TAKEN");
        assertThat(again.setCookies()).isEmpty();
        // The first account is intact: its password still works.
        assertThat(new Browser(client).login(email, PASSWORD).status()).isEqualTo(200);
    }

    @Test
    void registrationValidatesEveryField() {
        Reply missing = client.postJson("/auth/register", "{}");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.code()).isEqualTo("VALIDATION_FAILED");
        assertThat(missing.json().get("fields").has("email")).isTrue();
        assertThat(missing.json().get("fields").has("password")).isTrue();

        Reply mistyped = client.postJson("/auth/register", "{\"email\": 42, \"password\": [\"x\"]}");
        assertThat(mistyped.status()).isEqualTo(400);
        assertThat(mistyped.json().get("fields").get("email").asText()).isEqualTo("must be a string");

        Reply badEmail = client.postJson("/auth/register", Client.json("email", "not-an-email", "password", PASSWORD));
        assertThat(badEmail.json().get("fields").has("email")).isTrue();

        Reply shortPassword = client.postJson("/auth/register", Client.json("email", newEmail(), "password", "fourteen chars"));
        assertThat(shortPassword.status()).isEqualTo(400);
        assertThat(shortPassword.json().get("fields").get("password").asText()).contains("at least 15");

        Reply common = client.postJson("/auth/register", Client.json("email", newEmail(), "password", "passwordpassword"));
        assertThat(common.status()).isEqualTo(400);
        assertThat(common.json().get("fields").get("password").asText()).contains("common");

        String astral = "\uD83D\uDD11".repeat(257); // 257 code points, 514 UTF-16 units
        Reply tooLong = client.postJson("/auth/register", Client.json("email", newEmail(), "password", astral));
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.json().get("fields").get("password").asText()).contains("at most 256");

        Reply longest = client.postJson("/auth/register", Client.json("email", newEmail(), "password", "\uD83D\uDD11".repeat(256)));
        assertThat(longest.status()).isEqualTo(201);
    }

    @Test
    void malformedBodiesAreRefusedWith400AndNeverA5xx() {
        for (String body : new String[] {"{", "[]", "\"text\"", "null", "{\"email\":", "\u0000", ""}) {
            Reply reply = client.postJson("/auth/login", body);
            assertThat(reply.status()).as(body).isEqualTo(400);
            assertThat(reply.code()).isEqualTo("VALIDATION_FAILED");
            assertThat(reply.body()).doesNotContain("Exception").doesNotContain("at dev.");
        }
        Reply wrongType = client.send("POST", "/auth/login", "text/plain", "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(wrongType.status()).isEqualTo(400);
        Reply noType = client.send("POST", "/auth/login", null, "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(noType.status()).isEqualTo(400);
    }

    @Test
    void bodiesOver10KiBAreRefusedWith413() {
        String big = Client.json("email", newEmail(), "password", "x".repeat(11 * 1024));
        Reply reply = client.postJsonExpectingContinue("/auth/register", big);
        assertThat(reply.status()).isEqualTo(413);
        assertThat(reply.code()).isEqualTo("PAYLOAD_TOO_LARGE");
    }

    @Test
    void unknownEmailAndWrongPasswordAreIndistinguishable() {
        String email = newEmail();
        new Browser(client).register(email, PASSWORD);
        Reply wrongPassword = new Browser(client).login(email, PASSWORD + "!");
        Reply unknownEmail = new Browser(client).login(newEmail(), PASSWORD);

        assertThat(wrongPassword.status()).isEqualTo(401);
        assertThat(unknownEmail.status()).isEqualTo(401);
        assertThat(wrongPassword.code()).isEqualTo("INVALID_CREDENTIALS");
        assertThat(wrongPassword.body()).isEqualTo(unknownEmail.body());
        assertThat(wrongPassword.setCookies()).isEmpty();
        assertThat(unknownEmail.setCookies()).isEmpty();
    }

    @Test
    void loginNormalizesTheEmailAndReturnsTheUser() {
        String email = newEmail();
        new Browser(client).register(email, PASSWORD);
        Reply reply = new Browser(client).login(" " + email.toUpperCase(), PASSWORD);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().get("user").get("email").asText()).isEqualTo(email);
        assertThat(reply.setCookie("refresh_token")).isPresent();
    }

    @Test
    void meAnswersTheProfileForAValidToken() {
        Browser browser = new Browser(client);
        String email = newEmail();
        browser.register(email, PASSWORD);
        Reply me = browser.get("/api/me");
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.json().get("email").asText()).isEqualTo(email);
        assertThat(me.json().get("role").asText()).isEqualTo("user");
        assertThat(me.json().get("id").asText()).isNotBlank();
    }

    @Test
    void protectedRoutesRefuseMissingAndBadTokensWithChallenges() {
        Reply none = client.get("/api/me");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.code()).isEqualTo("TOKEN_MISSING");
        assertThat(none.header("WWW-Authenticate").orElseThrow()).startsWith("Bearer");

        Reply basic = client.get("/api/me", "Authorization", "Basic dXNlcjpwYXNz");
        assertThat(basic.code()).isEqualTo("TOKEN_MISSING");

        Browser browser = new Browser(client);
        browser.register(newEmail(), PASSWORD);
        for (String bad : new String[] {"garbage", browser.refreshToken, "a.b.c", "x".repeat(16 * 1024)}) {
            Reply reply = client.get("/api/me", "Authorization", "Bearer " + bad);
            assertThat(reply.status()).isEqualTo(401);
            assertThat(reply.code()).isEqualTo("TOKEN_INVALID");
            assertThat(reply.header("WWW-Authenticate").orElseThrow()).contains("invalid_token");
        }
    }

    @Test
    void anExpiredTokenIsRefusedAsExpired() {
        Browser browser = new Browser(client);
        browser.register(newEmail(), PASSWORD);
        clock.advance(Duration.ofMinutes(15).plusSeconds(31));
        try {
            Reply reply = browser.get("/api/me");
            assertThat(reply.status()).isEqualTo(401);
            assertThat(reply.code()).isEqualTo("TOKEN_EXPIRED");
        } finally {
            clock.advance(Duration.ofMinutes(-15).minusSeconds(31));
        }
    }

    @Test
    void everyResponseCarriesTheSecurityHeadersAndNoServerVersion() {
        for (Reply reply : new Reply[] {client.get("/healthz"), client.get("/api/me"), client.get("/nowhere"),
                client.postJson("/auth/login", "{")}) {
            assertThat(reply.header("X-Content-Type-Options")).hasValue("nosniff");
            assertThat(reply.header("X-Frame-Options")).hasValue("DENY");
            assertThat(reply.header("Referrer-Policy")).hasValue("no-referrer");
            assertThat(reply.header("Strict-Transport-Security")).isPresent();
            assertThat(reply.header("Server")).isEmpty();
            assertThat(reply.header("X-Powered-By")).isEmpty();
        }
    }

    @Test
    void unknownRoutesAndMethodsAnswerJsonErrors() {
        Reply missing = client.get("/nowhere");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.code()).isEqualTo("NOT_FOUND");
        Reply method = client.get("/auth/login");
        assertThat(method.status()).isIn(404, 405);
        assertThat(method.code()).isIn("NOT_FOUND", "METHOD_NOT_ALLOWED");
    }

    @Test
    void anOversizedHeaderIsRefusedWithoutA5xx() {
        Reply reply = client.get("/api/me", "X-Filler", "y".repeat(40 * 1024));
        assertThat(reply.status()).isEqualTo(431);
        assertThat(reply.body()).contains("REQUEST_TOO_LARGE");
    }

    @Test
    void jwksPublishesOnlyPublicKeyMembersAndMayBeCached() {
        Reply reply = client.get("/.well-known/jwks.json");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("Cache-Control").orElseThrow()).contains("max-age=");
        JsonNode key = reply.json().get("keys").get(0);
        assertThat(key.get("kty").asText()).isEqualTo("RSA");
        assertThat(key.get("kid").asText()).isNotBlank();
        assertThat(key.get("alg").asText()).isEqualTo("RS256");
        assertThat(key.get("use").asText()).isEqualTo("sig");
        for (String secret : new String[] {"d", "p", "q", "dp", "dq", "qi"}) {
            assertThat(key.has(secret)).as(secret).isFalse();
        }
    }

    @Test
    void discoveryNamesIssuerKeysAndAlgorithms() {
        Reply reply = client.get("/.well-known/openid-configuration");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().get("issuer").asText()).isEqualTo("http://localhost:8080");
        assertThat(reply.json().get("jwks_uri").asText()).isEqualTo("http://localhost:8080/.well-known/jwks.json");
        assertThat(reply.json().get("id_token_signing_alg_values_supported").toString()).contains("RS256");
    }

    @Test
    void healthAndReadiness() {
        assertThat(client.get("/healthz").status()).isEqualTo(200);
        assertThat(client.get("/readyz").status()).isEqualTo(200);
    }
}
