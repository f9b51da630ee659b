package dev.latchkey.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.server.Browser;
import dev.latchkey.server.Client;
import dev.latchkey.server.Client.Reply;
import dev.latchkey.server.TestServer;
import dev.latchkey.store.Database;
import dev.latchkey.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Three instances on one PostgreSQL database and one Redis. The database sync is set to a
 * minute, so only the Redis fan-out can explain a revocation that arrives within a second.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScaleOutTest {
    static final String PASSWORD = "correct horse battery staple";

    RedisServer redis;
    Cluster cluster;

    @BeforeAll
    void start() {
        redis = RedisServer.start();
        cluster = Cluster.start(3, redis.url(), Map.of(
                "LATCHKEY_REVOCATION_SYNC_INTERVAL", "60s",
                "LATCHKEY_KEY_RELOAD_INTERVAL", "1s",
                "LATCHKEY_RATE_LIMIT_LOGIN_PER_ACCOUNT", "6/1h"));
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    static String newEmail() {
        return "u-" + UUID.randomUUID() + "@example.com";
    }

    @Test
    void readinessReportsBothDependenciesUp() {
        for (int i = 0; i < 3; i++) {
            Reply ready = cluster.client(i).get("/readyz");
            assertThat(ready.status()).isEqualTo(200);
            assertThat(ready.json().get("status").asText()).isEqualTo("ready");
            assertThat(ready.json().get("database").asText()).isEqualTo("up");
            assertThat(ready.json().get("redis").asText()).isEqualTo("up");
        }
    }

    @Test
    void aLogoutOnOneInstanceIsRevokedOnTheOthersWithinOneSecond() {
        for (int origin = 0; origin < 3; origin++) {
            Browser browser = new Browser(cluster.client(origin));
            assertThat(browser.register(newEmail(), PASSWORD).status()).isEqualTo(201);
            String token = browser.accessToken;
            for (int i = 0; i < 3; i++) {
                assertThat(cluster.client(i).get("/api/me", "Authorization", "Bearer " + token).status()).isEqualTo(200);
            }
            assertThat(browser.logout().status()).isEqualTo(204);
            for (int i = 0; i < 3; i++) {
                Client other = cluster.client(i);
                Duration took = Cluster.await(Duration.ofSeconds(1), "TOKEN_REVOKED on instance " + i,
                        () -> "TOKEN_REVOKED".equals(other.get("/api/me", "Authorization", "Bearer " + token).code()));
                assertThat(took).isLessThan(Duration.ofSeconds(1));
            }
        }
    }

    @Test
    void anAdminLogoutOfAUserIsRevokedOnEveryInstanceWithinOneSecond() {
        Browser user = new Browser(cluster.client(2));
        assertThat(user.register(newEmail(), PASSWORD).status()).isEqualTo(201);
        String userId = user.get("/api/me").json().get("id").asText();
        // logout-all on instance 2 is made by the user; check another instance refuses at once
        assertThat(new Client(cluster.node(0).baseUrl()).post("/auth/logout-all", "Authorization", "Bearer " + user.accessToken)
                .status()).isEqualTo(204);
        for (int i = 0; i < 3; i++) {
            Client other = cluster.client(i);
            Cluster.await(Duration.ofSeconds(1), "TOKEN_REVOKED for user " + userId + " on instance " + i,
                    () -> "TOKEN_REVOKED".equals(other.get("/api/me", "Authorization", "Bearer " + user.accessToken).code()));
        }
    }

    @Test
    void aRateLimitIsReachedAtTheSameTotalWhicheverInstancesTheAttemptsHit() {
        String email = newEmail();
        assertThat(new Browser(cluster.client(0)).register(email, PASSWORD).status()).isEqualTo(201);
        List<Integer> statuses = new ArrayList<>();
        for (int attempt = 0; attempt < 9; attempt++) {
            Reply reply = cluster.client(attempt % 3).postJson("/auth/login",
                    Client.json("email", email, "password", "wrong password, attempt " + attempt));
            statuses.add(reply.status());
        }
        // 6 per hour per account, shared: the 7th attempt is refused, whichever instance it reaches
        assertThat(statuses).containsExactly(401, 401, 401, 401, 401, 401, 429, 429, 429);
    }

    @Test
    void aKeyRotatedByOneInstanceIsUsedAndPublishedByAll() throws Exception {
        // the three instances' rotation jobs racing: exactly one rotates (an interval just under the
        // active key's age: due now, and not due again for the new key for as long)
        java.time.Instant activated = cluster.node(0).server().keys().active().orElseThrow().activatedAt();
        while (Duration.between(activated, java.time.Instant.now()).compareTo(Duration.ofSeconds(2)) < 0) {
            Thread.sleep(100);
        }
        Duration interval = Duration.between(activated, java.time.Instant.now()).minusMillis(500);
        CyclicBarrier startLine = new CyclicBarrier(3);
        ExecutorService threads = Executors.newFixedThreadPool(3);
        List<Future<Optional<?>>> results = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                TestServer node = cluster.node(i);
                results.add(threads.submit(() -> {
                    startLine.await(10, TimeUnit.SECONDS);
                    return node.server().keys().rotateIfDue(interval).map(k -> (Object) k);
                }));
            }
            int rotated = 0;
            for (Future<Optional<?>> result : results) {
                rotated += result.get(30, TimeUnit.SECONDS).isPresent() ? 1 : 0;
            }
            assertThat(rotated).as("instances that rotated").isEqualTo(1);
        } finally {
            threads.shutdownNow();
        }
        String newKid = cluster.node(0).server().keys().active().orElseThrow().kid();
        for (int i = 0; i < 3; i++) {
            Client client = cluster.client(i);
            Cluster.await(Duration.ofSeconds(5), "instance " + i + " publishes and signs with " + newKid, () -> {
                if (!client.get("/.well-known/jwks.json").body().contains(newKid)) {
                    return false;
                }
                Browser browser = new Browser(client);
                browser.register(newEmail(), PASSWORD);
                return newKid.equals(Cluster.kid(browser.accessToken));
            });
        }
        // and a token of one instance's new key verifies on every instance
        Browser browser = new Browser(cluster.client(1));
        assertThat(browser.register(newEmail(), PASSWORD).status()).isEqualTo(201);
        for (int i = 0; i < 3; i++) {
            assertThat(cluster.client(i).get("/api/me", "Authorization", "Bearer " + browser.accessToken).status())
                    .isEqualTo(200);
        }
    }

    @Test
    void theDatabasePurgeRunsOnOneInstanceAtATime() throws Exception {
        Database first = cluster.node(0).server().database();
        Database second = cluster.node(1).server().database();
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread purging = Thread.ofVirtual().start(() -> first.runExclusively(0x4c4b7075726765L, () -> {
            holding.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
        boolean[] ran = {false};
        assertThat(second.runExclusively(0x4c4b7075726765L, () -> ran[0] = true)).isFalse();
        assertThat(ran[0]).isFalse();
        release.countDown();
        purging.join(Duration.ofSeconds(10));
        assertThat(second.runExclusively(0x4c4b7075726765L, () -> ran[0] = true)).isTrue();
        assertThat(ran[0]).isTrue();
    }
}
