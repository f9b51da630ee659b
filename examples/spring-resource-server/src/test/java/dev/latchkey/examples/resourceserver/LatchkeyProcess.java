package dev.latchkey.examples.resourceserver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged Latchkey server ({@code latchkey-server.jar} with its {@code lib/}) started as a
 * child process on a free port, with {@code LATCHKEY_ISSUER=http://localhost:<port>}, a fresh
 * embedded database and cheap password hashing. A separate process keeps Latchkey's
 * dependencies and Spring Boot's apart, as they are in production.
 */
final class LatchkeyProcess implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final int port;
    private final Path log;

    private LatchkeyProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    static LatchkeyProcess start(Map<String, String> settings) {
        Path jar = serverJar();
        int port = freePort();
        try {
            Path dataDirectory = Files.createTempDirectory("latchkey-example");
            Path log = Files.createTempFile("latchkey-example-", ".log");
            ProcessBuilder builder = new ProcessBuilder(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                    "-jar", jar.toString(), "serve"));
            builder.environment().keySet().removeIf(name -> name.startsWith("LATCHKEY_") || name.equals("PORT"));
            builder.environment().put("PORT", Integer.toString(port));
            builder.environment().put("LATCHKEY_ISSUER", "http://localhost:" + port);
            builder.environment().put("LATCHKEY_DATA_DIR", dataDirectory.toString());
            builder.environment().put("LATCHKEY_ARGON2_MEMORY_KIB", "8192");
            builder.environment().put("LATCHKEY_ARGON2_ITERATIONS", "1");
            builder.environment().putAll(settings);
            builder.redirectErrorStream(true).redirectOutput(log.toFile());
            LatchkeyProcess latchkey = new LatchkeyProcess(builder.start(), port, log);
            latchkey.awaitReady();
            return latchkey;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The jar Maven put on the test class path for the latchkey-server dependency, with lib/ beside it. */
    private static Path serverJar() {
        try {
            Class<?> main = Class.forName("dev.latchkey.server.Main");
            Path location = Path.of(main.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isRegularFile(location) || !Files.isDirectory(location.resolveSibling("lib"))) {
                throw new IllegalStateException("Latchkey is not packaged (found " + location + "): run the tests with "
                        + "'./mvnw verify -pl examples/spring-resource-server -am' from the repository root");
            }
            return location;
        } catch (ClassNotFoundException | URISyntaxException e) {
            throw new IllegalStateException("latchkey-server is not on the test class path", e);
        }
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Latchkey exited with " + process.exitValue() + ":\n" + logText());
            }
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(issuer() + "/readyz"))
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
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        close();
        throw new IllegalStateException("Latchkey was not ready within " + READY_TIMEOUT + ":\n" + logText());
    }

    String issuer() {
        return "http://localhost:" + port;
    }

    String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
