package dev.latchkey.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import com.zaxxer.hikari.pool.HikariPool;
import dev.latchkey.core.accounts.EmailTokenStore;
import dev.latchkey.core.accounts.UserStore;
import dev.latchkey.core.audit.AuditStore;
import dev.latchkey.core.secrets.SecretStore;
import dev.latchkey.core.sessions.SessionStore;
import dev.latchkey.core.tokens.SigningKeyStore;
import dev.latchkey.store.jdbc.Engine;
import dev.latchkey.store.jdbc.JdbcAuditStore;
import dev.latchkey.store.jdbc.JdbcEmailTokenStore;
import dev.latchkey.store.jdbc.JdbcSecretStore;
import dev.latchkey.store.jdbc.JdbcSessionStore;
import dev.latchkey.store.jdbc.JdbcSigningKeyStore;
import dev.latchkey.store.jdbc.JdbcUserStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database Latchkey keeps its state in: a connection pool, its migrations and the store
 * adapters on top. Embedded SQLite by default, PostgreSQL when given a URL.
 */
public final class Database implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Database.class);

    /** Embedded file name inside the data directory. */
    public static final String SQLITE_FILE = "latchkey.db";

    // SQLite has one writer at a time (WAL lets readers run beside it), so more connections
    // than this only queue on the write lock; they would not add throughput.
    private static final int SQLITE_MAX_POOL = 4;
    private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration STARTUP_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration PING_TIMEOUT = Duration.ofSeconds(1);

    private final HikariDataSource dataSource;
    private final Engine engine;
    private final String location;
    private final UserStore users;
    private final SessionStore sessions;
    private final SecretStore secrets;
    private final SigningKeyStore signingKeys;
    private final AuditStore audit;
    private final EmailTokenStore emailTokens;

    private Database(HikariDataSource dataSource, Engine engine, String location) {
        this.dataSource = dataSource;
        this.engine = engine;
        this.location = location;
        this.users = new JdbcUserStore(dataSource, engine);
        this.sessions = new JdbcSessionStore(dataSource, engine);
        this.secrets = new JdbcSecretStore(dataSource);
        this.signingKeys = new JdbcSigningKeyStore(dataSource, engine);
        this.audit = new JdbcAuditStore(dataSource);
        this.emailTokens = new JdbcEmailTokenStore(dataSource);
    }

    /**
     * Connects (failing within a few seconds, with {@link StoreUnavailableException}, when the
     * server cannot be reached) and, unless the settings say otherwise, migrates.
     *
     * @throws IllegalArgumentException when the URL is not one Latchkey understands; the message
     *                                  says what is wrong and never repeats the URL
     */
    public static Database open(DatabaseSettings settings) {
        DatabaseUrl url = settings.url() == null ? embedded(settings.dataDirectory()) : DatabaseUrl.parse(settings.url());
        HikariConfig config = switch (url.engine()) {
            case SQLITE -> sqliteConfig(url, settings);
            case POSTGRESQL -> postgresConfig(url, settings);
        };
        HikariDataSource dataSource;
        try {
            dataSource = new HikariDataSource(config);
        } catch (HikariPool.PoolInitializationException e) {
            // The driver's message names the host and the reason (refused, unknown host, bad login).
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new StoreUnavailableException("Cannot connect to the database (" + url.description() + "): "
                    + cause.getMessage(), e);
        }
        Database database = new Database(dataSource, url.engine(), url.description());
        if (settings.migrateOnOpen()) {
            try {
                database.migrate();
            } catch (RuntimeException e) {
                database.close();
                throw e;
            }
        }
        log.info("Opened database: {} (pool of at most {})", url.description(), config.getMaximumPoolSize());
        return database;
    }

    /**
     * Applies pending migrations; safe to run again, and from several instances at once. A
     * schema newer than this build knows is refused (Flyway's default would ignore it): this
     * build cannot know what the newer schema means for tokens and sessions.
     */
    public void migrate() {
        try {
            var result = flyway().ignoreMigrationPatterns(new String[0]).load().migrate();
            if (result.migrationsExecuted > 0) {
                log.info("Migrated {} to schema version {}", location, result.targetSchemaVersion);
            }
        } catch (FlywayException e) {
            throw migrationFailure(e);
        }
    }

    /**
     * Where the schema stands, without changing it: the applied version and how many
     * migrations of this build are still to apply.
     *
     * @throws StoreException when migrating would fail: the schema is newer than this build
     *                        knows, an applied migration differs from this build's, or one failed
     */
    public MigrationStatus migrationStatus() {
        try {
            Flyway flyway = flyway().ignoreMigrationPatterns("*:pending").load();
            flyway.validate();
            MigrationInfoService info = flyway.info();
            MigrationInfo current = info.current();
            return new MigrationStatus(current == null ? null : current.getVersion().toString(), info.pending().length);
        } catch (FlywayException e) {
            throw migrationFailure(e);
        }
    }

    /** @param currentVersion null for an empty database */
    public record MigrationStatus(String currentVersion, int pending) {}

    private org.flywaydb.core.api.configuration.FluentConfiguration flyway() {
        return Flyway.configure(Database.class.getClassLoader())
                .dataSource(dataSource)
                .locations(engine.migrationLocation())
                .failOnMissingLocations(true);
    }

    /**
     * One line: a schema newer than this build is named as such (Flyway's own text for that is
     * several lines and an advertisement).
     */
    private StoreException migrationFailure(FlywayException e) {
        String newer = null;
        try {
            MigrationInfo[] applied = flyway().load().info().applied();
            for (MigrationInfo m : applied) {
                if (m.getState() != null && m.getState().name().startsWith("FUTURE")) {
                    newer = m.getVersion() == null ? m.getDescription() : m.getVersion().toString();
                }
            }
        } catch (RuntimeException ignored) {
            // describe it with Flyway's message below
        }
        if (newer != null) {
            return new StoreException("Database migration failed (" + location + "): the database has schema version "
                    + newer + ", newer than this build of Latchkey knows; run the newer Latchkey that migrated it", e);
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int advert = message.indexOf("Need more flexibility");
        if (advert > 0) {
            message = message.substring(0, advert);
        }
        return new StoreException("Database migration failed (" + location + "): " + message.replaceAll("\\s+", " ").strip(), e);
    }

    /**
     * True when a connection answers within about a second. Never throws and never waits for
     * the pool's full connection timeout: readiness probes have short timeouts of their own.
     */
    public boolean ping() {
        if (dataSource.isClosed()) {
            return false;
        }
        CompletableFuture<Boolean> check = CompletableFuture.supplyAsync(this::connectionAnswers,
                task -> Thread.ofVirtual().name("latchkey-db-ping").start(task));
        try {
            return check.get(PING_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // the check ends on its own within the pool's connection timeout
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private boolean connectionAnswers() {
        try (Connection connection = dataSource.getConnection()) {
            return connection.isValid((int) PING_TIMEOUT.toSeconds());
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Runs {@code job} unless another instance on this database is running a job under the same
     * {@code lockId} right now; true when it ran. On PostgreSQL a session advisory lock is held on
     * one pooled connection for the job's duration (and released with that connection if the
     * process dies); the embedded database has a single instance, so the job simply runs.
     */
    public boolean runExclusively(long lockId, Runnable job) {
        if (engine != Engine.POSTGRESQL) {
            job.run();
            return true;
        }
        try (Connection connection = dataSource.getConnection()) {
            if (!advisoryLock(connection, "SELECT pg_try_advisory_lock(?)", lockId)) {
                return false;
            }
            try {
                job.run();
            } finally {
                advisoryLock(connection, "SELECT pg_advisory_unlock(?)", lockId);
            }
            return true;
        } catch (SQLException e) {
            throw new StoreUnavailableException("Cannot take the lock " + lockId + ": " + e.getMessage(), e);
        }
    }

    private static boolean advisoryLock(Connection connection, String sql, long lockId) throws SQLException {
        try (java.sql.PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setLong(1, lockId);
            try (java.sql.ResultSet rows = statement.executeQuery()) {
                return rows.next() && rows.getBoolean(1);
            }
        }
    }

    /**
     * Reports the connection pool's figures (connections active, idle, pending, acquire and
     * usage times) to {@code factory}, for example Hikari's Micrometer tracker. Once per database.
     */
    public void trackPoolMetrics(MetricsTrackerFactory factory) {
        dataSource.setMetricsTrackerFactory(factory);
    }

    public UserStore users() {
        return users;
    }

    public SessionStore sessions() {
        return sessions;
    }

    public SecretStore secrets() {
        return secrets;
    }

    public SigningKeyStore signingKeys() {
        return signingKeys;
    }

    public AuditStore audit() {
        return audit;
    }

    /** The single-use tokens of email verification and password reset. */
    public EmailTokenStore emailTokens() {
        return emailTokens;
    }

    /** "sqlite" or "postgresql". */
    public String engine() {
        return engine.id();
    }

    /** Where the database is, without credentials (for logs and diagnostics). */
    public String location() {
        return location;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    @Override
    public void close() {
        dataSource.close();
    }

    private static DatabaseUrl embedded(Path dataDirectory) {
        try {
            Files.createDirectories(dataDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the data directory " + dataDirectory, e);
        }
        Path file = dataDirectory.resolve(SQLITE_FILE).toAbsolutePath();
        return DatabaseUrl.parse("jdbc:sqlite:" + file);
    }

    private static HikariConfig sqliteConfig(DatabaseUrl url, DatabaseSettings settings) {
        HikariConfig config = commonConfig(url);
        config.setMaximumPoolSize(Math.min(settings.maxPoolSize(), SQLITE_MAX_POOL));
        // Applied by the xerial driver to every new connection (these pragmas are per connection,
        // except journal_mode, which sticks to the file).
        // WAL: readers never block the writer nor the writer them.
        config.addDataSourceProperty("journal_mode", "WAL");
        // Writers are serialized by SQLite's single write lock. A connection that finds it taken
        // waits (up to 5 s) instead of failing at once with SQLITE_BUSY; with at most 4 pooled
        // connections and short write transactions that wait is milliseconds.
        config.addDataSourceProperty("busy_timeout", "5000");
        // SQLite ignores REFERENCES ... ON DELETE CASCADE unless told per connection.
        config.addDataSourceProperty("foreign_keys", "true");
        // In WAL mode NORMAL is durable against application crashes and consistent after a power
        // loss (the last commits may be lost), and avoids an fsync per commit.
        config.addDataSourceProperty("synchronous", "NORMAL");
        // The embedded database is on local disk: the first connection either opens or not.
        config.setInitializationFailTimeout(1);
        return config;
    }

    private static HikariConfig postgresConfig(DatabaseUrl url, DatabaseSettings settings) {
        HikariConfig config = commonConfig(url);
        config.setMaximumPoolSize(settings.maxPoolSize());
        if (url.user() != null) {
            config.setUsername(url.user());
        }
        if (url.password() != null) {
            // a pool property (masked in Hikari's logs), never part of a logged URL
            config.setPassword(url.password());
        }
        config.addDataSourceProperty("ApplicationName", "latchkey");
        // Seconds for the TCP connect, so an unreachable (black-holed) host fails fast rather
        // than after the OS's minutes-long timeout. A connectTimeout in the URL takes precedence.
        config.addDataSourceProperty("connectTimeout", String.valueOf(CONNECTION_TIMEOUT.toSeconds()));
        // Fail the start after ~2 s of refused connections, with the driver's reason, instead of
        // starting a server that answers 500 to everything.
        config.setInitializationFailTimeout(STARTUP_CONNECT_TIMEOUT.toMillis());
        return config;
    }

    private static HikariConfig commonConfig(DatabaseUrl url) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("latchkey-" + url.engine().id());
        config.setJdbcUrl(url.jdbcUrl());
        // A request waits at most this long for a connection before failing with 503-able
        // StoreUnavailableException, rather than piling up behind a dead database.
        config.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
        config.setValidationTimeout(PING_TIMEOUT.toMillis());
        return config;
    }
}
