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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * {@code ./latchkey bench}: starts the server the way users do ({@code ./latchkey serve}) on a
 * throwaway PostgreSQL and then on the embedded SQLite, runs the refresh scenario at each client
 * count, and writes {@code docs/benchmarks.md}.
 */
public final class BenchMain {

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().isEmpty()) {
                System.err.println("bench: " + e.getMessage());
            }
            System.err.print(BenchOptions.USAGE);
            System.exit(e.getMessage().isEmpty() ? 0 : 2);
            return;
        }
        Path launcher = options.root().resolve("latchkey");
        MachineInfo machine = MachineInfo.read(serverJavaHome(launcher));
        Instant date = Instant.now();
        say("machine: %d CPUs, %s, %s; server JDK %s", machine.cpus(), machine.cpuModel(), machine.memory(), machine.serverJdk());

        Long primeMillis = null;
        if (options.prime()) {
            // The launcher keeps a class-data-sharing archive that the first start after a build
            // writes; start once unmeasured so the measured starts are the ones users get every day.
            Path work = Files.createTempDirectory("latchkey-bench-prime-");
            int port = ServerProcess.freePort();
            try (ServerProcess server = ServerProcess.start(launcher, work, port, sqliteSettings(work, port))) {
                primeMillis = server.startToReadyMillis();
                say("first start (unmeasured, may write the CDS archive%s): %d ms",
                        server.launcherBuilt() ? " and built" : "", primeMillis);
            } finally {
                deleteTree(work);
            }
        }

        List<EngineRun> engineRuns = new ArrayList<>();
        for (String engine : options.engines()) {
            engineRuns.add(runEngine(engine, launcher, options));
        }

        String report = Report.markdown(machine, date, options, primeMillis, engineRuns);
        if (options.writesReport()) {
            Files.createDirectories(options.out().getParent());
            Files.writeString(options.out(), report, StandardCharsets.UTF_8);
            say("wrote %s", options.root().relativize(options.out()));
        } else {
            System.out.print(report);
        }
        // the throwaway PostgreSQL is stopped and deleted by the testkit's shutdown hook
        System.exit(0);
    }

    private static EngineRun runEngine(String engine, Path launcher, BenchOptions options) throws Exception {
        Path work = Files.createTempDirectory("latchkey-bench-" + engine + "-");
        int port = ServerProcess.freePort();
        Map<String, String> settings;
        String details;
        if (engine.equals("postgres")) {
            String url = PostgresServer.shared().createDatabase();
            details = postgresDetails(url);
            settings = new LinkedHashMap<>(sqliteSettings(work, port));
            settings.put("LATCHKEY_DATABASE_URL", url);
        } else {
            settings = sqliteSettings(work, port);
            details = "embedded SQLite (the default: no LATCHKEY_DATABASE_URL), WAL, synchronous=NORMAL, file in a temp directory";
        }
        say("%s: starting ./latchkey serve on port %d", engine, port);
        List<RunResult> runs = new ArrayList<>();
        EngineRun result;
        try (ServerProcess server = ServerProcess.start(launcher, work, port, settings)) {
            say("%s: ready in %d ms (pid %d, %s)%s", engine, server.startToReadyMillis(), server.pid(), server.comm(),
                    server.launcherBuilt() ? " - the launcher built first, so this includes a build" : "");
            if (!server.comm().equals("java")) {
                throw new IllegalStateException("the server's PID is not the JVM's (" + server.comm()
                        + "); memory readings would be wrong");
            }
            URI base = URI.create("http://127.0.0.1:" + port);
            String origin = "http://localhost:" + port;
            for (int clients : options.clients()) {
                HttpClient shared = options.httpClientMode().equals("shared") ? LatchkeyHttp.newClient() : null;
                List<HttpClient> made = new ArrayList<>();
                Supplier<HttpClient> clientSupplier = shared != null ? () -> shared : () -> {
                    HttpClient c = LatchkeyHttp.newClient();
                    synchronized (made) {
                        made.add(c);
                    }
                    return c;
                };
                String runId = UUID.randomUUID().toString().substring(0, 8);
                Scenario scenario = new RefreshScenario(clientSupplier, base, origin, runId);
                say("%s: %s with %d clients (%s warm-up, %s measured)...", engine, scenario.name(), clients,
                        options.warmup(), options.duration());
                RunResult run = LoadRunner.run(scenario, engine, options.httpClientMode(), clients, options.warmup(),
                        options.duration(), server.pid());
                runs.add(run);
                say("%s: %d clients: %.0f req/s, p50 %.2f ms, p99 %.2f ms, max %.2f ms, %d errors %s, other %s, "
                                + "server max RSS %d MiB, CPU: server %.2f, bench %.2f, other %.2f, load %s",
                        engine, clients, run.requestsPerSecond(), run.millis(50), run.millis(99), run.maxMillis(),
                        run.errorCount(), run.errors(), run.otherErrors(), run.serverMaxRssKib() / 1024,
                        run.serverCpu(), run.benchCpu(), run.otherCpu(), run.loadAverage());
                if (shared != null) {
                    shared.close();
                }
                made.forEach(HttpClient::close);
            }
            server.close(); // first, so the log is complete (closing again at the end of the block is harmless)
            result = new EngineRun(engine, details, server.startToReadyMillis(), server.launcherBuilt(),
                    server.idleRssKib(), server.cmdline(), runs, problems(server.logText()));
        } finally {
            deleteTree(work);
        }
        return result;
    }

    private static Map<String, String> sqliteSettings(Path work, int port) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("LATCHKEY_DATA_DIR", work.resolve("data").toString());
        settings.put("LATCHKEY_ISSUER", "http://localhost:" + port);
        return settings;
    }

    private static String postgresDetails(String jdbcUrl) {
        StringBuilder details = new StringBuilder("throwaway PostgreSQL from the testkit (Debian's binaries, local TCP)");
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement()) {
            details.append(", version ").append(show(s, "server_version"));
            for (String setting : List.of("fsync", "synchronous_commit", "full_page_writes", "shared_buffers")) {
                details.append(", ").append(setting).append('=').append(show(s, setting));
            }
        } catch (SQLException e) {
            details.append(" (settings unreadable: ").append(e.getMessage()).append(')');
        }
        return details.toString();
    }

    private static String show(Statement statement, String setting) throws SQLException {
        try (ResultSet rs = statement.executeQuery("SHOW " + setting)) {
            return rs.next() ? rs.getString(1) : "?";
        }
    }

    /** Distinct WARN and ERROR lines of the server log, timestamps dropped, at most 20. */
    private static List<String> problems(String log) {
        Set<String> lines = new LinkedHashSet<>();
        for (String line : log.split("\n")) {
            boolean expected = line.contains("development defaults:"); // the bench runs on development defaults
            if (!expected && (line.contains(" WARN ") || line.contains(" ERROR ") || line.contains("Exception"))) {
                lines.add(line.replaceFirst("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} ", "").strip());
                if (lines.size() >= 20) {
                    break;
                }
            }
        }
        return List.copyOf(lines);
    }

    private static Path serverJavaHome(Path launcher) {
        try {
            Process p = new ProcessBuilder(launcher.toString(), "--print-java-home").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor() == 0 ? Path.of(out) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    static void say(String format, Object... args) {
        System.err.println("bench: " + String.format(Locale.ROOT, format, args));
    }

    /** Deletes a directory and everything in it, as far as it can: a temp directory left behind is harmless. */
    static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
