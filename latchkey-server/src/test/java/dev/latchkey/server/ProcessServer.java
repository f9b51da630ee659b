package dev.latchkey.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Latchkey as a child process ({@code java -cp <test class path> dev.latchkey.server.Main serve}),
 * for what an in-process server cannot show: a hard crash (SIGKILL, no shutdown hook, no
 * graceful close of the pool) and a start from cold on the same database and data directory.
 * The child's output goes to a log file, quoted when it fails to start.
 */
public final class ProcessServer implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final int port;
    private final Path log;

    private ProcessServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts a server on a free port with cheap password hashing and the test issuer, waits
     * until {@code /readyz} answers 200. {@code overrides} are added to (or replace) that
     * environment; a null database URL means the embedded SQLite file in the data directory.
     */
    public static ProcessServer start(String databaseUrl, Path dataDirectory, Map<String, String> overrides) {
        return start(databaseUrl, dataDirectory, overrides, List.of());
    }

    /** As above, with extra JVM options (such as {@code -Dlogback.configurationFile=logback.xml}). */
    public static ProcessServer start(String databaseUrl, Path dataDirectory, Map<String, String> overrides,
                                      List<String> jvmOptions) {
        int port = freePort();
        Map<String, String> env = new HashMap<>();
        env.put("PORT", Integer.toString(port));
        env.put("LATCHKEY_DATA_DIR", dataDirectory.toString());
        env.put("LATCHKEY_ISSUER", "http://localhost:8080");
        env.put("LATCHKEY_ARGON2_MEMORY_KIB", "8192");
        env.put("LATCHKEY_ARGON2_ITERATIONS", "1");
        env.putAll(TestServer.GENEROUS_LIMITS);
        if (databaseUrl != null) {
            env.put("LATCHKEY_DATABASE_URL", databaseUrl);
        }
        env.putAll(overrides);

        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new java.util.ArrayList<>(List.of(java.toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.latchkey.server.Main", "serve"));
        ProcessBuilder builder = new ProcessBuilder(command);
        // Only the configuration given here: nothing of the surrounding shell's LATCHKEY_* leaks in.
        builder.environment().keySet().removeIf(name -> name.startsWith("LATCHKEY_") || name.equals("PORT"));
        builder.environment().putAll(env);
        Path log;
        try {
            log = Files.createTempFile("latchkey-process-", ".log");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ProcessServer server = new ProcessServer(process, port, log);
        server.awaitReady();
        return server;
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the server process exited with " + process.exitValue() + " before it was ready:\n"
                        + logText());
            }
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/readyz"))
                        .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(50);
        }
        process.destroyForcibly();
        throw new AssertionError("the server process was not ready within " + READY_TIMEOUT + ":\n" + logText());
    }

    public String baseUrl() {
        return "http://localhost:" + port;
    }

    public long pid() {
        return process.pid();
    }

    /**
     * Kills the process with SIGKILL ({@link Process#destroyForcibly()} on Linux): no shutdown
     * hook runs, nothing is flushed or closed. Returns the exit value, 137 (128 + 9) when the
     * kill signal ended it.
     */
    public int kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new AssertionError("the server process did not die within 10 s of SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return process.exitValue();
    }

    /** The exit value once the process has ended (waits up to 30 s for it). */
    public int exitValue() {
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError("the server process did not exit within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return process.exitValue();
    }

    public String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** Stops the process gracefully (SIGTERM), killing it if it does not stop within 10 s. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            // a leftover temp file is harmless
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
