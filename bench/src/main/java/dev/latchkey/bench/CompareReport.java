package dev.latchkey.bench;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;

/** The report of {@link CompareBench}: Markdown tables, ratios, ceilings, and a PNG chart. */
final class CompareReport {
    private static final String KEYCLOAK = "keycloak";
    /** The store's compare-and-set figures of {@code bench/jmh.sh}, shown when present, with what they are. */
    private static final Map<String, String> STORE_ROTATE = new LinkedHashMap<>();

    static {
        STORE_ROTATE.put("store.rotate.postgresql.ops_per_s", "PostgreSQL");
        STORE_ROTATE.put("store.rotate.sqlite.ops_per_s", "SQLite");
    }

    private CompareReport() {
    }

    static String markdown(MachineInfo machine, Instant date, String loadAtStart, CompareBench.Options options,
                           List<CompareBench.Target> targets, List<RunResult> runs, Map<String, Long> startMillis,
                           Map<String, Long> idleRss, long primeMillis, Properties ceilings, String pg,
                           KeycloakPeer.Info keycloak, String latchkeyHash) {
        StringBuilder md = new StringBuilder();
        md.append("# Latchkey benchmarks\n\n");
        md.append("Measured on ").append(CompareBench.utc(date)).append(" with `./latchkey bench` (`--warmup ")
                .append(options.warmup().toSeconds()).append("s --duration ").append(options.duration().toSeconds())
                .append("s --clients ").append(String.join(",", options.clients().stream().map(String::valueOf).toList()))
                .append(" --scenarios ").append(String.join(",", options.scenarios()))
                .append(options.keycloak() ? " --keycloak" : "")
                .append(options.serverWarmup().isZero() ? "" : " --server-warmup " + options.serverWarmup().toSeconds() + "s")
                .append("`).\n")
                .append("One run on one shared machine: the ratios (both servers measured in turns, in the same "
                        + "minutes) hold better than the absolute figures.\n\n");
        md.append("![throughput per scenario](benchmarks.png)\n\n");

        md.append("## Machine\n\n| | |\n|---|---|\n");
        md.append("| CPUs (nproc) | ").append(machine.cpus()).append(" |\n");
        md.append("| CPU model | ").append(machine.cpuModel()).append(" |\n");
        md.append("| memory | ").append(machine.memory()).append(" |\n");
        md.append("| kernel | ").append(machine.kernel()).append(" |\n");
        md.append("| JDK (server and load generator) | ").append(machine.benchJdk()).append(" |\n");
        md.append("| 1-minute load average at the start | ").append(loadAtStart).append(" |\n");
        md.append("| PostgreSQL | ").append(pg).append(" (throwaway, from latchkey-testkit; one database per server) |\n\n");
        md.append("Everything runs on these CPUs: the servers, PostgreSQL and the load generator (a JVM, closed "
                + "loop, one call in flight per client, HTTP/1.1 keep-alive). The servers not being measured are idle.\n\n");

        md.append("## Servers\n\n| server | start to ready | RSS when ready |\n|---|---:|---:|\n");
        for (CompareBench.Target t : targets) {
            md.append("| ").append(t.label()).append(" | ").append(startMillis.get(t.name())).append(" ms | ")
                    .append(idleRss.get(t.name()) / 1024).append(" MiB |\n");
        }
        md.append("\nLatchkey: `./latchkey serve` on PostgreSQL, rate limits set out of reach (one load generator "
                + "on one address), otherwise defaults (argon2id; RS256). Latchkey (bcrypt 12): the same with "
                + "`LATCHKEY_PASSWORD_HASH=bcrypt` (cost 12, the peer's cost); it only runs the login scenario. "
                + "The peer: `node src/server.js` of the seed-style reference, `NODE_ENV` unset, "
                + "`LATCHKEY_BCRYPT_COST=12`. The first Latchkey start of the run (writing the AOT cache, or on "
                + "JDK 21-24 the CDS archive, when missing) took ").append(primeMillis).append(" ms and is not in the table.");
        if (keycloak != null) {
            md.append(" Keycloak: see [Keycloak](#keycloak) below; it runs login and refresh only.");
        }
        if (!options.serverWarmup().isZero()) {
            md.append(" Before the first measured run, each server was driven untimed for ")
                    .append(options.serverWarmup().toSeconds()).append(" s, through the scenarios it runs in turn at ")
                    .append(java.util.Collections.max(options.clients())).append(" clients, so that its JIT had "
                    + "compiled the hot paths (Keycloak's compilers were still busy 50 s into its first refresh run "
                    + "without it); that load is in no figure.");
        }
        md.append(" Before each measured run the benchmark waits, at most ").append(CompareBench.MAX_SETTLE.toSeconds())
                .append(" s, until the whole machine is quiet (less than ").append(CompareBench.QUIET_CORES)
                .append(" of a core busy over a second), so that work left from the run before (a JIT still "
                        + "compiling, PostgreSQL's autovacuum) is not charged to the next server.");
        md.append("\n\n");

        boolean withKeycloak = runs.stream().anyMatch(r -> r.engine().equals(KEYCLOAK));
        md.append("## Results\n\n");
        md.append("| scenario | clients | server | req/s | p50 ms | p99 ms | max ms | errors | max RSS | CPU server / bench / other | load avg | vs peer |")
                .append(withKeycloak ? " vs Keycloak |" : "").append(" % of ceiling |\n");
        md.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---:|").append(withKeycloak ? "---:|" : "").append("---:|\n");
        for (RunResult r : runs) {
            boolean peerSide = r.engine().equals("peer") || r.engine().equals(KEYCLOAK);
            RunResult peer = find(runs, "peer", r.scenario(), r.clients());
            // login: only bcrypt 12 against bcrypt 12 is a like-for-like ratio (argon2id costs differently)
            boolean unlike = r.scenario().equals("login")
                    && (r.engine().equals("latchkey") || r.engine().equals(CompareBench.ARGON2_AS_KEYCLOAK));
            String ratio = unlike || peerSide ? "" : ratio(r, peer);
            // against Keycloak (argon2 by default): only Latchkey's default (argon2id) server
            String vsKeycloak = r.engine().equals("latchkey") || r.engine().equals(CompareBench.ARGON2_AS_KEYCLOAK)
                    ? ratio(r, find(runs, KEYCLOAK, r.scenario(), r.clients())) : "";
            double ceiling = ceiling(r, machine.cpus(), ceilings);
            String pct = Double.isNaN(ceiling) || peerSide ? ""
                    : String.format(Locale.ROOT, "%.0f%% of %.0f", 100 * r.successesPerSecond() / ceiling, ceiling);
            md.append(String.format(Locale.ROOT, "| %s | %d | %s | %.0f | %.2f | %.2f | %.1f | %d%s | %d MiB | %.2f / %.2f / %.2f | %s | %s |%s %s |\n",
                    r.scenario(), r.clients(), label(targets, r.engine()), r.successesPerSecond(), r.millis(50),
                    r.millis(99), r.maxMillis(), r.errorCount(), r.errors().isEmpty() ? "" : " " + r.errors(),
                    r.serverMaxRssKib() / 1024, r.serverCpu(), r.benchCpu(), r.otherCpu(), r.loadAverage(), ratio,
                    withKeycloak ? " " + vsKeycloak + " |" : "", pct));
        }
        md.append("\nreq/s counts successful calls only; errors are answers other than the expected `200` "
                + "(for login under overload, Latchkey's `503` with `Retry-After` from the bounded hashing queue). "
                + "Max RSS is the highest `VmRSS` of the server process")
                .append(withKeycloak ? " (for Keycloak, of the `java` process its `kc.sh` starts)" : "")
                .append(", sampled every 100 ms over the run.\n\n");
        if (keycloak != null) {
            keycloakSection(md, keycloak, latchkeyHash, targets, runs, startMillis, idleRss);
        }

        md.append("## Ceilings\n\n");
        List<String> figures = ceilings.stringPropertyNames().stream().filter(k -> !STORE_ROTATE.containsKey(k))
                .sorted().toList();
        if (figures.isEmpty()) {
            md.append("No JMH figures were found (run `bench/jmh.sh` first); no ceilings.\n");
        } else {
            md.append("From the JMH microbenchmarks (`bench/jmh.sh`, one thread, on this machine):\n\n| operation | figure |\n|---|---:|\n");
            for (String key : figures) {
                md.append("| ").append(key).append(" | ").append(ceilings.getProperty(key)).append(" |\n");
            }
            md.append("\nCeiling of a run = the per-core rate of its costliest operation × the cores left to the "
                    + "server in that run (nproc − load generator CPU − other CPU, as measured in that run): "
                    + "verify = RS256 verifications/s/core; refresh = RS256 signatures/s/core; login = 1 / hash time "
                    + "(argon2id for Latchkey, bcrypt 12 for Latchkey (bcrypt 12)), at most one hash per core; "
                    + "mixed = 1 / (0.90 / verify rate + 0.09 / sign rate + 0.01 × hash time). The ceiling ignores "
                    + "HTTP, JSON and the database, so 100% is out of reach by design.\n");
        }
        storeRotate(md, ceilings);
        Path notes = options.root().resolve("docs/benchmarks-notes.md");
        if (java.nio.file.Files.isRegularFile(notes)) {
            try {
                md.append("\n").append(java.nio.file.Files.readString(notes));
            } catch (IOException e) {
                md.append("\n(docs/benchmarks-notes.md unreadable: ").append(e.getMessage()).append(")\n");
            }
        }
        return md.toString();
    }

    private static RunResult find(List<RunResult> runs, String engine, String scenario, int clients) {
        return runs.stream().filter(p -> p.engine().equals(engine) && p.scenario().equals(scenario)
                && p.clients() == clients).findFirst().orElse(null);
    }

    /** {@code r}'s successful calls per second over {@code other}'s, e.g. {@code 1.7×}; empty without a divisor. */
    private static String ratio(RunResult r, RunResult other) {
        return other == null || other.successesPerSecond() == 0 ? ""
                : String.format(Locale.ROOT, "%.1f×", r.successesPerSecond() / other.successesPerSecond());
    }

    /** Keycloak: how it ran, the hashing parameters of both, the ratios the issue asks for, start and memory. */
    private static void keycloakSection(StringBuilder md, KeycloakPeer.Info kc, String latchkeyHash,
                                        List<CompareBench.Target> targets, List<RunResult> runs,
                                        Map<String, Long> startMillis, Map<String, Long> idleRss) {
        String name = label(targets, KEYCLOAK);
        md.append("## Keycloak\n\n");
        md.append(name).append(": the distribution `").append(KeycloakPeer.ARTIFACT).append("` from Maven Central, "
                + "built once with `kc.sh build --db=postgres`, started with `kc.sh start ")
                .append(String.join(" ", KeycloakPeer.START_OPTIONS)).append(" --http-port=… --db-url=…` on its own "
                + "database of the same PostgreSQL, on the same JDK, with the JVM options of its start script (no "
                + "`JAVA_OPTS`: G1, `-Xms64m -Xmx512m`). Start to ready is timed to the first 200 of `")
                .append(KeycloakPeer.READY_PATH).append("`, on a fresh database (Keycloak creates its schema during "
                + "that start, as Latchkey runs its migrations during its own). Memory and CPU are those of the `java` "
                + "process `kc.sh` runs as its child.\n\n");
        md.append("Realm `").append(KeycloakPeer.REALM).append("`, made through the admin REST API in ")
                .append(kc.setupMillis()).append(" ms (not in any figure): access tokens ")
                .append(KeycloakPeer.ACCESS_TOKEN_LIFESPAN_SECONDS).append(" s, `revokeRefreshToken` on with "
                + "`refreshTokenMaxReuse` 0 (strict rotation: each refresh token is accepted once), a public client "
                + "with direct access grants only (standard flow off), ").append(kc.users()).append(" users with a "
                + "password each, password hashing left at Keycloak's default. Driven through its token endpoint, "
                + "`POST /realms/").append(KeycloakPeer.REALM).append("/protocol/openid-connect/token` (form): "
                + "login = `grant_type=password`; refresh = `grant_type=refresh_token` with the refresh token each "
                + "client was last given, each client its own session (opened by an untimed password grant). "
                + "**verify and mixed are not run against Keycloak**: the contract's `GET /api/me` (the server "
                + "checks the access token and returns the profile) has no equivalent at Keycloak's token "
                + "endpoint, whose access tokens the resource servers check themselves, and mixed is 90% verify.\n\n");

        md.append("### Password hashing of the two\n\n| server | algorithm and parameters, as stored (read back) | memory × passes |\n|---|---|---:|\n");
        int[] ours = latchkeyHash == null ? null : argon2Parameters(latchkeyHash);
        md.append("| Latchkey | ").append(latchkeyHash == null ? "(not read)" : "`" + latchkeyHash + "` (its `users` table)")
                .append(" | ").append(ours == null ? "" : ours[0] * ours[1] + " KiB").append(" |\n");
        int[] theirs = keycloakArgon2(kc.credentialData());
        md.append("| ").append(name).append(" | ").append(kc.hashing()).append("; `credentialData` `")
                .append(kc.credentialData()).append("` | ").append(theirs == null ? "" : theirs[0] * theirs[1] + " KiB")
                .append(" |\n\n");
        if (ours != null && theirs != null) {
            if (ours[0] == 19456 && ours[1] == 2 && ours[2] == 1 && theirs[0] == 7168 && theirs[1] == 5 && theirs[2] == 1) {
                md.append("Both are argon2id settings of the OWASP Password Storage Cheat Sheet, which lists m = 19 MiB, "
                        + "t = 2 and m = 7 MiB, t = 5 (p = 1) as equivalent in strength; Latchkey's fills more memory per "
                        + "hash (19 against 7 MiB) in fewer passes.\n\n");
            } else {
                md.append(String.format(Locale.ROOT, "Latchkey: m = %d KiB, t = %d, p = %d; Keycloak: m = %d KiB, t = %d, "
                        + "p = %d.\n\n", ours[0], ours[1], ours[2], theirs[0], theirs[1], theirs[2]));
            }
        }

        md.append("### Latchkey against Keycloak\n\n");
        md.append("| scenario | clients | Latchkey req/s | Keycloak req/s | Latchkey p99 ms | Keycloak p99 ms | errors Latchkey / Keycloak | Latchkey ÷ Keycloak | target | met? |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
        for (RunResult k : runs) {
            if (!k.engine().equals(KEYCLOAK)) {
                continue;
            }
            for (String engine : List.of("latchkey", CompareBench.ARGON2_AS_KEYCLOAK)) {
                RunResult l = find(runs, engine, k.scenario(), k.clients());
                if (l == null) {
                    continue;
                }
                double target = k.scenario().equals("refresh") ? 1.5 : 1.0;
                double x = k.successesPerSecond() == 0 ? Double.NaN : l.successesPerSecond() / k.successesPerSecond();
                String what = !k.scenario().equals("login") ? k.scenario()
                        : engine.equals("latchkey") ? "login (Latchkey's default argon2id, Keycloak its default)"
                        : "login (Latchkey argon2id m=8192,t=5,p=1: every parameter ≥ Keycloak's)";
                md.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.2f | %.2f | %d / %d | %s | ≥ %.1f× | %s |\n",
                        what, k.clients(), l.successesPerSecond(), k.successesPerSecond(), l.millis(99), k.millis(99),
                        l.errorCount(), k.errorCount(),
                        Double.isNaN(x) ? "" : String.format(Locale.ROOT, "%.2f×", x), target,
                        Double.isNaN(x) ? "" : x >= target ? "yes" : "no"));
            }
        }
        md.append("\nTargets of the issue: refresh at least 1.5× Keycloak (stated at 64 clients, with Latchkey's p99 "
                + "under 50 ms); login with the default argon2id at least Keycloak's logins per second, at hashing "
                + "parameters no weaker than its own (above). req/s counts successful calls only: Latchkey refuses "
                + "logins beyond its bounded hashing queue with a fast `503` (counted as errors), where Keycloak "
                + "queues them (see the p99). Both servers measured in turns in the same minutes.\n\n");

        md.append("| | Latchkey | ").append(name).append(" |\n|---|---:|---:|\n");
        md.append("| start to ready, fresh database | ").append(startMillis.get("latchkey")).append(" ms (`/readyz`) | ")
                .append(startMillis.get(KEYCLOAK)).append(" ms (discovery document) |\n");
        md.append("| RSS when ready | ").append(idleRss.get("latchkey") / 1024).append(" MiB | ")
                .append(idleRss.get(KEYCLOAK) / 1024).append(" MiB |\n");
        md.append("| highest RSS under load (login and refresh runs) | ").append(maxRss(runs, "latchkey") / 1024)
                .append(" MiB | ").append(maxRss(runs, KEYCLOAK) / 1024).append(" MiB |\n\n");
    }

    private static long maxRss(List<RunResult> runs, String engine) {
        return runs.stream().filter(r -> r.engine().equals(engine) && CompareBench.KEYCLOAK_SCENARIOS.contains(r.scenario()))
                .mapToLong(RunResult::serverMaxRssKib).max().orElse(-1024);
    }

    /** m (KiB), t, p of a PHC-style argon2 parameter string ({@code $argon2id$v=19$m=19456,t=2,p=1}), or null. */
    static int[] argon2Parameters(String phc) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("m=(\\d+),t=(\\d+),p=(\\d+)").matcher(phc);
        return m.find() ? new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))}
                : null;
    }

    /** m (KiB), t, p of Keycloak's argon2 credential data, or null when it is something else. */
    static int[] keycloakArgon2(String credentialData) {
        java.util.regex.Matcher memory = java.util.regex.Pattern.compile("\"memory\"\\s*:\\s*\\[\\s*\"(\\d+)\"").matcher(credentialData);
        java.util.regex.Matcher iterations = java.util.regex.Pattern.compile("\"hashIterations\"\\s*:\\s*(\\d+)").matcher(credentialData);
        java.util.regex.Matcher lanes = java.util.regex.Pattern.compile("\"parallelism\"\\s*:\\s*\\[\\s*\"(\\d+)\"").matcher(credentialData);
        if (!credentialData.contains("\"argon2\"") || !memory.find() || !iterations.find() || !lanes.find()) {
            return null;
        }
        return new int[] {Integer.parseInt(memory.group(1)), Integer.parseInt(iterations.group(1)),
                Integer.parseInt(lanes.group(1))};
    }

    /** The store's compare-and-set (JMH, one thread), when {@code bench/jmh.sh} measured it; nothing otherwise. */
    private static void storeRotate(StringBuilder md, Properties ceilings) {
        List<Map.Entry<String, String>> present = STORE_ROTATE.entrySet().stream()
                .filter(e -> ceilings.getProperty(e.getKey()) != null).toList();
        if (present.isEmpty()) {
            return;
        }
        md.append("\nThe store's compare-and-set of a refresh rotation (the database side of one refresh), JMH, one "
                + "thread:\n\n| store | rotations/s | key |\n|---|---:|---|\n");
        for (Map.Entry<String, String> e : present) {
            String value = ceilings.getProperty(e.getKey());
            String shown;
            try {
                shown = String.format(Locale.ROOT, "%.0f", Double.parseDouble(value.strip()));
            } catch (NumberFormatException notANumber) {
                shown = value;
            }
            md.append("| ").append(e.getValue()).append(" | ").append(shown).append(" | `").append(e.getKey()).append("` |\n");
        }
    }

    /** The best throughput this machine could give this run, from the per-core costs; NaN when unknown. */
    static double ceiling(RunResult r, int cpus, Properties c) {
        double cores = Math.max(0.1, cpus - r.benchCpu() - r.otherCpu());
        double sign = number(c, r.engine().equals(CompareBench.JDK_RSA) ? "rs256.sign.jdk.ops_per_s_per_core"
                : "rs256.sign.ops_per_s_per_core");
        double verify = number(c, "rs256.verify.ops_per_s_per_core");
        double hashMs = r.engine().equals("latchkey-bcrypt") ? number(c, "bcrypt12.verify.ms")
                : r.engine().equals(CompareBench.ARGON2_AS_KEYCLOAK) ? Double.NaN // not measured by JMH
                : number(c, "argon2id.verify.ms");
        return switch (r.scenario()) {
            case "verify" -> verify * cores;
            case "refresh" -> sign * cores;
            case "login" -> 1000 / hashMs * Math.min(cores, cpus);
            case "mixed" -> cores / (0.90 / verify + 0.09 / sign + 0.01 * hashMs / 1000);
            default -> Double.NaN;
        };
    }

    private static double number(Properties c, String key) {
        String v = c.getProperty(key);
        return v == null ? Double.NaN : Double.parseDouble(v);
    }

    private static String label(List<CompareBench.Target> targets, String name) {
        return targets.stream().filter(t -> t.name().equals(name)).map(CompareBench.Target::label).findFirst().orElse(name);
    }

    /** Successful calls per second, per scenario and client count, one bar per server; log scale. */
    static void plot(List<RunResult> runs, List<CompareBench.Target> targets, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (RunResult r : runs) {
            data.addValue(Math.max(0.1, r.successesPerSecond()), label(targets, r.engine()), r.scenario() + " × " + r.clients());
        }
        JFreeChart chart = ChartFactory.createBarChart("Successful calls per second (log scale)", "scenario × clients",
                "calls/s", data, PlotOrientation.VERTICAL, true, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        LogAxis axis = new LogAxis("calls/s");
        axis.setSmallestValue(0.1);
        plot.setRangeAxis(axis);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 1000, 500);
    }
}
