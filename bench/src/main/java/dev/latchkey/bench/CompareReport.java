package dev.latchkey.bench;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
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

    private CompareReport() {
    }

    static String markdown(MachineInfo machine, Instant date, String loadAtStart, CompareBench.Options options,
                           List<CompareBench.Target> targets, List<RunResult> runs, Map<String, Long> startMillis,
                           Map<String, Long> idleRss, long primeMillis, Properties ceilings, String pg) {
        StringBuilder md = new StringBuilder();
        md.append("# Latchkey benchmarks\n\n");
        md.append("Measured on ").append(CompareBench.utc(date)).append(" with `./latchkey bench` (`--warmup ")
                .append(options.warmup().toSeconds()).append("s --duration ").append(options.duration().toSeconds())
                .append("s --clients ").append(String.join(",", options.clients().stream().map(String::valueOf).toList()))
                .append(" --scenarios ").append(String.join(",", options.scenarios())).append("`).\n")
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
                + "JDK 21-24 the CDS archive, when missing) took ").append(primeMillis).append(" ms and is not in the table.\n\n");

        md.append("## Results\n\n");
        md.append("| scenario | clients | server | req/s | p50 ms | p99 ms | max ms | errors | max RSS | CPU server / bench / other | load avg | vs peer | % of ceiling |\n");
        md.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|\n");
        for (RunResult r : runs) {
            RunResult peer = runs.stream().filter(p -> p.engine().equals("peer") && p.scenario().equals(r.scenario())
                    && p.clients() == r.clients()).findFirst().orElse(null);
            // login: only bcrypt 12 against bcrypt 12 is a like-for-like ratio (argon2id costs differently)
            boolean unlike = r.scenario().equals("login") && r.engine().equals("latchkey");
            String ratio = peer == null || unlike || r.engine().equals("peer") || peer.successesPerSecond() == 0 ? ""
                    : String.format(Locale.ROOT, "%.1f×", r.successesPerSecond() / peer.successesPerSecond());
            double ceiling = ceiling(r, machine.cpus(), ceilings);
            String pct = Double.isNaN(ceiling) || r.engine().equals("peer") ? ""
                    : String.format(Locale.ROOT, "%.0f%% of %.0f", 100 * r.successesPerSecond() / ceiling, ceiling);
            md.append(String.format(Locale.ROOT, "| %s | %d | %s | %.0f | %.2f | %.2f | %.1f | %d%s | %d MiB | %.2f / %.2f / %.2f | %s | %s | %s |\n",
                    r.scenario(), r.clients(), label(targets, r.engine()), r.successesPerSecond(), r.millis(50),
                    r.millis(99), r.maxMillis(), r.errorCount(), r.errors().isEmpty() ? "" : " " + r.errors(),
                    r.serverMaxRssKib() / 1024, r.serverCpu(), r.benchCpu(), r.otherCpu(), r.loadAverage(), ratio, pct));
        }
        md.append("\nreq/s counts successful calls only; errors are answers other than the expected `200` "
                + "(for login under overload, Latchkey's `503` with `Retry-After` from the bounded hashing queue). "
                + "Max RSS is the highest `VmRSS` of the server process, sampled every 100 ms over the run.\n\n");

        md.append("## Ceilings\n\n");
        if (ceilings.isEmpty()) {
            md.append("No JMH figures were found (run `bench/jmh.sh` first); no ceilings.\n");
        } else {
            md.append("From the JMH microbenchmarks (`bench/jmh.sh`, one thread, on this machine):\n\n| operation | figure |\n|---|---:|\n");
            for (String key : ceilings.stringPropertyNames().stream().sorted().toList()) {
                md.append("| ").append(key).append(" | ").append(ceilings.getProperty(key)).append(" |\n");
            }
            md.append("\nCeiling of a run = the per-core rate of its costliest operation × the cores left to the "
                    + "server in that run (nproc − load generator CPU − other CPU, as measured in that run): "
                    + "verify = RS256 verifications/s/core; refresh = RS256 signatures/s/core; login = 1 / hash time "
                    + "(argon2id for Latchkey, bcrypt 12 for Latchkey (bcrypt 12)), at most one hash per core; "
                    + "mixed = 1 / (0.90 / verify rate + 0.09 / sign rate + 0.01 × hash time). The ceiling ignores "
                    + "HTTP, JSON and the database, so 100% is out of reach by design.\n");
        }
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

    /** The best throughput this machine could give this run, from the per-core costs; NaN when unknown. */
    static double ceiling(RunResult r, int cpus, Properties c) {
        double cores = Math.max(0.1, cpus - r.benchCpu() - r.otherCpu());
        double sign = number(c, "rs256.sign.ops_per_s_per_core");
        double verify = number(c, "rs256.verify.ops_per_s_per_core");
        double hashMs = r.engine().equals("latchkey-bcrypt") ? number(c, "bcrypt12.verify.ms") : number(c, "argon2id.verify.ms");
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
