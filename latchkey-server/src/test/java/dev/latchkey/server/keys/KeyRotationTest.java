package dev.latchkey.server.keys;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import dev.latchkey.core.tokens.SigningKeyStore.StoredKey;
import dev.latchkey.server.Browser;
import dev.latchkey.server.Client;
import dev.latchkey.testkit.MutableClock;
import dev.latchkey.server.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Signing-key rotation over real HTTP: nothing valid is refused across a rotation, retired keys
 * verify (and are published) for the access-token lifetime + leeway + reload interval and then
 * leave, and instances sharing a PostgreSQL database follow each other's rotations.
 */
class KeyRotationTest {
    static final String PASSWORD = "correct horse battery staple 42";
    static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger USERS = new AtomicInteger();
    /** TTL 60 s + leeway 5 s + reload 1 s. */
    static final Map<String, String> SHORT = Map.of(
            "LATCHKEY_ACCESS_TOKEN_TTL", "60s",
            "LATCHKEY_CLOCK_LEEWAY", "5s",
            "LATCHKEY_KEY_RELOAD_INTERVAL", "1s");
    static final Duration RETENTION = Duration.ofSeconds(66);

    static Browser registered(Client client) {
        Browser browser = new Browser(client);
        String email = "k" + USERS.incrementAndGet() + "-" + System.nanoTime() + "@example.com";
        assertThat(browser.register(email, PASSWORD).status()).isEqualTo(201);
        return browser;
    }

    static String kid(String jwt) {
        try {
            JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(jwt.substring(0, jwt.indexOf('.'))));
            return header.get("kid").asText();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    static List<String> jwksKids(Client client) {
        List<String> kids = new ArrayList<>();
        client.get("/.well-known/jwks.json").json().get("keys").forEach(k -> kids.add(k.get("kid").asText()));
        return kids;
    }

    static int me(Client client, String token) {
        return client.get("/api/me", "Authorization", "Bearer " + token).status();
    }

    @Test
    void aRotationUnderLoadRefusesNothingValidAndTheOldKeyLeavesAfterItsTokensExpire() throws Exception {
        MutableClock clock = new MutableClock();
        try (TestServer server = TestServer.start(TestServer.Engine.SQLITE, clock, SHORT)) {
            Client client = new Client(server.baseUrl());
            String oldKid = server.server().keys().get().current().kid();
            List<Browser> browsers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                browsers.add(registered(client));
            }
            String oldToken = browsers.get(0).accessToken;
            assertThat(kid(oldToken)).isEqualTo(oldKid);

            ConcurrentLinkedQueue<String> refused = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger requests = new AtomicInteger();
            CountDownLatch running = new CountDownLatch(browsers.size());
            ExecutorService threads = Executors.newFixedThreadPool(browsers.size());
            List<Future<?>> work = new ArrayList<>();
            for (Browser browser : browsers) {
                work.add(threads.submit(() -> {
                    String before = browser.accessToken;
                    running.countDown();
                    int n = 0;
                    while (!stop.get()) {
                        check(refused, "me", browser.get("/api/me").status());
                        check(refused, "me with the pre-rotation token", me(client, before));
                        if (++n % 5 == 0) {
                            check(refused, "refresh", browser.refresh().status());
                        }
                        requests.addAndGet(2);
                    }
                    return null;
                }));
            }
            running.await();
            Thread.sleep(300);
            StoredKey rsa = server.server().keys().rotate(JWSAlgorithm.RS256);
            Thread.sleep(300);
            StoredKey ec = server.server().keys().rotate(JWSAlgorithm.ES256); // a change of algorithm too
            Thread.sleep(300);
            stop.set(true);
            for (Future<?> f : work) {
                f.get(30, TimeUnit.SECONDS);
            }
            threads.shutdown();

            assertThat(refused).as("refused among %d requests", requests.get()).isEmpty();
            assertThat(requests.get()).isGreaterThan(20);

            // the new key signs; the two retired ones are still published and verify
            Browser after = registered(client);
            assertThat(kid(after.accessToken)).isEqualTo(ec.kid());
            assertThat(jwksKids(client)).containsExactlyInAnyOrder(oldKid, rsa.kid(), ec.kid());
            assertThat(me(client, oldToken)).isEqualTo(200);

            // the clock stands still unless moved: every token above was issued at the rotation instant
            clock.advance(Duration.ofSeconds(64));
            assertThat(me(client, oldToken)).isEqualTo(200);
            assertThat(jwksKids(client)).contains(oldKid, rsa.kid());

            // after it: the retired keys leave the JWKS and the verifier's ring
            clock.advance(Duration.ofSeconds(3));
            assertThat(jwksKids(client)).containsExactly(ec.kid());
            assertThat(client.get("/api/me", "Authorization", "Bearer " + oldToken).code()).isEqualTo("TOKEN_INVALID");
            Browser fresh = registered(client);
            assertThat(fresh.get("/api/me").status()).isEqualTo(200);
        }
    }

    @Test
    void aTokenOfTheOldKeyVerifiesUntilTtlPlusLeewayAfterTheRotation() {
        MutableClock clock = new MutableClock();
        try (TestServer server = TestServer.start(TestServer.Engine.SQLITE, clock, SHORT)) {
            Client client = new Client(server.baseUrl());
            String oldKid = server.server().keys().get().current().kid();
            Browser browser = registered(client);
            // the old key signs one more token right at the rotation
            String lastOld = browser.refresh().json().get("accessToken").asText();
            assertThat(kid(lastOld)).isEqualTo(oldKid);
            StoredKey next = server.server().keys().rotate(JWSAlgorithm.RS256);

            assertThat(jwksKids(client)).containsExactlyInAnyOrder(oldKid, next.kid());
            clock.advance(Duration.ofSeconds(64)); // exp (60 s) + leeway (5 s) not yet passed
            assertThat(me(client, lastOld)).isEqualTo(200);
            assertThat(jwksKids(client)).contains(oldKid);

            clock.advance(Duration.ofMillis(1500)); // past exp + leeway: expired, the key still published
            assertThat(client.get("/api/me", "Authorization", "Bearer " + lastOld).code()).isEqualTo("TOKEN_EXPIRED");

            clock.advance(Duration.ofSeconds(1)); // past the retention (66 s): the key is gone
            assertThat(jwksKids(client)).containsExactly(next.kid());
            assertThat(client.get("/api/me", "Authorization", "Bearer " + lastOld).code()).isEqualTo("TOKEN_INVALID");
            assertThat(server.server().keys().list()).extracting(i -> i.state().label)
                    .containsExactlyInAnyOrder("expired", "active");
        }
    }

    @Test
    void aSecondInstanceOnTheSamePostgresDatabaseFollowsTheRotation() throws Exception {
        MutableClock clock = new MutableClock();
        String database = TestServer.freshDatabase(TestServer.Engine.POSTGRES);
        try (TestServer a = TestServer.start(database, TestServer.tempDirectory(), clock, SHORT);
             TestServer b = TestServer.start(database, TestServer.tempDirectory(), clock, SHORT)) {
            Client clientA = new Client(a.baseUrl());
            Client clientB = new Client(b.baseUrl());
            String oldKid = a.server().keys().get().current().kid();
            assertThat(b.server().keys().get().current().kid()).as("B uses the key A registered").isEqualTo(oldKid);
            Browser onA = registered(clientA);
            String oldToken = onA.accessToken;

            StoredKey next = a.server().keys().rotate(JWSAlgorithm.RS256);

            // a token A signs with the new key verifies on B at once (B reloads on the unknown kid)
            Browser again = new Browser(clientA);
            String email = onA.get("/api/me").json().get("email").asText();
            assertThat(again.login(email, PASSWORD).status()).isEqualTo(200);
            assertThat(kid(again.accessToken)).isEqualTo(next.kid());
            assertThat(me(clientB, again.accessToken)).isEqualTo(200);
            assertThat(me(clientB, oldToken)).isEqualTo(200);
            assertThat(jwksKids(clientB)).containsExactlyInAnyOrder(oldKid, next.kid());

            // B signs with the new key too, after its next reload at the latest
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            String kidFromB;
            do {
                Browser onB = new Browser(clientB);
                assertThat(onB.login(email, PASSWORD).status()).isEqualTo(200);
                kidFromB = kid(onB.accessToken);
            } while (!kidFromB.equals(next.kid()) && System.nanoTime() < deadline && sleep(200));
            assertThat(kidFromB).isEqualTo(next.kid());

            // and the refresh cookie from A works on B (one database)
            Browser moved = new Browser(clientB);
            moved.refreshToken = again.refreshToken;
            moved.csrfToken = again.csrfToken;
            assertThat(moved.refresh().status()).isEqualTo(200);
        }
    }

    @Test
    void automaticRotationPrePublishesThenRotatesOnce() {
        MutableClock clock = new MutableClock();
        Map<String, String> env = new java.util.HashMap<>(SHORT);
        env.put("LATCHKEY_KEY_ROTATION_INTERVAL", "10m");
        String database = TestServer.freshDatabase(TestServer.Engine.POSTGRES);
        try (TestServer a = TestServer.start(database, TestServer.tempDirectory(), clock, env);
             TestServer b = TestServer.start(database, TestServer.tempDirectory(), clock, env)) {
            Client client = new Client(a.baseUrl());
            String first = a.server().keys().get().current().kid();
            Duration interval = Duration.ofMinutes(10);

            assertThat(a.server().keys().rotateIfDue(interval)).isEmpty();
            clock.advance(Duration.ofMinutes(6)); // within the lead (half the interval): pre-publish
            a.server().keys().tick(interval);
            b.server().keys().tick(interval);
            List<String> published = jwksKids(client);
            assertThat(published).hasSize(2).contains(first);
            String pending = published.stream().filter(k -> !k.equals(first)).findFirst().orElseThrow();
            assertThat(a.server().keys().get().current().kid()).isEqualTo(first);

            clock.advance(Duration.ofMinutes(5)); // due: both try, one rotates, to the pre-published key
            var fromA = a.server().keys().rotateIfDue(interval);
            var fromB = b.server().keys().rotateIfDue(interval);
            assertThat(fromA.isPresent() ^ fromB.isPresent()).isTrue();
            assertThat(fromA.or(() -> fromB).orElseThrow().kid()).isEqualTo(pending);
            b.server().keys().reload(false);
            a.server().keys().reload(false);
            assertThat(a.server().keys().get().current().kid()).isEqualTo(pending);
            assertThat(b.server().keys().get().current().kid()).isEqualTo(pending);
            assertThat(a.server().keys().list()).hasSize(2);
        }
    }

    private static boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    private static void check(ConcurrentLinkedQueue<String> refused, String what, int status) {
        if (status != 200) {
            refused.add(what + " -> " + status);
        }
    }
}
