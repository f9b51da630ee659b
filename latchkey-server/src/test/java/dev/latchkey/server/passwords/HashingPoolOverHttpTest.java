package dev.latchkey.server.passwords;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.server.Browser;
import dev.latchkey.server.Client;
import dev.latchkey.server.Client.Reply;
import dev.latchkey.testkit.MutableClock;
import dev.latchkey.server.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Login-flood isolation: with one hashing thread and one queue slot, a burst of logins gets
 * 503 with Retry-After at once for everything beyond those two, while refresh and bearer
 * routes, which never hash, keep answering.
 */
class HashingPoolOverHttpTest {
    static final String PASSWORD = "correct horse battery staple";

    record Timed(Reply reply, long millis) {}

    @Test
    void aFullHashingPoolAnswers503FastAndLeavesRefreshAlone() throws Exception {
        try (TestServer server = TestServer.start(TestServer.Engine.SQLITE, new MutableClock(), Map.of(
                "LATCHKEY_HASHING_THREADS", "1",
                "LATCHKEY_HASHING_QUEUE", "1",
                // slow hashes (about a tenth of a second or more each) so the burst overlaps
                "LATCHKEY_ARGON2_MEMORY_KIB", "65536",
                "LATCHKEY_ARGON2_ITERATIONS", "3"))) {
            Client client = new Client(server.baseUrl());
            String email = "pool-" + System.nanoTime() + "@example.com";
            Browser tab = new Browser(client);
            assertThat(tab.register(email, PASSWORD).status()).isEqualTo(201);
            assertThat(server.server().hashingPool().threads()).isEqualTo(1);
            assertThat(server.server().hashingPool().queueCapacity()).isEqualTo(1);

            int burst = 12;
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Timed>> answers = new ArrayList<>();
            try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < burst; i++) {
                    answers.add(senders.submit(() -> {
                        go.await();
                        long started = System.nanoTime();
                        Reply reply = client.postJson("/auth/login", Client.json("email", email, "password", PASSWORD));
                        return new Timed(reply, (System.nanoTime() - started) / 1_000_000);
                    }));
                }
                go.countDown();
                // while the pool is busy, refresh and bearer routes answer: they never hash
                assertThat(tab.refresh().status()).isEqualTo(200);
                assertThat(tab.get("/api/me").status()).isEqualTo(200);

                List<Timed> done = new ArrayList<>();
                for (Future<Timed> answer : answers) {
                    done.add(answer.get());
                }
                List<Timed> refused = done.stream().filter(t -> t.reply().status() == 503).toList();
                List<Timed> served = done.stream().filter(t -> t.reply().status() == 200).toList();
                assertThat(served.size() + refused.size()).isEqualTo(burst);
                assertThat(served).isNotEmpty();
                assertThat(refused).as("refused at once, not queued").isNotEmpty();
                long slowestServed = served.stream().mapToLong(Timed::millis).max().orElseThrow();
                for (Timed t : refused) {
                    assertThat(t.reply().code()).isEqualTo("SERVICE_UNAVAILABLE");
                    assertThat(t.reply().header("Retry-After")).hasValue("1");
                    assertThat(t.reply().setCookies()).isEmpty();
                }
                long fastestRefused = refused.stream().mapToLong(Timed::millis).min().orElseThrow();
                assertThat(fastestRefused).as("a refusal waits for no hash").isLessThan(slowestServed);
            }
            assertThat(server.server().hashingPool().queueDepth()).isZero();
        }
    }
}
