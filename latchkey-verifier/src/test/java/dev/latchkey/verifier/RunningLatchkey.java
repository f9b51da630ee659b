package dev.latchkey.verifier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.latchkey.server.LatchkeyServer;
import dev.latchkey.server.config.LatchkeyConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A real Latchkey, in process, on a free port of its own with {@code LATCHKEY_ISSUER} set to
 * that port, on a fresh SQLite database; cheap password hashing so the tests stay fast.
 * {@link #restart} brings it back on the same port and database with other settings (another
 * signing key), as an operator would.
 */
final class RunningLatchkey implements AutoCloseable {
    static final String PASSWORD = "a long enough test passphrase 42";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final int port;
    private final Path dataDirectory;
    private LatchkeyServer server;

    private RunningLatchkey(int port, Path dataDirectory) {
        this.port = port;
        this.dataDirectory = dataDirectory;
    }

    static RunningLatchkey start(Map<String, String> overrides) {
        try {
            RunningLatchkey latchkey = new RunningLatchkey(freePort(), Files.createTempDirectory("latchkey-verifier-test"));
            latchkey.server = LatchkeyServer.start(latchkey.config(overrides), Clock.systemUTC());
            return latchkey;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops it and starts it again on the same port, database and data directory, with these settings. */
    void restart(Map<String, String> overrides) {
        server.close();
        server = LatchkeyServer.start(config(overrides), Clock.systemUTC());
    }

    /** Rotates the signing key in place (as {@code latchkey keys rotate} does): a new key signs at once. */
    void rotateSigningKey() {
        server.keys().rotate(com.nimbusds.jose.JWSAlgorithm.RS256);
    }

    private LatchkeyConfig config(Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>();
        env.put("PORT", Integer.toString(port));
        env.put("LATCHKEY_ISSUER", issuer());
        env.put("LATCHKEY_DATA_DIR", dataDirectory.toString());
        env.put("LATCHKEY_ARGON2_MEMORY_KIB", "8192");
        env.put("LATCHKEY_ARGON2_ITERATIONS", "1");
        env.putAll(overrides);
        return LatchkeyConfig.from(env);
    }

    String issuer() {
        return "http://localhost:" + port;
    }

    /** Registers a new user and returns the register answer ({@code accessToken}, {@code user}...). */
    JsonNode register(String email) {
        return post("/auth/register", email, 201);
    }

    JsonNode login(String email) {
        return post("/auth/login", email, 200);
    }

    private JsonNode post(String path, String email, int expected) {
        String body = JSON.createObjectNode().put("email", email).put("password", PASSWORD).toString();
        HttpRequest request = HttpRequest.newBuilder(URI.create(issuer() + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != expected) {
                throw new AssertionError(path + " answered " + response.statusCode() + ": " + response.body());
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
