package dev.latchkey.server.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.server.Browser;
import dev.latchkey.server.Client;
import dev.latchkey.server.Client.Reply;
import dev.latchkey.testkit.MutableClock;
import dev.latchkey.server.TestServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A revocation survives a restart: the in-memory revocation list is rebuilt from the database
 * at start, so an access token of a revoked session is still refused with TOKEN_REVOKED by the
 * next server process, for as long as the token itself would be valid. Runs on SQLite and
 * PostgreSQL through the subclasses.
 */
abstract class RevocationAfterRestartTest {
    private static final String PASSWORD = "correct horse battery staple";

    abstract TestServer.Engine engine();

    @Test
    void aLoggedOutSessionsAccessTokenIsStillRevokedAfterARestart() {
        MutableClock clock = new MutableClock();
        String revokedToken;
        String liveToken;
        TestServer first = TestServer.start(engine(), clock, Map.of());
        try {
            String email = newEmail();
            Browser loggedOut = new Browser(new Client(first.baseUrl()));
            assertThat(loggedOut.register(email, PASSWORD).status()).isEqualTo(201);
            Browser other = new Browser(new Client(first.baseUrl()));
            assertThat(other.login(email, PASSWORD).status()).isEqualTo(200);

            assertThat(loggedOut.logout().status()).isEqualTo(204);
            assertRevoked(loggedOut.get("/api/me"));
            revokedToken = loggedOut.accessToken;
            liveToken = other.accessToken;
        } finally {
            first.close();
        }

        try (TestServer second = restart(first, clock)) {
            Client client = new Client(second.baseUrl());
            assertRevoked(client.get("/api/me", "Authorization", "Bearer " + revokedToken));
            // The same key verifies the other session's token, so the refusal above is the revocation.
            assertThat(client.get("/api/me", "Authorization", "Bearer " + liveToken).status()).isEqualTo(200);
        }
    }

    @Test
    void logoutEverywhereIsStillInForceAfterARestartLateInTheTokensLifetime() {
        MutableClock clock = new MutableClock();
        String[] tokens = new String[3];
        String otherUsersToken;
        TestServer first = TestServer.start(engine(), clock, Map.of());
        try {
            String email = newEmail();
            for (int i = 0; i < tokens.length; i++) {
                Browser browser = new Browser(new Client(first.baseUrl()));
                assertThat(i == 0 ? browser.register(email, PASSWORD).status() : browser.login(email, PASSWORD).status())
                        .isBetween(200, 201);
                tokens[i] = browser.accessToken;
            }
            Browser someoneElse = new Browser(new Client(first.baseUrl()));
            assertThat(someoneElse.register(newEmail(), PASSWORD).status()).isEqualTo(201);
            otherUsersToken = someoneElse.accessToken;

            Client client = new Client(first.baseUrl());
            assertThat(client.post("/auth/logout-all", "Authorization", "Bearer " + tokens[0]).status()).isEqualTo(204);
            for (String token : tokens) {
                assertRevoked(client.get("/api/me", "Authorization", "Bearer " + token));
            }
        } finally {
            first.close();
        }

        // Restart late in the tokens' 15-minute lifetime: the rebuild must still reach back to the logout.
        clock.advance(Duration.ofMinutes(14));
        try (TestServer second = restart(first, clock)) {
            Client client = new Client(second.baseUrl());
            for (String token : tokens) {
                assertRevoked(client.get("/api/me", "Authorization", "Bearer " + token));
            }
            assertThat(client.get("/api/me", "Authorization", "Bearer " + otherUsersToken).status()).isEqualTo(200);
        }
    }

    /** A new server on the first one's database and data directory (same signing key, same CSRF secret). */
    private static TestServer restart(TestServer previous, MutableClock clock) {
        return TestServer.start(previous.databaseUrl(), previous.dataDirectory(), clock, Map.of());
    }

    private static void assertRevoked(Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(401);
        assertThat(reply.code()).isEqualTo("TOKEN_REVOKED");
        assertThat(reply.header("WWW-Authenticate").orElseThrow()).contains("invalid_token");
    }

    private static String newEmail() {
        return "revoked-" + System.nanoTime() + "@example.com";
    }
}
