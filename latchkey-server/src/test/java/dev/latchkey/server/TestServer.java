package dev.latchkey.server;

import dev.latchkey.server.config.LatchkeyConfig;
import dev.latchkey.testkit.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * A real Latchkey on a free port, on a real database: a fresh SQLite file or a fresh
 * PostgreSQL database of the shared throwaway server. Password hashing is set cheap so the
 * suite stays fast, and the rate limits and login lockout out of reach (the suite makes many
 * accounts and refreshes from one address; the tests of the limits set tight ones); everything
 * else is as configured in production.
 */
public final class TestServer implements AutoCloseable {
    public enum Engine { SQLITE, POSTGRES }

    /** Limits no ordinary test reaches; a test's overrides replace any of them. */
    public static final Map<String, String> GENEROUS_LIMITS = Map.of(
            "LATCHKEY_RATE_LIMIT_LOGIN_PER_IP", "1000000/1m",
            "LATCHKEY_RATE_LIMIT_LOGIN_PER_ACCOUNT", "1000000/1m",
            "LATCHKEY_RATE_LIMIT_REGISTER_PER_IP", "1000000/1m",
            "LATCHKEY_RATE_LIMIT_REGISTER_PER_ACCOUNT", "1000000/1m",
            "LATCHKEY_RATE_LIMIT_REFRESH_PER_IP", "1000000/1m",
            "LATCHKEY_RATE_LIMIT_REFRESH_PER_SESSION", "1000000/1m",
            "LATCHKEY_RATE_LIMIT_PASSWORD_PER_USER", "1000000/1m",
            "LATCHKEY_LOGIN_LOCKOUT_THRESHOLD", "1000",
            "LATCHKEY_RATE_LIMIT_RESET_PER_IP", "1000000/1m");

    private final LatchkeyServer server;
    private final Path dataDirectory;
    private final String databaseUrl;

    private TestServer(LatchkeyServer server, Path dataDirectory, String databaseUrl) {
        this.server = server;
        this.dataDirectory = dataDirectory;
        this.databaseUrl = databaseUrl;
    }

    /** A fresh database of the engine: null for SQLite (a new data directory is made per server). */
    public static String freshDatabase(Engine engine) {
        return engine == Engine.POSTGRES ? PostgresServer.shared().createDatabase() : null;
    }

    public static TestServer start(Engine engine, Clock clock, Map<String, String> overrides) {
        return start(freshDatabase(engine), tempDirectory(), clock, overrides);
    }

    public static TestServer start(String databaseUrl, Path dataDirectory, Clock clock, Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>();
        env.put("PORT", "0");
        env.put("LATCHKEY_DATA_DIR", dataDirectory.toString());
        env.put("LATCHKEY_ARGON2_MEMORY_KIB", "8192");
        env.put("LATCHKEY_ARGON2_ITERATIONS", "1");
        env.put("LATCHKEY_ISSUER", "http://localhost:8080");
        env.putAll(GENEROUS_LIMITS);
        if (databaseUrl != null) {
            env.put("LATCHKEY_DATABASE_URL", databaseUrl);
        }
        env.putAll(overrides);
        LatchkeyConfig config = LatchkeyConfig.from(env);
        return new TestServer(LatchkeyServer.start(config, clock), dataDirectory, databaseUrl);
    }

    /**
     * Another instance on this server's database and data directory (so it shares the CSRF
     * secret, kept in the database, and the development signing key, kept in the data
     * directory), with its own connection pool: a second node of a cluster.
     */
    public TestServer another(Clock clock, Map<String, String> overrides) {
        return start(databaseUrl, dataDirectory, clock, overrides);
    }

    public static Path tempDirectory() {
        try {
            return Files.createTempDirectory("latchkey-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String baseUrl() {
        return "http://localhost:" + server.port();
    }

    public int port() {
        return server.port();
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    public String databaseUrl() {
        return databaseUrl;
    }

    public LatchkeyServer server() {
        return server;
    }

    @Override
    public void close() {
        server.close();
    }
}
