package dev.latchkey.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The server under test, started the way users start it: {@code ./latchkey serve}, as a child
 * process. The launcher {@code exec}s the JVM, so the child's PID is the JVM's PID, which is what
 * the memory and CPU readings watch (checked: {@link #comm()} is {@code java}).
 */
final class ServerProcess implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);

    private final Process process;
    private final Path log;
    private final int port;
    private final long startToReadyMillis;
    private final long idleRssKib;
    private final List<String> cmdline;

    private ServerProcess(Process process, Path log, int port, long startToReadyMillis) {
        this.process = process;
        this.log = log;
        this.port = port;
        this.startToReadyMillis = startToReadyMillis;
        this.idleRssKib = ProcStats.rssKib(process.pid());
        this.cmdline = ProcStats.cmdline(process.pid());
    }

    /**
     * Starts {@code launcher serve} in {@code workDir} on {@code port} with the given
     * {@code LATCHKEY_*} variables (inherited ones are dropped so the run is what it says), and
     * waits until {@code /readyz} answers 200.
     */
    static ServerProcess start(Path launcher, Path workDir, int port, Map<String, String> settings)
            throws IOException, InterruptedException {
        return start(List.of(launcher.toString(), "serve"), workDir, port, settings);
    }

    /**
     * Starts any server command (the seed-style peer: {@code node src/server.js}) the same way:
     * inherited {@code LATCHKEY_*} and {@code NODE_ENV} variables dropped, {@code PORT} set, ready at
     * the first {@code /readyz} 200.
     */
    static ServerProcess start(List<String> command, Path workDir, int port, Map<String, String> settings)
            throws IOException, InterruptedException {
        Path log = workDir.resolve("server-" + port + ".log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("LATCHKEY_") || name.equals("PORT")
                || name.equals("NODE_ENV") || name.equals("DATABASE_URL"));
        env.put("PORT", Integer.toString(port));
        env.putAll(settings);
        String javaOpts = System.getenv("BENCH_SERVER_JAVA_OPTS"); // e.g. a JFR recording while profiling
        if (javaOpts != null && !javaOpts.isBlank() && !settings.containsKey("LATCHKEY_JAVA_OPTS")) {
            env.put("LATCHKEY_JAVA_OPTS", javaOpts);
        }

        HttpClient probe = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest readyz = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
                .timeout(Duration.ofSeconds(2)).GET().build();
        long started = System.nanoTime();
        Process process = builder.start();
        long deadline = started + READY_TIMEOUT.toNanos();
        while (true) {
            try {
                if (probe.send(readyz, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    break;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("the server exited with " + process.exitValue() + " before it was ready:\n"
                        + tail(log));
            }
            if (System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("the server was not ready within " + READY_TIMEOUT + ":\n" + tail(log));
            }
            Thread.sleep(5);
        }
        long readyMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        probe.close();
        return new ServerProcess(process, log, port, readyMillis);
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    long pid() {
        return process.pid();
    }

    int port() {
        return port;
    }

    String comm() {
        return ProcStats.comm(process.pid());
    }

    /** Milliseconds from starting {@code ./latchkey serve} to the first {@code /readyz} 200. */
    long startToReadyMillis() {
        return startToReadyMillis;
    }

    /** VmRSS right after {@code /readyz} first answered 200. */
    long idleRssKib() {
        return idleRssKib;
    }

    /** The JVM's command line as the kernel sees it. */
    List<String> cmdline() {
        return cmdline;
    }

    /** True when the launcher had to build before starting, which then counts in {@link #startToReadyMillis()}. */
    boolean launcherBuilt() {
        return logText().contains("latchkey: building");
    }

    String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Stops the server as an operator would (SIGTERM), forcibly after 30 s. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no server log)";
        }
    }
}
