package dev.latchkey.bench;

import dev.latchkey.testkit.PostgresServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * {@code ./latchkey bench}: Latchkey against the seed-style peer ({@code node-seed}) on one
 * throwaway PostgreSQL (one database each), every scenario at every client count, the two
 * servers taking turns (Latchkey, peer, Latchkey, peer...) so that drift on a shared machine hits
 * both. Login also runs against a second Latchkey whose users are hashed with bcrypt at cost 12,
 * the peer's cost. With {@code --keycloak}, Keycloak ({@link KeycloakPeer}) takes its turns too, in
 * the scenarios it has an equivalent for (login and refresh, through its token endpoint). Writes
 * {@code docs/benchmarks.md} and {@code docs/benchmarks.png}; the ceilings come from the JMH results
 * ({@code bench/jmh.sh}) when they exist.
 */
public final class CompareBench {

    record Options(Path root, Path out, Path peer, Duration warmup, Duration duration, List<Integer> clients,
                   List<String> scenarios, boolean withPeer, Path ceilings, boolean keycloak, Duration serverWarmup) {
    }

    record Target(String name, String label, ServerProcess server, URI base, String origin) {
    }

    private CompareBench() {
    }

    static final String USAGE = """
            usage: ./latchkey bench [options]
              --scenarios verify,refresh,login,mixed
              --clients 16,64
              --warmup 5s --duration 15s
              --server-warmup D   untimed load on each server before the first measured run, its scenarios in
                                  turn at the largest client count (default: 40s with --keycloak, else 0s)
              --peer DIR          the seed-style peer (default: ../shared/peers/node-seed next to the repository)
              --no-peer           Latchkey alone
              --ceilings FILE     JMH figures (default: bench/target/jmh-ceilings.properties, written by bench/jmh.sh)
              --out docs/benchmarks.md ('-' prints it)
              --keycloak          also Keycloak %s, in login and refresh (fetched from Maven Central on first use,
                                  about 169 MiB, unzipped and built once under java.io.tmpdir)
              --engines ...       the older Latchkey-only comparison of PostgreSQL and SQLite (BenchMain)
            """.formatted(KeycloakPeer.VERSION);

    /** The scenarios Keycloak has an equivalent for (the contract's {@code GET /api/me} has none). */
    static final List<String> KEYCLOAK_SCENARIOS = List.of("login", "refresh");

    public static void main(String[] args) throws Exception {
        for (String arg : args) {
            if (arg.equals("--engines")) {
                BenchMain.main(args);
                return;
            }
        }
        Options options = parse(args);
        Path launcher = options.root().resolve("latchkey");
        MachineInfo machine = MachineInfo.read(Path.of(System.getProperty("java.home")));
        Instant date = Instant.now();
        String loadAtStart = ProcStats.loadAverage();
        BenchMain.say("machine: %d CPUs, %s, %s; load %s", machine.cpus(), machine.cpuModel(), machine.memory(), loadAtStart);
        // Keycloak first: a failed download or build should stop the run before anything is measured
        Path keycloakHome = options.keycloak() ? KeycloakPeer.install(options.root()) : null;

        // prime: the first start after a build writes the CDS archive; the measured start comes after it
        Path work = Files.createTempDirectory("latchkey-compare-");
        long primeMillis;
        try (ServerProcess prime = ServerProcess.start(launcher, Files.createDirectories(work.resolve("prime")),
                ServerProcess.freePort(), latchkeySettings(work.resolve("prime"), null, ServerProcess.freePort()))) {
            primeMillis = prime.startToReadyMillis();
        }
        BenchMain.say("first start (writes the CDS archive when missing): %d ms", primeMillis);

        PostgresServer pg = PostgresServer.shared();
        boolean finished = false;
        List<Target> targets = new ArrayList<>();
        Map<String, Long> startMillis = new LinkedHashMap<>();
        Map<String, Long> idleRss = new LinkedHashMap<>();
        KeycloakPeer.Info keycloak = null;
        try {
            String latchkeyDatabase = pg.createDatabase();
            targets.add(startLatchkey("latchkey", "Latchkey", launcher, work, latchkeyDatabase, Map.of(), startMillis, idleRss));
            if (options.scenarios().contains("login")) {
                targets.add(startLatchkey("latchkey-bcrypt", "Latchkey (bcrypt 12)", launcher, work, pg.createDatabase(),
                        Map.of("LATCHKEY_PASSWORD_HASH", "bcrypt"), startMillis, idleRss));
            }
            if (options.scenarios().contains("refresh")) {
                // the same server with the JDK's RSA: what the native signature provider moves
                targets.add(startLatchkey(JDK_RSA, "Latchkey (JDK RSA)", launcher, work, pg.createDatabase(),
                        Map.of("LATCHKEY_CRYPTO_PROVIDER", "jdk"), startMillis, idleRss));
            }
            if (keycloakHome != null && options.scenarios().contains("login")) {
                // argon2id with every parameter at least Keycloak's default (m = 7168 KiB, t = 5, p = 1);
                // 8192 KiB is Latchkey's lowest accepted memory
                targets.add(startLatchkey(ARGON2_AS_KEYCLOAK, "Latchkey (argon2id m=8192,t=5)", launcher, work,
                        pg.createDatabase(), Map.of("LATCHKEY_ARGON2_MEMORY_KIB", "8192", "LATCHKEY_ARGON2_ITERATIONS", "5"),
                        startMillis, idleRss));
            }
            if (options.withPeer()) {
                targets.add(startPeer(options.peer(), work, pg, startMillis, idleRss));
            }
            if (keycloakHome != null) {
                String adminUser = "bench-admin";
                String adminPassword = KeycloakPeer.newAdminPassword();
                ServerProcess server = KeycloakPeer.start(keycloakHome, work, pg, adminUser, adminPassword);
                URI base = URI.create("http://127.0.0.1:" + server.port());
                targets.add(new Target("keycloak", "Keycloak " + KeycloakPeer.VERSION, server, base, base.toString()));
                BenchMain.say("Keycloak ready in %d ms (pid %d, %s)", server.startToReadyMillis(), server.pid(), server.comm());
                startMillis.put("keycloak", server.startToReadyMillis());
                idleRss.put("keycloak", server.idleRssKib());
                keycloak = KeycloakPeer.setUp(keycloakHome, base, adminUser, adminPassword, Collections.max(options.clients()));
                BenchMain.say("Keycloak realm %s with %d users in %d ms; password hashing: %s", KeycloakPeer.REALM,
                        keycloak.users(), keycloak.setupMillis(), keycloak.hashing());
            }
            if (!options.serverWarmup().isZero()) {
                // untimed: the JIT compiles the hot paths of each server before anything is measured
                for (Target target : targets) {
                    List<String> its = options.scenarios().stream().filter(s -> runs(target, s)).toList();
                    for (String scenario : its) {
                        runOne(scenario, Collections.max(options.clients()), target, Duration.ZERO,
                                options.serverWarmup().dividedBy(its.size()), "warm-up, not reported: ");
                    }
                }
            }
            List<RunResult> runs = new ArrayList<>();
            for (String scenario : options.scenarios()) {
                for (int clients : options.clients()) {
                    for (Target target : targets) {
                        if (runs(target, scenario)) {
                            runs.add(runOne(scenario, clients, target, options.warmup(), options.duration(), ""));
                        }
                    }
                }
            }
            Properties ceilings = new Properties();
            if (Files.exists(options.ceilings())) {
                try (var in = Files.newBufferedReader(options.ceilings())) {
                    ceilings.load(in);
                }
            }
            // Latchkey's hashing parameters as stored, for the comparison with Keycloak's
            String latchkeyHash = keycloak == null ? null : storedHashParameters(latchkeyDatabase);
            String md = CompareReport.markdown(machine, date, loadAtStart, options, targets, runs, startMillis, idleRss,
                    primeMillis, ceilings, pg.postgresUrl("postgres").replaceAll("//[^@]*@", "//"), keycloak, latchkeyHash);
            if (options.out().toString().equals("-")) {
                System.out.print(md);
            } else {
                Files.createDirectories(options.out().getParent());
                Files.writeString(options.out(), md, StandardCharsets.UTF_8);
                Path png = options.out().resolveSibling("benchmarks.png");
                CompareReport.plot(runs, targets, png);
                BenchMain.say("wrote %s and %s", options.out(), png);
            }
            finished = true;
        } finally {
            for (Target target : targets) {
                target.server().close();
            }
            // the servers' logs (hundreds of MiB of access log per run) are kept only when something failed
            if (finished) {
                BenchMain.deleteTree(work);
            } else {
                BenchMain.say("the servers' logs are kept in %s", work);
            }
        }
        System.exit(0);
    }

    /** Whether {@code target} runs {@code scenario}: the bcrypt Latchkey logs in only, Keycloak has no verify path. */
    /** Latchkey signing with the JDK's RSA instead of the native provider (refresh only). */
    static final String JDK_RSA = "latchkey-jdk-rsa";
    /** Latchkey hashing with argon2id at parameters no weaker than Keycloak's in any respect (login only). */
    static final String ARGON2_AS_KEYCLOAK = "latchkey-argon2-kc";

    private static boolean runs(Target target, String scenario) {
        if (target.name().equals("latchkey-bcrypt") || target.name().equals(ARGON2_AS_KEYCLOAK)) {
            return scenario.equals("login");
        }
        if (target.name().equals(JDK_RSA)) {
            return scenario.equals("refresh");
        }
        return !target.name().equals("keycloak") || KEYCLOAK_SCENARIOS.contains(scenario);
    }

    private static RunResult runOne(String scenario, int clients, Target target, Duration warmup, Duration duration,
                                    String note) throws Exception {
        HttpClient http = LatchkeyHttp.newClient();
        String runId = UUID.randomUUID().toString().substring(0, 8);
        List<URI> bases = List.of(target.base());
        Scenario s = target.name().equals("keycloak")
                ? new KeycloakScenario(scenario, http, target.base().resolve("/realms/" + KeycloakPeer.REALM
                        + "/protocol/openid-connect/token"), KeycloakPeer.CLIENT_ID)
                : contractScenario(scenario, http, bases, target.origin(), runId);
        if (!target.server().isAlive()) {
            // a report with a dead server's zeros in it would mislead: stop here
            throw new IllegalStateException(target.label() + " (pid " + target.server().pid() + ") is no longer running "
                    + "(stopped by a signal from outside the benchmark?); the end of its log:\n" + target.server().logTail());
        }
        if (note.isEmpty()) {
            settle();
        }
        BenchMain.say("%s%s, %d clients, %s...", note, scenario, clients, target.label());
        // verify through wrk when it is installed (bench/run.sh installs it): see WrkRunner
        RunResult r = scenario.equals("verify") && WrkRunner.available()
                ? WrkRunner.verify(target.name(), target.base(), target.origin(), clients, warmup, duration,
                        target.server().pid(), Path.of(System.getProperty("java.io.tmpdir")))
                : LoadRunner.run(s, target.name(), "shared", clients, warmup, duration, target.server().pid());
        if (!target.server().isAlive()) {
            throw new IllegalStateException(target.label() + " (pid " + target.server().pid() + ") stopped during the "
                    + scenario + " run (by a signal from outside the benchmark?); the end of its log:\n"
                    + target.server().logTail());
        }
        BenchMain.say("  %s%s %s %d: %.0f req/s, p50 %.2f ms, p99 %.2f ms, max %.2f ms, %d errors %s, RSS %d MiB, "
                        + "CPU server %.2f bench %.2f other %.2f, load %s",
                note, target.label(), scenario, clients, r.requestsPerSecond(), r.millis(50), r.millis(99), r.maxMillis(),
                r.errorCount(), r.errors(), r.serverMaxRssKib() / 1024, r.serverCpu(), r.benchCpu(), r.otherCpu(),
                r.loadAverage());
        http.close();
        return r;
    }

    /** The machine counts as quiet below this much CPU (cores) over a second. */
    static final double QUIET_CORES = 0.15;
    static final Duration MAX_SETTLE = Duration.ofSeconds(30);

    /**
     * Waits (at most {@link #MAX_SETTLE}) until the whole machine is quiet before a measured run:
     * work left over from the run before (Keycloak's JIT compiling for tens of seconds after its
     * warm-up, PostgreSQL's autovacuum after a refresh run) would otherwise take CPU from the next
     * server measured, and more from a server that uses both cores than from the single-threaded peer.
     */
    private static void settle() throws InterruptedException {
        long start = System.nanoTime();
        double busy = Double.NaN;
        while (System.nanoTime() - start < MAX_SETTLE.toNanos()) {
            long before = ProcStats.machineBusyNanos();
            Thread.sleep(1000);
            long after = ProcStats.machineBusyNanos();
            if (before < 0 || after < 0) {
                return; // no /proc/stat: nothing to wait for
            }
            busy = (after - before) / 1e9;
            if (busy < QUIET_CORES) {
                return;
            }
        }
        BenchMain.say("  the machine did not settle in %d s (%.2f cores busy in the last second); measuring anyway",
                MAX_SETTLE.toSeconds(), busy);
    }

    /** A scenario of the HTTP contract (Latchkey and the seed-style peer). */
    private static Scenario contractScenario(String scenario, HttpClient http, List<URI> bases, String origin,
                                             String runId) {
        return switch (scenario) {
            case "verify" -> new MixedScenario("verify", 100, 0, 0, () -> http, bases, origin, runId);
            case "refresh" -> new MixedScenario("refresh", 0, 100, 0, () -> http, bases, origin, runId);
            case "login" -> new MixedScenario("login", 0, 0, 100, () -> http, bases, origin, runId);
            case "mixed" -> new MixedScenario("mixed", 90, 9, 1, () -> http, bases, origin, runId);
            default -> throw new IllegalArgumentException("unknown scenario " + scenario);
        };
    }

    /**
     * The parameter part of one argon2id hash in a Latchkey database ({@code $argon2id$v=19$m=19456,t=2,p=1}),
     * without salt and hash; {@code null} when there is none or it cannot be read.
     */
    static String storedHashParameters(String jdbcUrl) {
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT password_hash FROM users WHERE password_hash LIKE '$argon2id$%' LIMIT 1")) {
            if (!rs.next()) {
                return null;
            }
            String[] parts = rs.getString(1).split("\\$");
            return parts.length < 4 ? null : "$" + parts[1] + "$" + parts[2] + "$" + parts[3];
        } catch (SQLException e) {
            BenchMain.say("could not read Latchkey's stored hash parameters: %s", e.getMessage());
            return null;
        }
    }

    private static Map<String, String> latchkeySettings(Path dir, String database, int port) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("LATCHKEY_DATA_DIR", dir.resolve("data").toString());
        settings.put("LATCHKEY_ISSUER", "http://localhost:" + port);
        if (database != null) {
            settings.put("LATCHKEY_DATABASE_URL", database);
        }
        // one load generator on one address: per-IP and per-account limits would measure themselves
        for (String limit : List.of("LOGIN_PER_IP", "LOGIN_PER_ACCOUNT", "REGISTER_PER_IP", "REGISTER_PER_ACCOUNT",
                "REFRESH_PER_IP", "REFRESH_PER_SESSION")) {
            settings.put("LATCHKEY_RATE_LIMIT_" + limit, "100000000/1m");
        }
        return settings;
    }

    private static Target startLatchkey(String name, String label, Path launcher, Path work, String database,
                                        Map<String, String> extra, Map<String, Long> startMillis,
                                        Map<String, Long> idleRss) throws Exception {
        Path dir = Files.createDirectories(work.resolve(name));
        int port = ServerProcess.freePort();
        Map<String, String> settings = latchkeySettings(dir, database, port);
        settings.putAll(extra);
        ServerProcess server = ServerProcess.start(launcher, dir, port, settings);
        BenchMain.say("%s ready in %d ms (pid %d, %s)", label, server.startToReadyMillis(), server.pid(), server.comm());
        startMillis.put(name, server.startToReadyMillis());
        idleRss.put(name, server.idleRssKib());
        return new Target(name, label, server, URI.create("http://127.0.0.1:" + port), "http://localhost:" + port);
    }

    /** Copies the peer to a temp directory (it stays read-only where it is), installs it once, starts it. */
    private static Target startPeer(Path peer, Path work, PostgresServer pg, Map<String, Long> startMillis,
                                    Map<String, Long> idleRss) throws Exception {
        if (!Files.isRegularFile(peer.resolve("package.json"))) {
            throw new IllegalStateException("no seed-style peer at " + peer + " (--peer DIR or --no-peer)");
        }
        Path copy = Path.of(System.getProperty("java.io.tmpdir"), "latchkey-bench-peer");
        Path lock = copy.resolve("package-lock.json");
        if (!Files.exists(lock) || Files.mismatch(lock, peer.resolve("package-lock.json")) != -1
                || !Files.isDirectory(copy.resolve("node_modules"))) {
            BenchMain.say("installing the peer in %s (npm ci)", copy);
            new ProcessBuilder("rm", "-rf", copy.toString()).inheritIO().start().waitFor();
            new ProcessBuilder("cp", "-r", peer.toString(), copy.toString()).inheritIO().start().waitFor();
            Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(copy.toFile())
                    .redirectErrorStream(true).redirectOutput(work.resolve("npm.log").toFile()).start();
            if (npm.waitFor() != 0) {
                throw new IllegalStateException("npm ci failed: " + Files.readString(work.resolve("npm.log")));
            }
        }
        String jdbc = pg.createDatabase();
        String database = pg.databaseName(jdbc);
        int port = ServerProcess.freePort();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("DATABASE_URL", pg.postgresUrl(database));
        settings.put("LATCHKEY_ISSUER", "http://localhost:" + port);
        settings.put("LATCHKEY_BCRYPT_COST", "12");
        ServerProcess server = ServerProcess.start(List.of("node", "src/server.js"), copy, port, settings);
        BenchMain.say("peer ready in %d ms (pid %d, %s)", server.startToReadyMillis(), server.pid(), server.comm());
        startMillis.put("peer", server.startToReadyMillis());
        idleRss.put("peer", server.idleRssKib());
        return new Target("peer", "seed-style peer", server, URI.create("http://127.0.0.1:" + port), "http://localhost:" + port);
    }

    static Options parse(String[] args) {
        Path root = Path.of("").toAbsolutePath();
        Path out = null;
        Path peer = null;
        Path ceilings = null;
        Duration warmup = Duration.ofSeconds(5);
        Duration duration = Duration.ofSeconds(15);
        List<Integer> clients = List.of(16, 64);
        List<String> scenarios = List.of("verify", "refresh", "login", "mixed");
        boolean withPeer = true;
        boolean keycloak = false;
        Duration serverWarmup = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--root" -> root = Path.of(args[++i]).toAbsolutePath();
                case "--out" -> out = Path.of(args[++i]);
                case "--peer" -> peer = Path.of(args[++i]).toAbsolutePath();
                case "--no-peer" -> withPeer = false;
                case "--ceilings" -> ceilings = Path.of(args[++i]).toAbsolutePath();
                case "--warmup" -> warmup = Duration.parse("PT" + args[++i].toUpperCase(Locale.ROOT));
                case "--duration" -> duration = Duration.parse("PT" + args[++i].toUpperCase(Locale.ROOT));
                case "--clients" -> clients = java.util.Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList();
                case "--scenarios" -> scenarios = List.of(args[++i].split(","));
                case "--keycloak" -> keycloak = true;
                case "--server-warmup" -> serverWarmup = Duration.parse("PT" + args[++i].toUpperCase(Locale.ROOT));
                case "-h", "--help" -> {
                    System.err.print(USAGE);
                    System.exit(0);
                }
                default -> throw new IllegalArgumentException("unknown option " + arg + "\n" + USAGE);
            }
        }
        if (out == null) {
            out = root.resolve("docs/benchmarks.md");
        } else if (!out.isAbsolute() && !out.toString().equals("-")) {
            out = root.resolve(out);
        }
        if (peer == null) {
            peer = root.resolve("../shared/peers/node-seed").normalize();
        }
        if (ceilings == null) {
            ceilings = root.resolve("bench/target/jmh-ceilings.properties");
        }
        if (serverWarmup == null) {
            // Keycloak's JIT compilers were still busy 50 s into its first refresh run without it
            serverWarmup = keycloak ? Duration.ofSeconds(40) : Duration.ZERO;
        }
        return new Options(root, out, peer, warmup, duration, clients, scenarios, withPeer, ceilings, keycloak,
                serverWarmup);
    }

    static String utc(Instant date) {
        return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC).format(date);
    }

    static void ignore(IOException e) {
        // nothing
    }
}
