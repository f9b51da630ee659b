package dev.latchkey.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.server.Browser;
import dev.latchkey.server.Client;
import dev.latchkey.server.Client.Reply;
import dev.latchkey.testkit.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Redis stopped and started again (same port) under load, with a one-minute database sync:
 * readiness says which dependency is down and stays 200 (degraded); revocations still reach the
 * other instance during the outage (the sync runs every second while Redis is down) and through
 * Redis again once it is back; nothing errs, and no restart is needed.
 */
class RedisOutageTest {
    static final String PASSWORD = "correct horse battery staple";

    @Test
    void redisGoingAwayAndComingBackUnderLoad() throws Exception {
        try (RedisServer redis = RedisServer.start();
             Cluster cluster = Cluster.start(2, redis.url(), Map.of("LATCHKEY_REVOCATION_SYNC_INTERVAL", "60s"))) {
            Client a = cluster.client(0);
            Client b = cluster.client(1);
            assertRevocationReaches(a, b, Duration.ofSeconds(1));

            // background load on both instances all along: logins and verifications
            AtomicBoolean running = new AtomicBoolean(true);
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            AtomicInteger served = new AtomicInteger();
            String loadEmail = newEmail();
            assertThat(new Browser(a).register(loadEmail, PASSWORD).status()).isEqualTo(201);
            List<Thread> load = List.of(a, b).stream().map(client -> Thread.ofVirtual().start(() -> {
                while (running.get()) {
                    Browser browser = new Browser(client);
                    Reply login = browser.login(loadEmail, PASSWORD);
                    Reply me = login.status() == 200 ? browser.get("/api/me") : login;
                    if (login.status() != 200 || me.status() != 200) {
                        failures.add(login.status() + " " + me.status() + " " + me.body());
                    } else {
                        served.incrementAndGet();
                    }
                }
            })).toList();

            redis.stop();
            for (Client client : List.of(a, b)) {
                Cluster.await(Duration.ofSeconds(5), "readyz reports redis down", () -> {
                    Reply ready = client.get("/readyz");
                    return ready.status() == 200 && "down".equals(ready.json().get("redis").asText())
                            && "degraded".equals(ready.json().get("status").asText())
                            && "up".equals(ready.json().get("database").asText());
                });
            }
            // during the outage: through the database, polled every second
            assertRevocationReaches(a, b, Duration.ofSeconds(3));
            assertRevocationReaches(b, a, Duration.ofSeconds(3));
            int duringOutage = served.get();

            redis.restart();
            for (Client client : List.of(a, b)) {
                Cluster.await(Duration.ofSeconds(10), "readyz reports redis up again", () -> {
                    Reply ready = client.get("/readyz");
                    return ready.status() == 200 && "up".equals(ready.json().get("redis").asText())
                            && "ready".equals(ready.json().get("status").asText());
                });
            }
            // back on Redis: within a second again, with the database sync still a minute away
            Cluster.await(Duration.ofSeconds(5), "revocations fan out over Redis again", () -> {
                try {
                    assertRevocationReaches(a, b, Duration.ofSeconds(1));
                    return true;
                } catch (AssertionError e) {
                    return false;
                }
            });
            assertRevocationReaches(b, a, Duration.ofSeconds(1));

            running.set(false);
            for (Thread thread : load) {
                thread.join(Duration.ofSeconds(10));
            }
            assertThat(failures).as("requests that failed during the outage").isEmpty();
            assertThat(duringOutage).isPositive();
            assertThat(served.get()).isGreaterThan(duringOutage);
        }
    }

    /** A session opened on {@code from}, logged out there: its access token is TOKEN_REVOKED on {@code to} within {@code limit}. */
    static void assertRevocationReaches(Client from, Client to, Duration limit) {
        Browser browser = new Browser(from);
        assertThat(browser.register(newEmail(), PASSWORD).status()).isEqualTo(201);
        String token = browser.accessToken;
        assertThat(to.get("/api/me", "Authorization", "Bearer " + token).status()).isEqualTo(200);
        assertThat(browser.logout().status()).isEqualTo(204);
        Cluster.await(limit, "TOKEN_REVOKED on the other instance",
                () -> "TOKEN_REVOKED".equals(to.get("/api/me", "Authorization", "Bearer " + token).code()));
    }

    static String newEmail() {
        return "u-" + UUID.randomUUID() + "@example.com";
    }
}
