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
 * the memory and CPU readings watch (checked: {@link #comm()} is {@code java}). A launcher that
 * runs its JVM as a child instead (Keycloak's {@code kc.sh}) is followed to that JVM: {@link #pid()}
 * is then the child {@code java} process's.
 */
final class ServerProcess implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);

    private final Process process;
    private final Path log;
    private final int port;
    private final long startToReadyMillis;
    private final long idleRssKib;
    private final List<String> cmdline;
    private final long measuredPid;

    private ServerProcess(Process process, Path log, int port, long startToReadyMillis) {
        this.process = process;
        this.log = log;
        this.port = port;
        this.startToReadyMillis = startToReadyMillis;
        this.measuredPid = jvmPid(process);
        this.idleRssKib = ProcStats.rssKib(measuredPid);
        this.cmdline = ProcStats.cmdline(measuredPid);
    }

    /**
     * The process whose memory and CPU are the server's: the started process when it is the JVM
     * (or not a JVM at all, like the Node peer), else its first descendant named {@code java}
     * (a start script that runs the JVM as its child).
     */
    private static long jvmPid(Process process) {
        if (ProcStats.comm(process.pid()).equals("java")) {
            return process.pid();
        }
        return process.descendants().filter(h -> ProcStats.comm(h.pid()).equals("java")).mapToLong(ProcessHandle::pid)
                .findFirst().orElse(process.pid());
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
        return start(command, workDir, port, settings, "/readyz");
    }

    /**
     * Starts any server command the same way, ready at the first 200 of {@code readyPath}
     * (Keycloak: its OpenID discovery document). Inherited {@code KC_*} and {@code JAVA_OPTS*}
     * variables are dropped as well, so Keycloak's start script runs with its own defaults.
     */
    static ServerProcess start(List<String> command, Path workDir, int port, Map<String, String> settings,
                               String readyPath) throws IOException, InterruptedException {
        Path log = workDir.resolve("server-" + port + ".log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("LATCHKEY_") || name.equals("PORT")
                || name.equals("NODE_ENV") || name.equals("DATABASE_URL") || name.startsWith("KC_")
                || name.startsWith("JAVA_OPTS") || name.equals("JAVA_ADD_OPENS") || name.equals("JAVA_LOCALE"));
        env.put("PORT", Integer.toString(port));
        env.putAll(settings);
        String javaOpts = System.getenv("BENCH_SERVER_JAVA_OPTS"); // e.g. a JFR recording while profiling
        if (javaOpts != null && !javaOpts.isBlank() && !settings.containsKey("LATCHKEY_JAVA_OPTS")) {
            env.put("LATCHKEY_JAVA_OPTS", javaOpts);
        }

        HttpClient probe = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest readyz = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + readyPath))
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
                process.descendants().forEach(ProcessHandle::destroyForcibly);
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

    /** The server JVM's PID (see {@link #jvmPid}): the process the memory and CPU readings watch. */
    long pid() {
        return measuredPid;
    }

    int port() {
        return port;
    }

    String comm() {
        return ProcStats.comm(measuredPid);
    }

    /** Milliseconds from starting {@code ./latchkey serve} (or the command) to the first 200 of the readiness path. */
    long startToReadyMillis() {
        return startToReadyMillis;
    }

    /** VmRSS right after the readiness path first answered 200. */
    long idleRssKib() {
        return idleRssKib;
    }

    /** True while the measured process (the JVM) is running. */
    boolean isAlive() {
        return ProcessHandle.of(measuredPid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** The last lines of the server's log. */
    String logTail() {
        return tail(log);
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

    /**
     * Stops the server as an operator would (SIGTERM), forcibly after 30 s; a child JVM left
     * behind by its start script is stopped the same way.
     */
    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        for (ProcessHandle child : children) {
            if (child.isAlive()) {
                child.destroy();
                try {
                    child.onExit().get(30, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    child.destroyForcibly();
                }
            }
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
