package dev.latchkey.bench;

import dev.latchkey.testkit.PostgresServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code bench/run.sh --flood [--clients 16] [--flooders 64] [--duration 10s] [--warmup 3s]}:
 * verification ({@code GET /api/me}) and refresh latency on PostgreSQL, each measured alone and
 * then during a flood of wrong-password logins from {@code --flooders} clients. The flood uses a
 * new unknown email per attempt and the rate limits are lifted, as for a flood spread over many
 * addresses, so that every attempt reaches password hashing: what is measured is the isolation
 * of the bounded hashing pool, not the rate limiter. Prints one line per run.
 */
public final class FloodBench {
    private static final String ORIGIN = "http://localhost:8080";

    private FloodBench() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of("").toAbsolutePath();
        int clients = 16;
        int flooders = 64;
        Duration warmup = Duration.ofSeconds(3);
        Duration measure = Duration.ofSeconds(10);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--root" -> root = Path.of(args[++i]).toAbsolutePath();
                case "--clients" -> clients = Integer.parseInt(args[++i]);
                case "--flooders" -> flooders = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = BenchOptions.duration(args[++i]);
                case "--duration" -> measure = BenchOptions.duration(args[++i]);
                case "--flood" -> { }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        String database = PostgresServer.shared().createDatabase();
        Path work = Files.createTempDirectory("latchkey-flood-");
        int port = ServerProcess.freePort();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("LATCHKEY_DATA_DIR", work.resolve("data").toString());
        settings.put("LATCHKEY_ISSUER", ORIGIN);
        settings.put("LATCHKEY_ALLOWED_ORIGINS", ORIGIN);
        settings.put("LATCHKEY_DATABASE_URL", database);
        for (String limit : List.of("LOGIN_PER_IP", "LOGIN_PER_ACCOUNT", "REGISTER_PER_IP", "REGISTER_PER_ACCOUNT",
                "REFRESH_PER_IP", "REFRESH_PER_SESSION")) {
            settings.put("LATCHKEY_RATE_LIMIT_" + limit, "100000000/1m");
        }
        URI base = URI.create("http://127.0.0.1:" + port);
        try (ServerProcess server = ServerProcess.start(root.resolve("latchkey"), Files.createDirectories(work.resolve("run")),
                port, settings)) {
            HttpClient http = LatchkeyHttp.newClient();
            String runId = UUID.randomUUID().toString().substring(0, 8);
            for (boolean flood : new boolean[] {false, true}) {
                for (String name : List.of("verify", "refresh")) {
                    Scenario scenario = name.equals("verify") ? new MeScenario(http, base, runId + name + flood)
                            : new RefreshScenario(() -> http, base, ORIGIN, runId + name + flood);
                    Flood flooding = flood ? Flood.start(http, base, flooders, runId) : null;
                    RunResult r = LoadRunner.run(scenario, "postgres", "shared", clients, warmup, measure, server.pid());
                    String floodFigures = flooding == null ? "" : flooding.stop();
                    BenchMain.say("%s %s: %d clients: %.0f req/s, p50 %.2f ms, p99 %.2f ms, max %.1f ms, %d errors %s; "
                                    + "server RSS %d MiB, CPU server %.2f, bench %.2f, other %.2f, load %s%s",
                            name, flood ? "during a " + flooders + "-client wrong-password login flood" : "alone", clients,
                            r.requestsPerSecond(), r.millis(50), r.millis(99), r.maxMillis(), r.errorCount(), r.errors(),
                            r.serverMaxRssKib() / 1024, r.serverCpu(), r.benchCpu(), r.otherCpu(), r.loadAverage(),
                            floodFigures);
                }
            }
            http.close();
        } finally {
            PostgresServer.shared().dropDatabase(database);
        }
        System.exit(0);
    }

    /** The verify path: each client registers once, then calls {@code GET /api/me} with its access token. */
    private static final class MeScenario implements Scenario {
        private final HttpClient http;
        private final URI base;
        private final String runId;

        MeScenario(HttpClient http, URI base, String runId) {
            this.http = http;
            this.base = base;
            this.runId = runId;
        }

        @Override
        public String name() {
            return "verify";
        }

        @Override
        public String describe() {
            return "GET /api/me with the client's access token";
        }

        @Override
        public Worker newWorker(int index) {
            LatchkeyHttp client = new LatchkeyHttp(http, base, ORIGIN);
            String email = "me-" + runId + "-" + index + "@example.com";
            String password = "me-" + runId + "-" + index + "-violet-anchor-harbour";
            return new Worker() {
                private String accessToken;

                @Override
                public void open() throws CallFailed, InterruptedException {
                    try {
                        LatchkeyHttp.Answer answer = client.register(email, password);
                        if (answer.status() == 409) {
                            answer = client.login(email, password);
                        }
                        accessToken = LatchkeyHttp.jsonString(answer.body(), "\"accessToken\"");
                        if (accessToken == null) {
                            throw new CallFailed(answer.errorKey());
                        }
                    } catch (IOException e) {
                        throw new CallFailed("transport " + e.getClass().getSimpleName());
                    }
                }

                @Override
                public String step() throws InterruptedException {
                    try {
                        LatchkeyHttp.Answer answer = client.me(accessToken);
                        return answer.status() == 200 ? null : answer.errorKey();
                    } catch (IOException e) {
                        return "transport " + e.getClass().getSimpleName();
                    }
                }

                @Override
                public boolean broken() {
                    return false;
                }
            };
        }
    }

    /** Wrong-password logins, each for a new unknown email, from {@code n} clients until stopped. */
    private static final class Flood {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
        private final List<Thread> threads = new ArrayList<>();
        private final long started = System.nanoTime();

        static Flood start(HttpClient http, URI base, int n, String runId) {
            Flood flood = new Flood();
            AtomicLong serial = new AtomicLong();
            for (int i = 0; i < n; i++) {
                LatchkeyHttp client = new LatchkeyHttp(http, base, ORIGIN);
                flood.threads.add(Thread.ofVirtual().start(() -> {
                    while (flood.running.get()) {
                        try {
                            int status = client.login("flood-" + runId + "-" + serial.incrementAndGet() + "@example.com",
                                    "not the password, but long enough").status();
                            flood.statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
                        } catch (IOException e) {
                            flood.statuses.computeIfAbsent(-1, s -> new LongAdder()).increment();
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }));
            }
            return flood;
        }

        /** Stops the flood and says what it got, per status, per second. */
        String stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(Duration.ofSeconds(35));
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            StringBuilder out = new StringBuilder("; flood answers/s:");
            statuses.forEach((status, count) -> out.append(String.format(" %s=%.0f", status == -1 ? "transport" : status,
                    count.sum() / seconds)));
            return out.toString();
        }
    }
}
