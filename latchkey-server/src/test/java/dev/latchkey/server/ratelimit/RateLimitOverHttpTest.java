package dev.latchkey.server.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.server.Browser;
import dev.latchkey.server.Client;
import dev.latchkey.server.Client.Reply;
import dev.latchkey.testkit.MutableClock;
import dev.latchkey.server.TestServer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The rate limits and the login lockout over real HTTP: hit, refused with 429 and Retry-After,
 * recovered once the clock has refilled the bucket. Each test runs its own server with tight
 * limits on the one it is about (every request comes from 127.0.0.1).
 */
class RateLimitOverHttpTest {
    static final String PASSWORD = "correct horse battery staple";
    static final String WRONG = "not the right password at all";
    private static final AtomicInteger USERS = new AtomicInteger();

    final MutableClock clock = new MutableClock();
    TestServer server;
    Client client;

    void start(String... pairs) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        server = TestServer.start(TestServer.Engine.SQLITE, clock, env);
        client = new Client(server.baseUrl());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    static String newEmail() {
        return "rl" + USERS.incrementAndGet() + "-" + System.nanoTime() + "@example.com";
    }

    String registered() {
        String email = newEmail();
        assertThat(new Browser(client).register(email, PASSWORD).status()).isEqualTo(201);
        return email;
    }

    Reply login(String email, String password, String... headers) {
        return client.postJson("/auth/login", Client.json("email", email, "password", password), headers);
    }

    static void assertRateLimited(Reply reply, long retryAfterSeconds) {
        assertThat(reply.status()).isEqualTo(429);
        assertThat(reply.code()).isEqualTo("RATE_LIMITED");
        assertThat(reply.header("Retry-After")).hasValue(Long.toString(retryAfterSeconds));
        assertThat(reply.setCookies()).isEmpty();
    }

    @Test
    void loginsPerIpAreLimitedAndRecoverWhenTheBucketRefills() {
        start("LATCHKEY_RATE_LIMIT_LOGIN_PER_IP", "3/1m");
        String email = registered();

        for (int i = 0; i < 3; i++) {
            assertThat(login(email, WRONG).status()).isEqualTo(401);
        }
        Reply refused = login(email, PASSWORD);
        assertRateLimited(refused, 20); // one token every 20 s
        assertRateLimited(login(newEmail(), PASSWORD), 20); // per IP, whatever the account

        clock.advance(Duration.ofSeconds(19));
        assertRateLimited(login(email, PASSWORD), 1);
        clock.advance(Duration.ofSeconds(1));
        assertThat(login(email, PASSWORD).status()).isEqualTo(200);
        assertThat(login(email, PASSWORD).status()).isEqualTo(429);
    }

    @Test
    void malformedLoginsCountAgainstTheIpBeforeTheBodyIsRead() {
        start("LATCHKEY_RATE_LIMIT_LOGIN_PER_IP", "2/1m");
        assertThat(client.postJson("/auth/login", "{").status()).isEqualTo(400);
        assertThat(client.postJson("/auth/login", "{").status()).isEqualTo(400);
        assertThat(client.postJson("/auth/login", "{").status()).isEqualTo(429);
    }

    @Test
    void aSpoofedForwardedForDoesNotEscapeTheIpLimitWithoutTrustedProxies() {
        start("LATCHKEY_RATE_LIMIT_LOGIN_PER_IP", "2/1m");
        String email = registered();
        assertThat(login(email, WRONG, "X-Forwarded-For", "203.0.113.1").status()).isEqualTo(401);
        assertThat(login(email, WRONG, "X-Forwarded-For", "203.0.113.2").status()).isEqualTo(401);
        assertRateLimited(login(email, PASSWORD, "X-Forwarded-For", "203.0.113.3"), 30);
    }

    @Test
    void aForwardedForFromAnUntrustedPeerDoesNotEscapeTheLimitEither() {
        start("LATCHKEY_RATE_LIMIT_LOGIN_PER_IP", "2/1m", "LATCHKEY_TRUSTED_PROXIES", "10.0.0.0/8");
        String email = registered();
        assertThat(login(email, WRONG, "X-Forwarded-For", "203.0.113.1").status()).isEqualTo(401);
        assertThat(login(email, WRONG, "X-Forwarded-For", "198.51.100.7, 203.0.113.2").status()).isEqualTo(401);
        assertRateLimited(login(email, PASSWORD, "X-Forwarded-For", "203.0.113.3"), 30);
    }

    @Test
    void behindATrustedProxyEachClientHasItsOwnIpBucket() {
        start("LATCHKEY_RATE_LIMIT_LOGIN_PER_IP", "2/1m", "LATCHKEY_TRUSTED_PROXIES", "127.0.0.1/32, ::1/128");
        String email = registered();
        assertThat(login(email, WRONG, "X-Forwarded-For", "203.0.113.1").status()).isEqualTo(401);
        assertThat(login(email, WRONG, "X-Forwarded-For", "203.0.113.1").status()).isEqualTo(401);
        assertRateLimited(login(email, PASSWORD, "X-Forwarded-For", "203.0.113.1"), 30);
        assertThat(login(email, PASSWORD, "X-Forwarded-For", "203.0.113.2").status()).isEqualTo(200);
    }

    @Test
    void loginsPerAccountAreLimitedWhateverTheIpAndTheRightPasswordIsRefusedToo() {
        start("LATCHKEY_RATE_LIMIT_LOGIN_PER_ACCOUNT", "2/1m", "LATCHKEY_TRUSTED_PROXIES", "127.0.0.1/32, ::1/128");
        String email = registered();
        String other = registered();
        assertThat(login(email, WRONG, "X-Forwarded-For", "203.0.113.1").status()).isEqualTo(401);
        assertThat(login(email.toUpperCase(), WRONG, "X-Forwarded-For", "203.0.113.2").status()).isEqualTo(401);

        // a third address, and the right password: still refused, and no session is opened
        Reply refused = login("  " + email + " ", PASSWORD, "X-Forwarded-For", "203.0.113.3");
        assertRateLimited(refused, 30);
        assertThat(refused.body()).doesNotContain("accessToken");
        assertThat(login(other, PASSWORD, "X-Forwarded-For", "203.0.113.3").status()).isEqualTo(200);

        clock.advance(Duration.ofSeconds(30));
        assertThat(login(email, PASSWORD, "X-Forwarded-For", "203.0.113.3").status()).isEqualTo(200);
    }

    @Test
    void repeatedFailuresLockTheAccountWithDoublingDelaysUpToTheCapAndASuccessResets() {
        start("LATCHKEY_LOGIN_LOCKOUT_THRESHOLD", "3", "LATCHKEY_LOGIN_LOCKOUT_MAX", "4s");
        String email = registered();
        assertThat(login(email, WRONG).status()).isEqualTo(401);
        assertThat(login(email, WRONG).status()).isEqualTo(401);
        assertThat(login(email, WRONG).status()).isEqualTo(401); // the 3rd: locked 1 s

        assertRateLimited(login(email, PASSWORD), 1); // the right password is refused while locked
        clock.advance(Duration.ofSeconds(1));
        assertThat(login(email, WRONG).status()).isEqualTo(401); // the 4th: locked 2 s
        assertRateLimited(login(email, WRONG), 2);
        clock.advance(Duration.ofSeconds(2));
        assertThat(login(email, WRONG).status()).isEqualTo(401); // the 5th: 4 s
        assertRateLimited(login(email, PASSWORD), 4);
        clock.advance(Duration.ofSeconds(4));
        assertThat(login(email, WRONG).status()).isEqualTo(401); // the 6th: 8 s, capped at 4 s
        assertRateLimited(login(email, PASSWORD), 4);

        clock.advance(Duration.ofSeconds(4));
        assertThat(login(email, PASSWORD).status()).isEqualTo(200); // a success starts the count over
        assertThat(login(email, WRONG).status()).isEqualTo(401);
        assertThat(login(email, WRONG).status()).isEqualTo(401);
        assertThat(login(email, PASSWORD).status()).isEqualTo(200);
    }

    @Test
    void unknownAccountsAreLockedLikeKnownOnes() {
        start("LATCHKEY_LOGIN_LOCKOUT_THRESHOLD", "2");
        String nobody = newEmail();
        assertThat(login(nobody, WRONG).status()).isEqualTo(401);
        assertThat(login(nobody, WRONG).status()).isEqualTo(401);
        assertRateLimited(login(nobody, WRONG), 1);
    }

    @Test
    void registrationsAreLimitedPerIpAndPerEmail() {
        start("LATCHKEY_RATE_LIMIT_REGISTER_PER_IP", "3/1h", "LATCHKEY_RATE_LIMIT_REGISTER_PER_ACCOUNT", "1/1h");
        String email = registered();
        Reply again = client.postJson("/auth/register", Client.json("email", email, "password", PASSWORD));
        assertRateLimited(again, 3600);
        registered();
        assertRateLimited(client.postJson("/auth/register", Client.json("email", newEmail(), "password", PASSWORD)), 1200);
        clock.advance(Duration.ofMinutes(20));
        registered();
    }

    @Test
    void refreshesAreLimitedPerSessionAndPerIp() {
        start("LATCHKEY_RATE_LIMIT_REFRESH_PER_SESSION", "2/1m", "LATCHKEY_RATE_LIMIT_REFRESH_PER_IP", "5/1m");
        Browser tab = new Browser(client);
        assertThat(tab.register(newEmail(), PASSWORD).status()).isEqualTo(201);
        assertThat(tab.refresh().status()).isEqualTo(200);
        assertThat(tab.refresh().status()).isEqualTo(200);
        Reply limited = tab.refresh();
        assertRateLimited(limited, 30);

        Browser other = new Browser(client);
        assertThat(other.register(newEmail(), PASSWORD).status()).isEqualTo(201);
        assertThat(other.refresh().status()).isEqualTo(200); // another session has its own bucket
        assertThat(other.refresh().status()).isEqualTo(200);
        assertRateLimited(other.refresh(), 12); // the address has used its 5

        clock.advance(Duration.ofSeconds(30));
        assertThat(tab.refresh().status()).isEqualTo(200); // the cookie still works after the 429
    }

    @Test
    void passwordChangesAreLimitedPerUser() {
        start("LATCHKEY_RATE_LIMIT_PASSWORD_PER_USER", "1/15m");
        Browser browser = new Browser(client);
        assertThat(browser.register(newEmail(), PASSWORD).status()).isEqualTo(201);
        String body = Client.json("currentPassword", WRONG, "newPassword", "another long enough passphrase");
        assertThat(client.postJson("/auth/password", body, "Authorization", "Bearer " + browser.accessToken).status())
                .isEqualTo(401);
        Reply refused = client.postJson("/auth/password", Client.json("currentPassword", PASSWORD,
                "newPassword", "another long enough passphrase"), "Authorization", "Bearer " + browser.accessToken);
        assertRateLimited(refused, 900);
    }
}
