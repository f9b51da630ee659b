package dev.latchkey.testkit;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL for tests, shared by every test in the JVM.
 *
 * <p>When {@code LATCHKEY_TEST_DATABASE_URL} is set (a {@code postgres://user:pass@host:port/db}
 * or {@code jdbc:postgresql://...} URL of a role that may create databases), that server is
 * used. Otherwise a throwaway cluster is made from the machine's own PostgreSQL binaries
 * (see {@link LocalCluster}): no Docker, no download. When neither is possible the tests fail
 * with a message saying what to install: a database test that silently skips proves nothing.
 *
 * <p>Each test class (or test) takes its own database from {@link #createDatabase()}, so tests
 * never see each other's rows.
 */
public final class PostgresServer {

    /** Environment variable naming an existing server to use instead of starting one. */
    public static final String URL_VARIABLE = "LATCHKEY_TEST_DATABASE_URL";

    private static final Logger log = LoggerFactory.getLogger(PostgresServer.class);
    private static final Pattern SAFE_NAME = Pattern.compile("[a-z0-9_]+");

    // Test infrastructure: one server per JVM, started on first use. A failure is remembered so
    // every later test reports the same clear cause instead of a NoClassDefFoundError.
    private static PostgresServer shared;
    private static RuntimeException startFailure;

    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final String adminDatabase;
    private final boolean external;
    private final AtomicInteger created = new AtomicInteger();
    private final List<String> createdOnExternalServer = new CopyOnWriteArrayList<>();

    private PostgresServer(String host, int port, String user, String password, String adminDatabase,
                           boolean external) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.adminDatabase = adminDatabase;
        this.external = external;
    }

    /** The server shared by this JVM, started (or connected to) on first call. */
    public static synchronized PostgresServer shared() {
        if (startFailure != null) {
            throw startFailure;
        }
        if (shared == null) {
            try {
                shared = start();
            } catch (RuntimeException e) {
                startFailure = e;
                throw e;
            }
        }
        return shared;
    }

    private static PostgresServer start() {
        String url = System.getenv(URL_VARIABLE);
        if (url != null && !url.isBlank()) {
            PostgresServer server = fromUrl(url.strip());
            server.checkReachable();
            Runtime.getRuntime().addShutdownHook(new Thread(server::dropCreatedDatabases, "latchkey-test-pg-cleanup"));
            log.info("Using the PostgreSQL server from {} at {}:{}", URL_VARIABLE, server.host, server.port);
            return server;
        }
        LocalCluster cluster = LocalCluster.start();
        return new PostgresServer(LocalCluster.HOST, cluster.port(), LocalCluster.SUPERUSER, null, "postgres", false);
    }

    /**
     * Creates a fresh, uniquely named, empty database and returns its JDBC URL. The URL carries
     * the user (and password, if any) as parameters, so it is enough on its own to connect.
     */
    public String createDatabase() {
        String name = "latchkey_test_" + created.incrementAndGet() + "_"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        execute(adminDatabase, "CREATE DATABASE " + name);
        if (external) {
            // a throwaway cluster is deleted whole at exit; on someone else's server we clean up
            createdOnExternalServer.add(name);
        }
        return jdbcUrl(name);
    }

    /** Drops a database made by {@link #createDatabase()}, ending its open connections first. */
    public void dropDatabase(String jdbcUrl) {
        String name = databaseName(jdbcUrl);
        execute(adminDatabase, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        createdOnExternalServer.remove(name);
    }

    /** The database name in a JDBC URL returned by {@link #createDatabase()}. */
    public String databaseName(String jdbcUrl) {
        String path = URI.create(jdbcUrl.substring("jdbc:".length())).getPath();
        String name = path.startsWith("/") ? path.substring(1) : path;
        if (!SAFE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a database made by this test server: " + name);
        }
        return name;
    }

    /** JDBC URL of {@code database} on this server, with the credentials as parameters. */
    public String jdbcUrl(String database) {
        StringBuilder url = new StringBuilder("jdbc:postgresql://").append(host).append(':').append(port)
                .append('/').append(database).append("?user=").append(encode(user));
        if (password != null) {
            url.append("&password=").append(encode(password));
        }
        return url.toString();
    }

    /** The same database as a {@code postgres://user@host:port/db} URL (as operators write it). */
    public String postgresUrl(String database) {
        String credentials = password == null ? encode(user) : encode(user) + ":" + encode(password);
        return "postgres://" + credentials + "@" + host + ":" + port + "/" + database;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String user() {
        return user;
    }

    /** Null for the local throwaway cluster, which trusts local connections. */
    public String password() {
        return password;
    }

    private void checkReachable() {
        try (Connection ignored = connect(adminDatabase)) {
            // reachable
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot connect to the PostgreSQL server named by " + URL_VARIABLE
                    + " (" + host + ":" + port + "): " + e.getMessage(), e);
        }
    }

    private void execute(String database, String sql) {
        try (Connection connection = connect(database); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL test server refused: " + sql + ": " + e.getMessage(), e);
        }
    }

    private Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database));
    }

    private void dropCreatedDatabases() {
        for (String name : createdOnExternalServer) {
            try {
                execute(adminDatabase, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            } catch (RuntimeException e) {
                log.warn("Could not drop test database {}: {}", name, e.getMessage());
            }
        }
    }

    private static PostgresServer fromUrl(String url) {
        String rest;
        if (url.startsWith("jdbc:postgresql://")) {
            rest = url.substring("jdbc:".length());
        } else if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
            rest = url;
        } else {
            throw new IllegalStateException(URL_VARIABLE + " must be a postgres://, postgresql:// or jdbc:postgresql:// URL");
        }
        URI uri;
        try {
            uri = new URI(rest);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(URL_VARIABLE + " is not a valid URL (percent-encode special characters)");
        }
        if (uri.getHost() == null) {
            throw new IllegalStateException(URL_VARIABLE + " names no host");
        }
        Map<String, String> query = parseQuery(uri.getRawQuery());
        String user = query.get("user");
        String password = query.get("password");
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = decode(parts[0]);
            password = parts.length > 1 ? decode(parts[1]) : null;
        }
        if (user == null) {
            throw new IllegalStateException(URL_VARIABLE + " names no user");
        }
        String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        String database = path.isEmpty() ? "postgres" : path;
        int port = uri.getPort() == -1 ? 5432 : uri.getPort();
        return new PostgresServer(uri.getHost(), port, user, password, database, true);
    }

    private static Map<String, String> parseQuery(String rawQuery) {
        Map<String, String> values = new HashMap<>();
        if (rawQuery == null) {
            return values;
        }
        for (String pair : rawQuery.split("&")) {
            String[] kv = pair.split("=", 2);
            values.put(decode(kv[0]).toLowerCase(Locale.ROOT), kv.length > 1 ? decode(kv[1]) : "");
        }
        return values;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
