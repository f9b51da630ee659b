package dev.latchkey.bench;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes the results as {@code docs/benchmarks.md}. */
final class Report {

    private Report() {
    }

    static String markdown(MachineInfo machine, Instant date, BenchOptions options, Long primeMillis,
                           List<EngineRun> engines) {
        StringBuilder md = new StringBuilder();
        String when = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC).format(date);
        md.append("# Latchkey benchmarks\n\n");
        md.append("Measured on ").append(when).append(" with\n\n```sh\n./latchkey bench\n```\n\n");
        md.append("(this run: `--warmup ").append(seconds(options.warmup().toMillis()))
                .append(" --duration ").append(seconds(options.duration().toMillis()))
                .append(" --clients ").append(join(options.clients()))
                .append(" --engines ").append(String.join(",", options.engines()))
                .append(" --http-client ").append(options.httpClientMode()).append("`; `./latchkey bench --help` lists the options).\n")
                .append("Numbers from one run on one machine: compare them with runs on the same machine, not across machines.\n\n");

        md.append("## Machine\n\n| | |\n|---|---|\n");
        row(md, "CPUs (nproc)", Integer.toString(machine.cpus()));
        row(md, "CPU model", machine.cpuModel());
        row(md, "memory", machine.memory());
        row(md, "Linux kernel", machine.kernel());
        row(md, "server JDK (the one `./latchkey` picks)", machine.serverJdk());
        row(md, "load generator JDK", machine.benchJdk());
        if (!engines.isEmpty()) {
            row(md, "server JVM options (read from `/proc/<pid>/cmdline`; `.` is the repository)",
                    "`" + jvmOptions(engines.get(0).jvmCommand()).replace(options.root().toString(), ".") + "`");
        }
        md.append("\nThe load generator runs on the same machine and shares its CPUs with the server (and with "
                + "PostgreSQL): its own CPU use is in the tables. CPU columns are in cores (1.00 = one core busy for "
                + "the whole measured window, " + machine.cpus() + " at most); \"other\" is every other process on the machine "
                + "(PostgreSQL in its runs, and any unrelated work: when it is well above zero in a SQLite run, the machine "
                + "was not quiet and the figures are low). The load average is the 1-minute one at the end of the window.\n\n");

        md.append("## Refresh rotation\n\n");
        md.append("Each client registers its own user, so each has its own session (its own token family), then "
                + "loops `POST /auth/refresh` with its current `refresh_token` cookie, `X-CSRF-Token` and `Origin`, "
                + "carrying the rotated cookie of each answer into the next call: closed loop, one call in flight "
                + "per client, over HTTP/1.1 keep-alive connections (`java.net.http.HttpClient`, "
                + (options.httpClientMode().equals("shared") ? "one client shared by all workers" : "one client per worker")
                + ", each worker a virtual thread). Each call is a full rotation: look the token up, compare-and-set "
                + "the session row, sign a new RS256 access token. Only calls that start after the warm-up and end "
                + "within the measured window count. An error is any answer other than `200` with a new refresh cookie "
                + "and an access token; a client whose session broke logs in again (not timed) and the break stays "
                + "counted.\n\n");
        md.append("| database | clients | req/s | p50 ms | p99 ms | max ms | errors | server max RSS | CPU server / load generator / other | load avg |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (EngineRun engine : engines) {
            for (RunResult r : engine.runs()) {
                md.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.2f | %.2f | %.2f | %d | %d MiB | %.2f / %.2f / %.2f | %s |%n",
                        label(engine.engine()), r.clients(), r.requestsPerSecond(), r.millis(50), r.millis(99),
                        r.maxMillis(), r.errorCount(), r.serverMaxRssKib() / 1024, r.serverCpu(), r.benchCpu(),
                        r.otherCpu(), r.loadAverage()));
            }
        }
        md.append("\nServer max RSS: the highest `VmRSS` of the server JVM, sampled every 100 ms from the start of the "
                + "warm-up to the end of the run.\n\n");
        errors(md, engines);

        md.append("## Start to ready\n\n");
        md.append("From starting `./latchkey serve` (the launcher, which `exec`s the JVM) to the first `200` from "
                + "`/readyz` (polled every 5 ms), with the jar already built and the launcher's class-data-sharing "
                + "archive in place");
        if (primeMillis != null) {
            md.append(" (the first start after a build writes that archive: that start took ").append(primeMillis)
                    .append(" ms here and is not in the table)");
        }
        md.append(". The PostgreSQL start includes the migrations on an empty database, the SQLite start creating "
                + "the database file; both generate the development signing key (RSA 2048) in a fresh data directory.\n\n");
        md.append("| database | start to ready | server RSS when ready |\n|---|---:|---:|\n");
        for (EngineRun engine : engines) {
            md.append(String.format(Locale.ROOT, "| %s | %d ms%s | %d MiB |%n", label(engine.engine()),
                    engine.startToReadyMillis(), engine.launcherBuilt() ? " (includes a build by the launcher)" : "",
                    engine.idleRssKib() / 1024));
        }

        md.append("\n## Setup\n\n");
        for (EngineRun engine : engines) {
            md.append("- ").append(label(engine.engine())).append(": ").append(engine.databaseDetails()).append(".\n");
        }
        md.append("- Server configuration: defaults (database pool size 10; SQLite caps its pool at 4), except `PORT`, "
                + "`LATCHKEY_DATA_DIR` (a temp directory), `LATCHKEY_ISSUER=http://localhost:<port>`, and "
                + "`LATCHKEY_DATABASE_URL` for PostgreSQL. Each database starts empty, with a server of its own.\n");
        md.append("- HTTP client: one `HttpClient` shared by every worker is the default because, measured on this "
                + "machine when it was chosen, it cost the load generator less CPU per call than one client per worker "
                + "(about 0.7-0.9 ms against 0.85-1.4 ms at 16 and 64 clients) and spread the answers evenly over the "
                + "clients (with one client per worker, p50 fell far below the mean at 64 clients: some clients were "
                + "served much more often than others); throughput differences were within the noise. "
                + "`--http-client per-client` runs the other way.\n");
        md.append("- Warm-up ").append(seconds(options.warmup().toMillis())).append(", measured ")
                .append(seconds(options.duration().toMillis()))
                .append(" per client count; the client counts run one after the other on the same server.\n");
        return md.toString();
    }

    private static void errors(StringBuilder md, List<EngineRun> engines) {
        boolean any = false;
        StringBuilder detail = new StringBuilder();
        for (EngineRun engine : engines) {
            for (RunResult r : engine.runs()) {
                if (r.errors().isEmpty() && r.otherErrors().isEmpty() && r.reopens() <= r.clients()) {
                    continue;
                }
                any = true;
                detail.append("- ").append(label(engine.engine())).append(", ").append(r.clients()).append(" clients: ");
                detail.append("counted ").append(describe(r.errors())).append("; outside the counted calls ")
                        .append(describe(r.otherErrors())).append("; ")
                        .append(Math.max(0, r.reopens() - r.clients())).append(" re-logins after a broken session.\n");
            }
            if (!engine.serverProblems().isEmpty()) {
                any = true;
                detail.append("- ").append(label(engine.engine())).append(" server log, warnings and errors:\n");
                for (String line : engine.serverProblems()) {
                    detail.append("  - `").append(line.replace("`", "'")).append("`\n");
                }
            }
        }
        md.append("### Errors\n\n");
        md.append(any ? detail.toString() : "None: every call was answered `200` with a rotated cookie, and the server "
                + "logged no warning or error (beyond the expected notes that it runs on development defaults).\n");
        md.append('\n');
    }

    private static String describe(Map<String, Long> tally) {
        if (tally.isEmpty()) {
            return "none";
        }
        StringBuilder s = new StringBuilder();
        tally.forEach((key, count) -> s.append(s.isEmpty() ? "" : ", ").append(count).append(" × `").append(key).append('`'));
        return s.toString();
    }

    private static String jvmOptions(List<String> cmdline) {
        StringBuilder s = new StringBuilder();
        for (int i = 1; i < cmdline.size(); i++) {
            if (cmdline.get(i).equals("-jar")) {
                break;
            }
            s.append(s.isEmpty() ? "" : " ").append(cmdline.get(i));
        }
        return s.toString();
    }

    private static String label(String engine) {
        return engine.equals("postgres") ? "PostgreSQL" : "SQLite";
    }

    private static String seconds(long millis) {
        return millis % 1000 == 0 ? (millis / 1000) + "s" : millis + "ms";
    }

    private static String join(List<Integer> values) {
        StringBuilder s = new StringBuilder();
        values.forEach(v -> s.append(s.isEmpty() ? "" : ",").append(v));
        return s.toString();
    }

    private static void row(StringBuilder md, String name, String value) {
        md.append("| ").append(name).append(" | ").append(value.replace("|", "\\|")).append(" |\n");
    }
}
