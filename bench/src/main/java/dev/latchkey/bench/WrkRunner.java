package dev.latchkey.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The {@code verify} scenario driven by {@code wrk} (Debian's package) instead of the Java load
 * generator: a plain authenticated GET is cheap enough that the JDK HTTP client's own CPU (about
 * a third of a millisecond per call here) would take a large share of the two cores the server
 * shares it with, and the benchmark would measure the client. wrk spends a few microseconds per
 * call. Both servers are driven the same way.
 *
 * <p>Each of N clients registers and logs in first (through the Java client, not measured); wrk
 * then keeps N connections busy, each call carrying the access token of one of the N sessions in
 * turn. A Lua {@code done} hook prints wrk's latency distribution at every 0.1 % so the run's
 * percentiles and maximum land in the same {@link RunResult} as the Java runs.
 */
final class WrkRunner {
    private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(2);

    private WrkRunner() {
    }

    /** True when a {@code wrk} binary is on the PATH. */
    static boolean available() {
        try {
            Process p = new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor();
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static RunResult verify(String engine, URI base, String origin, int clients, Duration warmup, Duration measure,
                            long serverPid, Path work) throws IOException, InterruptedException {
        List<String> tokens = tokens(base, origin, clients);
        Path script = Files.createTempFile(work, "verify-", ".lua");
        Files.writeString(script, script(tokens), StandardCharsets.UTF_8);
        String url = base.resolve("/api/me").toString();

        warmUp(url, script, clients, warmup);
        LoadRunner.Window window = new LoadRunner.Window();
        // wrk runs a second longer than the sampled window, so that its CPU time is still readable
        // at the window's end; its own figures cover its whole run
        Process wrk = start(url, script, clients, measure.plusSeconds(1));
        long start = System.nanoTime();
        window.warmEnd = start;
        window.end = start + measure.toNanos();
        LoadRunner.Sampler sampler = new LoadRunner.Sampler(serverPid, wrk.pid(), window);
        Thread samplerThread = Thread.ofPlatform().daemon().name("wrk-sampler").start(sampler);
        String output = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (wrk.waitFor() != 0) {
            throw new IOException("wrk failed: " + output);
        }
        // wrk's own CPU is only readable while it runs: the sampler has read it at the window's end
        sampler.stop = true;
        samplerThread.join();
        return parse(output, engine, clients, sampler, measure);
    }

    private static List<String> tokens(URI base, String origin, int clients) throws IOException, InterruptedException {
        HttpClient http = LatchkeyHttp.newClient();
        try {
            MixedScenario setup = new MixedScenario("verify", 100, 0, 0, () -> http, List.of(base), origin,
                    java.util.UUID.randomUUID().toString().substring(0, 8));
            List<String> tokens = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                MixedScenario.MixedWorker worker = (MixedScenario.MixedWorker) setup.newWorker(i);
                try {
                    worker.open();
                } catch (Scenario.CallFailed e) {
                    throw new IOException("setting up client " + i + " failed: " + e.key());
                }
                tokens.add(worker.accessToken());
            }
            return tokens;
        } finally {
            http.close();
        }
    }

    private static String script(List<String> tokens) {
        StringBuilder lua = new StringBuilder("local tokens = {\n");
        for (String token : tokens) {
            lua.append("  \"").append(token).append("\",\n");
        }
        lua.append("""
                }
                local n = 0
                request = function()
                  n = n + 1
                  return wrk.format("GET", nil, { ["Authorization"] = "Bearer " .. tokens[(n % #tokens) + 1] })
                end
                done = function(summary, latency, requests)
                  local e = summary.errors
                  io.write(string.format("LK requests %d duration_us %d status %d connect %d read %d write %d timeout %d max %d\\n",
                    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout, latency.max))
                  for i = 1, 1000 do
                    io.write(string.format("LK q %d\\n", latency:percentile(i / 10)))
                  end
                end
                """);
        return lua.toString();
    }

    private static Process start(String url, Path script, int clients, Duration length) throws IOException {
        // one wrk thread: it keeps far more connections busy than the server can answer
        return new ProcessBuilder("wrk", "-t1", "-c" + clients, "-d" + Math.max(1, length.toSeconds()) + "s",
                "--timeout", "10s", "-s", script.toString(), url).redirectErrorStream(true).start();
    }

    /** The same load for {@code length}, not counted: its output is read and dropped. */
    private static void warmUp(String url, Path script, int clients, Duration length)
            throws IOException, InterruptedException {
        Process p = start(url, script, clients, length);
        p.getInputStream().readAllBytes();
        p.waitFor();
    }

    private static RunResult parse(String output, String engine, int clients, LoadRunner.Sampler sampler,
                                   Duration sampled) throws IOException {
        long requests = -1;
        double seconds = 0;
        long max = 0;
        Map<String, Long> errors = new TreeMap<>();
        List<Long> quantiles = new ArrayList<>();
        for (String line : output.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 2 && f[0].equals("LK") && f[1].equals("requests")) {
                requests = Long.parseLong(f[2]);
                seconds = Long.parseLong(f[4]) / 1e6;
                String[] kinds = {"non-2xx/3xx", "connect", "read", "write", "timeout"};
                for (int k = 0; k < kinds.length; k++) {
                    long n = Long.parseLong(f[6 + 2 * k]);
                    if (n > 0) {
                        errors.put(kinds[k], n);
                    }
                }
                max = Long.parseLong(f[16]);
            } else if (f.length == 3 && f[0].equals("LK") && f[1].equals("q")) {
                quantiles.add(Long.parseLong(f[2]));
            }
        }
        if (requests < 0 || quantiles.size() != 1000) {
            throw new IOException("unexpected wrk output:\n" + output);
        }
        // the distribution at 0.1 % resolution: each quantile stands for a thousandth of the calls
        Histogram latency = new Histogram(HIGHEST_MICROS, 3);
        long per = Math.max(1, requests / 1000);
        for (long q : quantiles) {
            latency.recordValueWithCount(Math.min(HIGHEST_MICROS, Math.max(1, q)), per);
        }
        latency.recordValue(Math.min(HIGHEST_MICROS, Math.max(1, max)));
        double window = seconds > 0 ? seconds : 1;
        double cpuWindow = sampled.toNanos();
        return new RunResult("verify", engine, clients, "wrk", window, requests, latency, errors, Map.of(), 0,
                sampler.maxRssKib.get(), sampler.serverCpuNanos() / cpuWindow, sampler.benchCpuNanos() / cpuWindow,
                sampler.machineCpuNanos() / cpuWindow, sampler.loadAtEnd);
    }
}
