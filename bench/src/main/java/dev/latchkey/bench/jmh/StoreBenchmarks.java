package dev.latchkey.bench.jmh;

import dev.latchkey.core.accounts.User;
import dev.latchkey.core.sessions.RefreshPolicy;
import dev.latchkey.core.sessions.Session;
import dev.latchkey.core.sessions.SessionStore;
import dev.latchkey.core.sessions.SuccessorSeal;
import dev.latchkey.core.tokens.RefreshTokens;
import dev.latchkey.store.Database;
import dev.latchkey.store.DatabaseSettings;
import dev.latchkey.testkit.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.slf4j.LoggerFactory;

/**
 * The refresh rotation's compare-and-set, {@link SessionStore#rotate}, as the server performs it
 * ({@code SessionService.refresh}): one call of the JDBC store on a {@link Database} opened the
 * way the server opens it (Hikari pool, migrations), one thread.
 *
 * <ul>
 *   <li>{@code rotate}: every call is a successful rotation of one session: the CAS UPDATE on
 *       {@code sessions} matches, the new hash is inserted into {@code session_tokens}, the
 *       transaction commits; the new hash is carried forward as the next expected one.</li>
 *   <li>{@code rotateStale}: the losing side, a token that is no longer current: the UPDATE
 *       matches no row and the (empty) transaction commits.</li>
 * </ul>
 *
 * <p>{@code engine=postgresql} runs on a throwaway cluster from {@link PostgresServer} (the
 * machine's own binaries on loopback, fsync off as the test cluster has it; the JVM's shutdown
 * hook stops and deletes it when the fork ends), or on {@code LATCHKEY_TEST_DATABASE_URL} when
 * that is set. {@code engine=sqlite} runs on a file in a temporary directory with the server's
 * pragmas (WAL, synchronous=NORMAL). The successor hashes are SHA-256 of a counter, so they
 * spread over the index like real ones without a {@code SecureRandom} call per operation; the
 * sealed successor is a real one, made once. One session takes every rotation (spreading them
 * over 1000 sessions measured the same on PostgreSQL, within the noise). Single thread: the average time per rotation is
 * the inverse of the throughput ({@code bench/jmh.sh} writes both). Run with
 * {@code bench/jmh.sh Store}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// native access: the SQLite driver loads its library (JDK 24+ would warn in the middle of the output)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseSerialGC", "-Xmx192m", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Threads(1)
public class StoreBenchmarks {

    @Param({"postgresql", "sqlite"})
    public String engine;

    private Path sqliteDirectory;
    private Database database;
    private SessionStore store;
    private String sessionId;
    private String currentHash;
    private String staleHash;
    private String hashPrefix;
    private long counter;
    private byte[] sealedSuccessor;
    private Duration idleTtl;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        // the pool's and the test cluster's INFO lines would land in the middle of JMH's iteration lines
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        DatabaseSettings settings = switch (engine) {
            // the server's default pool size (LATCHKEY_DATABASE_POOL_SIZE)
            case "postgresql" -> new DatabaseSettings(PostgresServer.shared().createDatabase(), null, 10);
            case "sqlite" -> {
                sqliteDirectory = Files.createTempDirectory("latchkey-jmh-sqlite-");
                yield DatabaseSettings.embedded(sqliteDirectory);
            }
            default -> throw new IllegalArgumentException("unknown engine " + engine);
        };
        database = Database.open(settings);
        store = database.sessions();

        SecureRandom random = new SecureRandom();
        Instant now = Instant.now();
        String userId = UUID.randomUUID().toString();
        database.users().insert(new User(userId, "jmh-" + userId + "@example.com", "user", "not-a-real-hash", now, null));
        RefreshPolicy policy = RefreshPolicy.defaults();
        idleTtl = policy.idleTtl();
        String firstToken = RefreshTokens.generate(random);
        sessionId = UUID.randomUUID().toString();
        store.insert(new Session(sessionId, userId, RefreshTokens.hash(firstToken), null, null, null, now, now,
                now.plus(idleTtl), now.plus(policy.absoluteMaxAge()), null, "jmh", "127.0.0.1"));
        currentHash = RefreshTokens.hash(firstToken);
        sealedSuccessor = new SuccessorSeal(random).seal(firstToken, RefreshTokens.generate(random), sessionId);
        hashPrefix = RefreshTokens.randomToken(random);
        // one real rotation, so the first token is stale from here on (rotateStale presents it)
        staleHash = currentHash;
        if (!rotate()) {
            throw new IllegalStateException("the first rotation did not win");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        // Check the carried-forward hash really is the session's current one (every rotation won).
        String stored = store.findById(sessionId).orElseThrow().currentHash();
        if (!stored.equals(currentHash)) {
            throw new IllegalStateException("the session's current hash is not the last rotated one");
        }
        database.close();
        if (sqliteDirectory != null) {
            try (Stream<Path> files = Files.walk(sqliteDirectory)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            }
        }
        // the PostgreSQL cluster is stopped and deleted by PostgresServer's shutdown hook at fork exit
    }

    /** One successful compare-and-set rotation; throws if it ever loses (nothing else writes). */
    @Benchmark
    public boolean rotate() {
        String next = RefreshTokens.hash(hashPrefix + counter++);
        Instant now = Instant.now();
        if (!store.rotate(sessionId, currentHash, next, sealedSuccessor, now, now.plus(idleTtl))) {
            throw new IllegalStateException("rotation lost the compare-and-set with no competitor");
        }
        currentHash = next;
        return true;
    }

    /** The compare fails: the presented token was already rotated away. */
    @Benchmark
    public boolean rotateStale() {
        String next = RefreshTokens.hash(hashPrefix + counter++);
        Instant now = Instant.now();
        if (store.rotate(sessionId, staleHash, next, sealedSuccessor, now, now.plus(idleTtl))) {
            throw new IllegalStateException("a stale token won the compare-and-set");
        }
        return false;
    }
}
