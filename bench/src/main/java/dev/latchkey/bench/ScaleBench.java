package dev.latchkey.bench;

import dev.latchkey.testkit.PostgresServer;
import dev.latchkey.testkit.RedisServer;
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

/**
 * {@code bench/run.sh --scale [--clients 32] [--duration 10s] [--warmup 3s]} (or this class
 * directly): the mixed scenario against one instance without Redis, one instance with Redis, and
 * two instances with Redis on one PostgreSQL, the load generator alternating between them call by
 * call (round-robin). All on this machine, so the figures read as the cost of scaling out, not
 * as a gain: two instances share the same CPUs. Prints one line per run.
 */
public final class ScaleBench {
    private ScaleBench() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of("").toAbsolutePath();
        int clients = 32;
        Duration warmup = Duration.ofSeconds(3);
        Duration measure = Duration.ofSeconds(10);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--root" -> root = Path.of(args[++i]).toAbsolutePath();
                case "--clients" -> clients = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = BenchOptions.duration(args[++i]);
                case "--duration" -> measure = BenchOptions.duration(args[++i]);
                case "--scale" -> { }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path launcher = root.resolve("latchkey");
        try (RedisServer redis = RedisServer.start()) {
            run("1 instance, no Redis", launcher, 1, null, clients, warmup, measure);
            run("1 instance, Redis", launcher, 1, redis.url(), clients, warmup, measure);
            run("2 instances, Redis, round-robin", launcher, 2, redis.url(), clients, warmup, measure);
        }
        System.exit(0);
    }

    private static void run(String label, Path launcher, int instances, String redisUrl, int clients, Duration warmup,
                            Duration measure) throws Exception {
        String database = PostgresServer.shared().createDatabase();
        Path work = Files.createTempDirectory("latchkey-scale-");
        List<ServerProcess> servers = new ArrayList<>();
        try {
            List<URI> bases = new ArrayList<>();
            for (int i = 0; i < instances; i++) {
                int port = ServerProcess.freePort();
                Map<String, String> settings = new LinkedHashMap<>();
                settings.put("LATCHKEY_DATA_DIR", work.resolve("data").toString()); // shared development key
                settings.put("LATCHKEY_ISSUER", "http://localhost:8080");
                settings.put("LATCHKEY_ALLOWED_ORIGINS", "http://localhost:8080");
                settings.put("LATCHKEY_DATABASE_URL", database);
                // one load generator on one address: per-IP limits would measure themselves
                for (String limit : List.of("LOGIN_PER_IP", "LOGIN_PER_ACCOUNT", "REGISTER_PER_IP", "REGISTER_PER_ACCOUNT",
                        "REFRESH_PER_IP", "REFRESH_PER_SESSION")) {
                    settings.put("LATCHKEY_RATE_LIMIT_" + limit, "100000000/1m");
                }
                if (redisUrl != null) {
                    settings.put("LATCHKEY_REDIS_URL", redisUrl);
                }
                servers.add(ServerProcess.start(launcher, Files.createDirectories(work.resolve("run-" + i)), port, settings));
                bases.add(URI.create("http://127.0.0.1:" + port));
            }
            HttpClient http = LatchkeyHttp.newClient();
            Scenario scenario = new MixedScenario(() -> http, bases, "http://localhost:8080",
                    UUID.randomUUID().toString().substring(0, 8));
            RunResult r = LoadRunner.run(scenario, "postgres", "shared", clients, warmup, measure, servers.get(0).pid());
            BenchMain.say("%s: %d clients: %.0f req/s, p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, %d errors %s; "
                            + "CPU: first server %.2f, bench %.2f, other %.2f, load %s",
                    label, clients, r.requestsPerSecond(), r.millis(50), r.millis(90), r.millis(99), r.errorCount(), r.errors(),
                    r.serverCpu(), r.benchCpu(), r.otherCpu(), r.loadAverage());
            http.close();
        } finally {
            for (ServerProcess server : servers) {
                server.close();
            }
            PostgresServer.shared().dropDatabase(database);
        }
    }
}
