package dev.latchkey.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.server.Browser;
import dev.latchkey.server.Client;
import dev.latchkey.server.Client.Reply;
import dev.latchkey.server.ProcessServer;
import dev.latchkey.server.TestServer;
import dev.latchkey.testkit.LatchkeyProcess;
import dev.latchkey.testkit.PostgresServer;
import dev.latchkey.testkit.RedisServer;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Latchkey instances as child processes on one PostgreSQL and one Redis: a hard crash, and a graceful stop. */
class ProcessClusterTest {
    static final String PASSWORD = "correct horse battery staple";
    static final int SESSIONS = 24;

    /** One user's session, moved between instances by copying its tokens (as a load balancer would). */
    static final class Session {
        String access;
        String refresh;
        String csrf;

        synchronized Browser on(LatchkeyProcess server) {
            Browser browser = new Browser(new Client(server.baseUrl()));
            browser.accessToken = access;
            browser.refreshToken = refresh;
            browser.csrfToken = csrf;
            return browser;
        }

        synchronized void keep(Browser browser) {
            access = browser.accessToken;
            refresh = browser.refreshToken;
            csrf = browser.csrfToken;
        }
    }

    @Test
    void aSigkilledInstanceUnderMixedLoadLosesNoSessionAndTheOthersKeepServing() throws Exception {
        String database = PostgresServer.shared().createDatabase();
        Path data = TestServer.tempDirectory();
        try (RedisServer redis = RedisServer.start()) {
            Map<String, String> env = Map.of("LATCHKEY_REDIS_URL", redis.url());
            List<LatchkeyProcess> nodes = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    nodes.add(ProcessServer.start(database, data, env));
                }
                List<Session> sessions = new ArrayList<>();
                for (int i = 0; i < SESSIONS; i++) {
                    Browser browser = new Browser(new Client(nodes.get(i % 3).baseUrl()));
                    assertThat(browser.register("u-" + UUID.randomUUID() + "@example.com", PASSWORD).status()).isEqualTo(201);
                    Session session = new Session();
                    session.keep(browser);
                    sessions.add(session);
                }

                LatchkeyProcess victim = nodes.get(0);
                List<LatchkeyProcess> survivors = nodes.subList(1, 3);
                AtomicBoolean killed = new AtomicBoolean();
                AtomicBoolean running = new AtomicBoolean(true);
                AtomicInteger servedBySurvivors = new AtomicInteger();
                ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
                ExecutorService load = Executors.newVirtualThreadPerTaskExecutor();
                List<Future<?>> workers = new ArrayList<>();
                for (int w = 0; w < 6; w++) {
                    int worker = w;
                    workers.add(load.submit(() -> {
                        int n = 0;
                        while (running.get()) {
                            // each worker owns its own sessions, so a session never refreshes twice at once
                            Session session = sessions.get(worker + 6 * ThreadLocalRandom.current().nextInt(SESSIONS / 6));
                            LatchkeyProcess target = nodes.get(n++ % 3);
                            boolean victimTarget = target == victim;
                            try {
                                Browser browser = session.on(target);
                                Reply reply = n % 10 == 0 ? browser.refresh() : browser.get("/api/me");
                                if (reply.status() != 200) {
                                    failures.add(target.baseUrl() + " " + reply.status() + " " + reply.body());
                                } else {
                                    session.keep(browser);
                                    if (!victimTarget) {
                                        servedBySurvivors.incrementAndGet();
                                    }
                                }
                            } catch (UncheckedIOException e) {
                                if (!(victimTarget && killed.get())) {
                                    failures.add(target.baseUrl() + " " + e.getCause());
                                }
                                // a refresh whose answer was lost is retried on a survivor within the grace window
                            }
                        }
                        return null;
                    }));
                }
                Thread.sleep(1500);
                killed.set(true);
                assertThat(victim.kill()).isEqualTo(137);
                int atKill = servedBySurvivors.get();
                Thread.sleep(2000);
                running.set(false);
                for (Future<?> worker : workers) {
                    worker.get(30, TimeUnit.SECONDS);
                }
                load.shutdown();
                assertThat(failures).as("failures other than the killed instance's connections").isEmpty();
                assertThat(servedBySurvivors.get()).as("survivors kept serving").isGreaterThan(atKill);

                // no session lost: every one refreshes and verifies on each survivor
                for (Session session : sessions) {
                    for (LatchkeyProcess survivor : survivors) {
                        Browser browser = session.on(survivor);
                        Reply refreshed = browser.refresh();
                        assertThat(refreshed.status()).as(refreshed.body()).isEqualTo(200);
                        assertThat(browser.get("/api/me").status()).isEqualTo(200);
                        session.keep(browser);
                    }
                }
            } finally {
                nodes.forEach(LatchkeyProcess::close);
            }
        } finally {
            PostgresServer.shared().dropDatabase(database);
        }
    }

    /**
     * SIGTERM while logins are in flight (password hashing made slow, one hashing thread): every
     * one of them is answered (200 or 401, never a reset connection), and the process exits 0
     * within the grace.
     */
    @Test
    void sigtermLetsRequestsInFlightFinishAndExitsZero() throws Exception {
        String database = PostgresServer.shared().createDatabase();
        Path data = TestServer.tempDirectory();
        int inFlight = 12;
        try (RedisServer redis = RedisServer.start();
             LatchkeyProcess server = ProcessServer.start(database, data, Map.of(
                     "LATCHKEY_REDIS_URL", redis.url(),
                     "LATCHKEY_SHUTDOWN_GRACE", "20s",
                     "LATCHKEY_ARGON2_MEMORY_KIB", "65536",
                     "LATCHKEY_ARGON2_ITERATIONS", "8",
                     "LATCHKEY_HASHING_THREADS", "1",
                     "LATCHKEY_HASHING_QUEUE", "64",
                     // the logins must queue (about 1 s of hashing each): only the depth bounds the queue here
                     "LATCHKEY_HASHING_MAX_WAIT", "0s"))) {
            String email = "u-" + UUID.randomUUID() + "@example.com";
            assertThat(new Browser(new Client(server.baseUrl())).register(email, PASSWORD).status()).isEqualTo(201);

            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
            List<Future<Integer>> logins = new ArrayList<>();
            for (int i = 0; i < inFlight; i++) {
                String password = i % 2 == 0 ? PASSWORD : "a wrong password number " + i;
                logins.add(threads.submit(() -> http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/auth/login"))
                        .timeout(Duration.ofSeconds(60))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(Client.json("email", email, "password", password)))
                        .build(), HttpResponse.BodyHandlers.discarding()).statusCode()));
            }
            // wait until the logins are queued for hashing: accepted and in flight
            Client client = new Client(server.baseUrl());
            double[] deepest = {0};
            try {
                Cluster.await(Duration.ofSeconds(20), "logins queued for hashing", () -> {
                    deepest[0] = Math.max(deepest[0], queueDepth(client.get("/metrics").body()));
                    return deepest[0] >= inFlight / 2;
                });
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + " (deepest queue seen: " + deepest[0] + ")\n" + server.logText(), e);
            }

            long signalled = System.nanoTime();
            new ProcessBuilder("kill", "-TERM", Long.toString(server.pid())).start().waitFor(5, TimeUnit.SECONDS);

            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> login : logins) {
                statuses.add(login.get(60, TimeUnit.SECONDS));
            }
            assertThat(statuses).as("answers to the logins in flight").allMatch(s -> s == 200 || s == 401);
            assertThat(statuses).contains(200, 401);
            ProcessHandle handle = ProcessHandle.of(server.pid()).orElse(null);
            if (handle != null) {
                handle.onExit().get(25, TimeUnit.SECONDS);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - signalled)).isLessThan(Duration.ofSeconds(25));
            assertThat(server.exitValue()).as(server.logText()).isZero();
            assertThat(server.logText()).contains("stopped");
            threads.shutdown();
        } finally {
            PostgresServer.shared().dropDatabase(database);
        }
    }

    static double queueDepth(String metrics) {
        return metrics.lines().filter(l -> l.startsWith("latchkey_password_hashing_queue"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(0);
    }
}
